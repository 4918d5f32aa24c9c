"""Fixtures of the connector tests: fake platforms, a temporary database, a Sanic app over ASGI."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from connectors.common.config import (
    CommonSettings,
    MessengerSettings,
    TelegramSettings,
    ZaloSettings,
)
from tests.connectors.fakes.meta import FakeGraph
from tests.connectors.fakes.telegram import FakeTelegram
from tests.connectors.fakes.zalo import FakeZalo

_app_numbers = itertools.count(1)
_started: list[bool] = []


class Recorder:
    """Stands in for Rasa's ``on_new_message``: keeps the messages, optionally answers."""

    def __init__(self, reply: dict[str, Any] | None = None) -> None:
        self.messages: list[UserMessage] = []
        self.reply = reply

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.reply is not None:
            await message.output_channel.send_response(message.sender_id, dict(self.reply))


@pytest.fixture
def common_settings(tmp_path) -> CommonSettings:
    return CommonSettings(database_url=f"sqlite:///{tmp_path / 'connectors.sqlite3'}")


@pytest.fixture
def fake_zalo() -> Iterator[FakeZalo]:
    fake = FakeZalo().start()
    yield fake
    fake.stop()


@pytest.fixture
def zalo_settings(fake_zalo: FakeZalo) -> ZaloSettings:
    return ZaloSettings(
        app_id=fake_zalo.app_id,
        app_secret=fake_zalo.app_secret,
        oa_secret_key="oa-secret-key",
        refresh_token=fake_zalo.issue_refresh_token(),
        api_base_url=fake_zalo.url,
        oauth_base_url=fake_zalo.url,
        timeout_seconds=5,
    )


async def sanic_app(channel: InputChannel, on_new_message: Recorder) -> Sanic:
    """The channel's blueprint mounted like Rasa does (``/webhooks/<name>/``), started."""
    app = Sanic(f"connector_test_{next(_app_numbers)}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    await start_app(app)
    return app


async def start_app(app: Sanic) -> None:
    """Runs the app's startup as Sanic's ASGI lifespan handler would.

    httpx's ASGI transport sends no lifespan events. Sanic's "touch-up" rewrites its own classes
    once per process, so later apps only finalise their routers.
    """
    if not _started:
        await app._startup()
        _started.append(True)
    else:
        app.signalize()
        app.finalize()


@pytest.fixture
async def asgi() -> AsyncIterator[Any]:
    """``await asgi(app)`` → an httpx client that calls the Sanic app in-process."""
    clients: list[httpx.AsyncClient] = []

    def make(app: Sanic) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture
def messenger_settings(fake_graph: FakeGraph) -> MessengerSettings:
    return MessengerSettings(
        app_secret="meta-app-secret",
        verify_token="verify-me",
        page_access_token=fake_graph.page_token,
        app_id="555000111",
        graph_base_url=fake_graph.url,
        graph_version=fake_graph.version,
        timeout_seconds=5,
    )


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram_settings(fake_telegram: FakeTelegram) -> TelegramSettings:
    return TelegramSettings(
        bot_token=fake_telegram.token,
        secret_token="s3cr3t-Token_value-0123456789-abcdefXYZ",
        webhook_url="https://bot.bhxh.example/webhooks/telegram/webhook",
        api_base_url=fake_telegram.url,
        timeout_seconds=5,
    )


@pytest.fixture
async def closing() -> AsyncIterator[Any]:
    """``closing(obj)`` returns ``obj`` and awaits ``obj.aclose()`` after the test."""
    opened: list[Any] = []

    def track(obj: Any) -> Any:
        opened.append(obj)
        return obj

    yield track
    for obj in reversed(opened):
        await obj.aclose()
