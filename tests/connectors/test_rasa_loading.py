"""Rasa loads the three channels from credentials.yml; without secrets each is disabled once."""

from __future__ import annotations

import logging

import httpx
from rasa.core.channels.channel import register
from rasa.core.run import create_http_input_channels
from sanic import Sanic

from connectors.messenger import MessengerInput
from connectors.telegram import TelegramInput
from connectors.zalo import ZaloInput
from tests.connectors.conftest import start_app

CREDENTIALS = """\
rest:
connectors.zalo.ZaloInput:
connectors.messenger.MessengerInput:
connectors.telegram.TelegramInput:
"""

SECRETS = (
    "ZALO_APP_ID",
    "ZALO_APP_SECRET",
    "ZALO_OA_SECRET_KEY",
    "ZALO_REFRESH_TOKEN",
    "MESSENGER_APP_SECRET",
    "MESSENGER_VERIFY_TOKEN",
    "MESSENGER_PAGE_ACCESS_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_SECRET_TOKEN",
)


async def test_channels_without_secrets_start_disabled_and_the_rest_runs(
    tmp_path, monkeypatch, caplog
):
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONNECTORS_DATABASE_URL", f"sqlite:///{tmp_path / 'c.sqlite3'}")
    credentials = tmp_path / "credentials.yml"
    credentials.write_text(CREDENTIALS, encoding="utf-8")

    with caplog.at_level(logging.INFO, logger="connectors"):
        channels = create_http_input_channels(None, str(credentials))
    app = Sanic("rasa_loading_test")
    register(channels, app, route="/webhooks/")
    await start_app(app)

    kinds = {type(channel) for channel in channels}
    assert {ZaloInput, MessengerInput, TelegramInput} <= kinds
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("connectors")]
    assert len(lines) == 3
    assert all("is disabled" in line for line in lines)
    paths = {route.path for route in app.router.routes}
    for name in ("zalo", "messenger", "telegram"):
        assert f"webhooks/{name}/webhook" in paths
    assert "webhooks/rest/webhook" in paths
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bot"
    ) as client:
        for name in ("zalo", "messenger", "telegram"):
            response = await client.post(f"/webhooks/{name}/webhook", content=b"{}")
            assert response.status_code == 503
