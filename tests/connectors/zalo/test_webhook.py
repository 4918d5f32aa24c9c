"""The Zalo webhook: signed deliveries reach Rasa once, as proper user messages; others do not."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from connectors.common.handoff import HandoffEvent, LoggingHandoffSignal
from connectors.zalo import ZaloInput, ZaloOutput
from tests.connectors.conftest import Recorder, sanic_app
from tests.connectors.zalo import payloads
from tests.connectors.zalo.payloads import USER_ID

URL = "/webhooks/zalo/webhook"


@pytest.fixture
def channel(zalo_settings, common_settings, closing):
    return closing(ZaloInput(zalo_settings, common_settings))


async def post(client, payload, settings, secret=None):
    body, headers = payloads.signed(payload, settings, secret)
    return await client.post(URL, content=body, headers=headers)


async def deliver(channel, asgi, payload, settings, recorder=None):
    recorder = recorder or Recorder()
    client = asgi(await sanic_app(channel, recorder))
    response = await post(client, payload, settings)
    await channel.tasks.drain()
    return response, recorder


async def test_text_message_reaches_rasa_as_a_user_message(channel, asgi, zalo_settings):
    payload = payloads.user_text(zalo_settings.app_id, "Cho tôi hỏi thủ tục hưởng BHXH một lần")
    response, recorder = await deliver(channel, asgi, payload, zalo_settings)

    assert response.status_code == 200
    [message] = recorder.messages
    assert message.text == "Cho tôi hỏi thủ tục hưởng BHXH một lần"
    assert message.sender_id == f"zalo:{USER_ID}"
    assert message.input_channel == "zalo"
    assert message.message_id == "cb31dff1c39642cc1b83"
    assert isinstance(message.output_channel, ZaloOutput)
    assert message.metadata == {
        "channel": "zalo",
        "user_id": USER_ID,
        "event": "user_send_text",
        "msg_id": "cb31dff1c39642cc1b83",
    }


async def test_answers_before_the_bot_has_finished(channel, asgi, zalo_settings):
    release = asyncio.Event()

    async def slow_bot(message):
        await release.wait()

    client = asgi(await sanic_app(channel, slow_bot))
    response = await asyncio.wait_for(
        post(client, payloads.user_text(zalo_settings.app_id, "xin chào"), zalo_settings), 2
    )

    assert response.status_code == 200
    assert len(channel.tasks) == 1  # still working after the answer
    release.set()
    await channel.tasks.drain()
    assert len(channel.tasks) == 0


async def test_bot_answer_is_rendered_as_zalo_buttons(channel, asgi, zalo_settings, fake_zalo):
    bot = Recorder(
        reply={
            "text": "Bạn đã nghỉ việc được 12 tháng chưa?",
            "buttons": [
                {"title": "Rồi", "payload": '/inform{"answer": "co"}'},
                {"title": "Chưa", "payload": '/inform{"answer": "khong"}'},
            ],
        }
    )
    payload = payloads.user_text(zalo_settings.app_id, "rút bhxh 1 lần")
    await deliver(channel, asgi, payload, zalo_settings, bot)

    [sent] = fake_zalo.sent
    assert sent["user_id"] == USER_ID
    assert sent["message"]["text"] == "Bạn đã nghỉ việc được 12 tháng chưa?"
    assert sent["message"]["attachment"]["payload"]["buttons"] == [
        {"title": "Rồi", "type": "oa.query.hide", "payload": '/inform{"answer": "co"}'},
        {"title": "Chưa", "type": "oa.query.hide", "payload": '/inform{"answer": "khong"}'},
    ]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-ZEvent-Signature": ""}, {"X-ZEvent-Signature": "mac=" + "0" * 64}],
    ids=["missing", "empty", "forged"],
)
async def test_unsigned_or_forged_deliveries_are_rejected(channel, asgi, zalo_settings, headers):
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    body = json.dumps(payloads.user_text(zalo_settings.app_id, "giả mạo")).encode()

    response = await client.post(URL, content=body, headers=headers)
    await channel.tasks.drain()

    assert response.status_code == 403
    assert recorder.messages == []


async def test_signature_with_the_app_secret_instead_of_the_oa_key_is_rejected(
    channel, asgi, zalo_settings
):
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    payload = payloads.user_text(zalo_settings.app_id, "xin chào")

    response = await post(client, payload, zalo_settings, secret=zalo_settings.app_secret)

    assert response.status_code == 403
    assert recorder.messages == []


async def test_body_changed_after_signing_is_rejected(channel, asgi, zalo_settings):
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    body, headers = payloads.signed(
        payloads.user_text(zalo_settings.app_id, "chuyển 1 triệu"), zalo_settings
    )
    tampered = body.replace("1 triệu".encode(), "9 triệu".encode())

    response = await client.post(URL, content=tampered, headers=headers)

    assert response.status_code == 403
    assert recorder.messages == []


@pytest.mark.parametrize("offset", [-2 * 3600, +3600], ids=["replayed-old", "future"])
async def test_stale_deliveries_are_rejected_even_when_correctly_signed(
    channel, asgi, zalo_settings, offset
):
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    payload = payloads.user_text(
        zalo_settings.app_id, "xin chào", timestamp=payloads.now_ms(offset)
    )

    response = await post(client, payload, zalo_settings)
    await channel.tasks.drain()

    assert response.status_code == 403
    assert recorder.messages == []


async def test_signature_without_mac_prefix_is_accepted(channel, asgi, zalo_settings):
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    body, headers = payloads.signed(payloads.user_text(zalo_settings.app_id, "hi"), zalo_settings)
    headers["X-ZEvent-Signature"] = headers["X-ZEvent-Signature"].removeprefix("mac=")

    response = await client.post(URL, content=body, headers=headers)
    await channel.tasks.drain()

    assert response.status_code == 200
    assert len(recorder.messages) == 1


async def test_not_json_is_a_bad_request(channel, asgi):
    client = asgi(await sanic_app(channel, Recorder()))
    response = await client.post(URL, content=b"<xml/>", headers={"X-ZEvent-Signature": "mac=1"})
    assert response.status_code == 400


async def test_redelivery_of_the_same_message_is_processed_once(channel, asgi, zalo_settings):
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    payload = payloads.user_text(zalo_settings.app_id, "xin chào", msg_id="same-id")

    first = await post(client, payload, zalo_settings)
    second = await post(client, payload, zalo_settings)
    await channel.tasks.drain()

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"status": "duplicate"}
    assert len(recorder.messages) == 1


async def test_redelivery_to_another_server_is_processed_once(
    zalo_settings, common_settings, asgi, closing
):
    """Two Rasa servers share the connector database: the second one drops the retry."""
    recorder = Recorder()
    payload = payloads.user_text(zalo_settings.app_id, "xin chào", msg_id="retried")
    servers = [closing(ZaloInput(zalo_settings, common_settings)) for _ in range(2)]
    for server in servers:
        client = asgi(await sanic_app(server, recorder))
        await post(client, payload, zalo_settings)
        await server.tasks.drain()

    assert len(recorder.messages) == 1


async def test_image_without_caption_is_an_inform_with_the_attachment(
    channel, asgi, zalo_settings
):
    image = {"url": "https://zalo.example/cccd.jpg", "thumbnail": "https://zalo.example/t.jpg"}
    payload = payloads.user_attachment(zalo_settings.app_id, "image", image)

    _, recorder = await deliver(channel, asgi, payload, zalo_settings)

    [message] = recorder.messages
    assert message.text == "/inform"
    assert message.metadata["event"] == "user_send_image"
    assert message.metadata["attachments"] == [{"type": "image", "payload": image}]


async def test_image_caption_is_the_text(channel, asgi, zalo_settings):
    payload = payloads.user_attachment(
        zalo_settings.app_id, "image", {"url": "https://zalo.example/a.jpg"}, text="ảnh CCCD"
    )
    _, recorder = await deliver(channel, asgi, payload, zalo_settings)
    assert recorder.messages[0].text == "ảnh CCCD"


async def test_file_and_sticker_reach_rasa_with_their_attachment(channel, asgi, zalo_settings):
    app_id = zalo_settings.app_id
    file_payload = {"url": "https://zalo.example/f.pdf", "name": "don.pdf", "size": "2048"}
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    await post(
        client, payloads.user_attachment(app_id, "file", file_payload, msg_id="f1"), zalo_settings
    )
    await post(
        client,
        payloads.user_attachment(app_id, "sticker", {"id": "st", "url": "u"}, msg_id="s1"),
        zalo_settings,
    )
    await channel.tasks.drain()

    file_message, sticker_message = recorder.messages
    assert file_message.metadata["attachments"][0]["payload"]["name"] == "don.pdf"
    assert sticker_message.metadata["event"] == "user_send_sticker"
    assert sticker_message.text == "/inform"


async def test_location_coordinates_are_in_the_metadata(channel, asgi, zalo_settings):
    coordinates = {"coordinates": {"latitude": "21.0285", "longitude": "105.8542"}}
    payload = payloads.user_attachment(zalo_settings.app_id, "location", coordinates)

    _, recorder = await deliver(channel, asgi, payload, zalo_settings)

    assert recorder.messages[0].metadata["location"] == {
        "latitude": 21.0285,
        "longitude": 105.8542,
    }


async def test_new_follower_is_greeted(channel, asgi, zalo_settings):
    _, recorder = await deliver(
        channel, asgi, payloads.follow(zalo_settings.app_id), zalo_settings
    )

    [message] = recorder.messages
    assert message.text == "/greet"
    assert message.sender_id == f"zalo:{USER_ID}"
    assert message.metadata["event"] == "follow"


async def test_unfollow_does_not_reach_rasa(channel, asgi, zalo_settings):
    payload = payloads.follow(zalo_settings.app_id, "unfollow")
    response, recorder = await deliver(channel, asgi, payload, zalo_settings)
    assert response.status_code == 200
    assert recorder.messages == []


async def test_submitted_info_gives_the_phone_to_rasa(channel, asgi, zalo_settings):
    _, recorder = await deliver(
        channel, asgi, payloads.submit_info(zalo_settings.app_id), zalo_settings
    )

    [message] = recorder.messages
    assert message.text == '/inform{"phone": "0912345678"}'
    assert message.metadata["user_info"]["name"] == "Nguyễn Văn A"


async def test_admin_reply_from_the_oa_inbox_is_a_handoff_signal(
    zalo_settings, common_settings, asgi, closing
):
    signals: list[HandoffEvent] = []

    async def callback(event: HandoffEvent) -> None:
        signals.append(event)

    channel = closing(
        ZaloInput(zalo_settings, common_settings, handoff=LoggingHandoffSignal(callback=callback))
    )
    payload = payloads.oa_text(zalo_settings.app_id, "Chào anh, em là cán bộ BHXH", "admin-7")

    _, recorder = await deliver(channel, asgi, payload, zalo_settings)

    assert recorder.messages == []
    [signal] = signals
    assert signal.kind == "human_replied"
    assert signal.channel == "zalo"
    assert signal.sender_id == f"zalo:{USER_ID}"
    assert signal.agent_id == "admin-7"
    assert signal.text == "Chào anh, em là cán bộ BHXH"


@pytest.mark.parametrize("make", [lambda a: payloads.oa_text(a, "bot", None), payloads.seen])
async def test_our_own_echoes_and_receipts_are_ignored(channel, asgi, zalo_settings, make):
    response, recorder = await deliver(channel, asgi, make(zalo_settings.app_id), zalo_settings)
    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert recorder.messages == []


async def test_without_credentials_the_channel_is_disabled_with_one_log_line(
    asgi, caplog, monkeypatch
):
    for name in ("ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.INFO, logger="connectors"):
        channel = ZaloInput.from_credentials(None)
        client = asgi(await sanic_app(channel, Recorder()))
        webhook = await client.post(URL, content=b"{}")
        health = await client.get("/webhooks/zalo/")

    assert webhook.status_code == 503
    assert health.status_code == 503
    assert channel.get_output_channel() is None
    [line] = [r for r in caplog.records if r.name.startswith("connectors")]
    assert line.levelno == logging.WARNING
    assert "'zalo' is disabled" in line.getMessage()
    assert "ZALO_APP_ID (missing)" in line.getMessage()


async def test_credentials_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ZALO_APP_ID", "1")
    monkeypatch.setenv("ZALO_APP_SECRET", "s")
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", "k")
    monkeypatch.setenv("ZALO_REFRESH_TOKEN", "r")
    monkeypatch.setenv("CONNECTORS_DATABASE_URL", f"sqlite:///{tmp_path / 'c.sqlite3'}")

    channel = ZaloInput.from_credentials({"oa_secret_key": "from-credentials"})

    assert channel.enabled
    assert channel.settings.oa_secret_key == "from-credentials"
    assert isinstance(channel.get_output_channel(), ZaloOutput)
