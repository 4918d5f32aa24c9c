"""The REST channel: a key, its own ``rest:`` namespace, nothing else taken from the client."""

from __future__ import annotations

import logging

import pytest

from connectors.rest import KEY_ENV, RestInput, rest_client_ok, rest_sender_id
from tests.connectors.conftest import Recorder, sanic_app

KEY = "rest-test-key-0123456789-abcdefghijKLMNOP"
AUTH = {"Authorization": f"Bearer {KEY}"}


async def test_a_client_posing_as_a_telegram_citizen_lands_in_its_own_namespace(asgi):
    recorder = Recorder({"text": "Xin chào"})
    app = await sanic_app(RestInput(KEY), recorder)
    answer = await asgi(app).post(
        "/webhooks/rest/webhook",
        headers=AUTH,
        json={
            "sender": "telegram:48213377",
            "input_channel": "telegram",
            "message": "hồ sơ của tôi",
            "metadata": {"attachments": [{"type": "image", "url": "http://127.0.0.1:9/x"}]},
        },
    )
    assert answer.status_code == 200
    assert answer.json() == [{"recipient_id": "rest:telegram:48213377", "text": "Xin chào"}]
    (message,) = recorder.messages
    assert message.sender_id == "rest:telegram:48213377"
    assert message.input_channel == "rest"
    assert message.metadata == {"channel": "rest"}  # no attachments, no channel from the client


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}, {"X-API-Key": KEY}]
)
async def test_without_the_key_nothing_reaches_rasa(asgi, headers):
    recorder = Recorder()
    app = await sanic_app(RestInput(KEY), recorder)
    answer = await asgi(app).post(
        "/webhooks/rest/webhook", headers=headers, json={"sender": "u1", "message": "chào"}
    )
    assert answer.status_code == 401
    assert recorder.messages == []


async def test_a_placeholder_key_leaves_the_channel_disabled(asgi, monkeypatch, caplog):
    monkeypatch.setenv(KEY_ENV, "change-me")
    with caplog.at_level(logging.WARNING, logger="connectors.rest"):
        channel = RestInput.from_credentials(None)
    assert "REST_CHANNEL_KEY is a placeholder" in caplog.text
    recorder = Recorder()
    app = await sanic_app(channel, recorder)
    client = asgi(app)
    refused = await client.post(
        "/webhooks/rest/webhook",
        headers={"Authorization": "Bearer change-me"},
        json={"sender": "u1", "message": "chào"},
    )
    assert refused.status_code == 503
    assert recorder.messages == []
    health = await client.get("/webhooks/rest/")
    assert health.json() == {"status": "ok"}  # the server's health check stays


async def test_the_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    assert RestInput.from_credentials(None).key == KEY
    assert rest_client_ok(f"Bearer {KEY}")
    assert not rest_client_ok("Bearer change-me")
    monkeypatch.setenv(KEY_ENV, "short")
    assert RestInput.from_credentials(None).key is None
    assert not rest_client_ok("Bearer short")


def test_rest_ids_never_leave_the_namespace():
    assert rest_sender_id("u1") == "rest:u1"
    assert rest_sender_id("rest:u1") == "rest:u1"
    assert rest_sender_id("webchat-abc") == "rest:webchat-abc"
    assert rest_sender_id("zalo:1") == "rest:zalo:1"


async def test_malformed_bodies_are_refused(asgi):
    recorder = Recorder()
    app = await sanic_app(RestInput(KEY), recorder)
    client = asgi(app)
    for body in ({"sender": "", "message": "x"}, {"sender": "u1"}, {"sender": 5, "message": "x"},
                 {"sender": "a\nb", "message": "x"}, ["u1", "x"]):
        answer = await client.post("/webhooks/rest/webhook", headers=AUTH, json=body)
        assert answer.status_code == 400, body
    assert recorder.messages == []


async def test_a_failure_is_logged_without_the_citizens_text(asgi, caplog):
    async def failing(message: object) -> None:
        raise RuntimeError("boom")

    app = await sanic_app(RestInput(KEY), failing)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        answer = await asgi(app).post(
            "/webhooks/rest/webhook",
            headers=AUTH,
            json={"sender": "u123456", "message": "CCCD 001088012345"},
        )
    assert answer.json() == []
    assert "001088012345" not in caplog.text
    assert "u123456" not in caplog.text
    assert "rest: handling a message of …3456 failed" in caplog.text
