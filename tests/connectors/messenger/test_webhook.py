"""The Messenger webhook: handshake, signatures, every batched event, standby, echoes, handover."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest

from connectors.common.handoff import HandoffEvent, LoggingHandoffSignal
from connectors.messenger import MessengerInput, MessengerOutput
from tests.connectors.conftest import Recorder, sanic_app
from tests.connectors.messenger import payloads
from tests.connectors.messenger.payloads import PSID

URL = "/webhooks/messenger/webhook"


@pytest.fixture
def signals() -> list[HandoffEvent]:
    return []


@pytest.fixture
def channel(messenger_settings, common_settings, signals, closing):
    async def callback(event: HandoffEvent) -> None:
        signals.append(event)

    return closing(
        MessengerInput(messenger_settings, common_settings, handoff=LoggingHandoffSignal(callback))
    )


async def deliver(channel, asgi, settings, body, recorder=None, algorithm="sha256"):
    recorder = recorder or Recorder()
    client = asgi(await sanic_app(channel, recorder))
    raw, headers = payloads.signed(body, settings.app_secret, algorithm)
    response = await client.post(URL, content=raw, headers=headers)
    await channel.tasks.drain()
    return response, recorder


async def test_subscription_handshake_echoes_the_challenge(channel, asgi):
    client = asgi(await sanic_app(channel, Recorder()))
    ok = await client.get(
        URL,
        params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"},
    )
    wrong = await client.get(
        URL, params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "42"}
    )
    assert (ok.status_code, ok.text) == (200, "42")
    assert wrong.status_code == 403


async def test_text_reaches_rasa_as_a_user_message(channel, asgi, messenger_settings):
    body = payloads.delivery(payloads.text("Tôi muốn cấp lại thẻ BHYT", mid="m_42"))

    response, recorder = await deliver(channel, asgi, messenger_settings, body)

    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    [message] = recorder.messages
    assert message.text == "Tôi muốn cấp lại thẻ BHYT"
    assert message.sender_id == f"messenger:{PSID}"
    assert message.input_channel == "messenger"
    assert message.message_id == "m_42"
    assert isinstance(message.output_channel, MessengerOutput)
    assert message.metadata["user_id"] == PSID
    assert message.metadata["page_id"] == payloads.PAGE_ID


async def test_every_entry_and_every_event_of_a_batch_is_processed(
    channel, asgi, messenger_settings
):
    body = payloads.batched(
        [payloads.text("một", mid="m_1"), payloads.text("hai", mid="m_2")],
        [payloads.text("ba", mid="m_3", psid="999")],
    )
    _, recorder = await deliver(channel, asgi, messenger_settings, body)

    assert sorted(m.text for m in recorder.messages) == ["ba", "hai", "một"]
    assert [m.text for m in recorder.messages if m.sender_id == f"messenger:{PSID}"] == [
        "một",
        "hai",
    ]


async def test_quick_reply_and_postback_give_their_payload(channel, asgi, messenger_settings):
    body = payloads.delivery(
        payloads.quick_reply("Rồi", '/inform{"answer": "co"}'),
        payloads.postback("Nộp hồ sơ", "/start_submission"),
    )
    _, recorder = await deliver(channel, asgi, messenger_settings, body)

    quick, post = recorder.messages
    assert quick.text == '/inform{"answer": "co"}'
    assert quick.metadata["event"] == "quick_reply"
    assert quick.metadata["title"] == "Rồi"
    assert post.text == "/start_submission"
    assert post.metadata["event"] == "postback"


async def test_image_is_an_inform_with_its_attachment(channel, asgi, messenger_settings):
    body = payloads.delivery(payloads.image("https://cdn.fb.example/cccd.jpg"))
    _, recorder = await deliver(channel, asgi, messenger_settings, body)

    [message] = recorder.messages
    assert message.text == "/inform"
    assert (
        message.metadata["attachments"][0]["payload"]["url"] == "https://cdn.fb.example/cccd.jpg"
    )


async def test_standby_events_do_not_crash_and_do_not_reach_rasa(
    channel, asgi, messenger_settings
):
    body = payloads.delivery(standby=[payloads.text("cán bộ ơi", mid="m_sb")])
    response, recorder = await deliver(channel, asgi, messenger_settings, body)
    assert response.status_code == 200
    assert recorder.messages == []


async def test_our_own_echoes_and_receipts_are_ignored(channel, asgi, messenger_settings, signals):
    body = payloads.delivery(payloads.echo("bot said", payloads.APP_ID), payloads.read_receipt())
    response, recorder = await deliver(channel, asgi, messenger_settings, body)
    assert response.status_code == 200
    assert recorder.messages == []
    assert signals == []


async def test_a_reply_from_the_page_inbox_is_a_handoff_signal(
    channel, asgi, messenger_settings, signals
):
    body = payloads.delivery(payloads.echo("Chào bạn, mình là cán bộ", "263902037430900"))
    _, recorder = await deliver(channel, asgi, messenger_settings, body)

    assert recorder.messages == []
    [signal] = signals
    assert (signal.kind, signal.sender_id) == ("human_replied", f"messenger:{PSID}")
    assert signal.text == "Chào bạn, mình là cán bộ"


async def test_thread_control_changes_are_handoff_signals(
    channel, asgi, messenger_settings, signals
):
    body = payloads.delivery(
        payloads.handover(
            "take_thread_control",
            previous_owner_app_id=payloads.APP_ID,
            new_owner_app_id="263902037430900",
            metadata="agent took over",
        ),
        payloads.handover(
            "pass_thread_control",
            previous_owner_app_id="263902037430900",
            new_owner_app_id=payloads.APP_ID,
            metadata="done",
        ),
    )
    _, recorder = await deliver(channel, asgi, messenger_settings, body)

    assert recorder.messages == []
    assert [s.kind for s in signals] == ["control_taken", "control_returned"]
    assert signals[0].agent_id == "263902037430900"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": "sha1=abc"},
    ],
    ids=["missing", "forged", "wrong-algorithm"],
)
async def test_unsigned_or_forged_deliveries_are_rejected(channel, asgi, headers):
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    raw = json.dumps(payloads.delivery(payloads.text("giả"))).encode()

    response = await client.post(URL, content=raw, headers=headers)
    await channel.tasks.drain()

    assert response.status_code == 403
    assert recorder.messages == []


async def test_sha1_signature_only_when_allowed(
    messenger_settings, common_settings, asgi, closing
):
    body = payloads.delivery(payloads.text("xin chào", mid="m_sha1"))
    strict = closing(MessengerInput(messenger_settings, common_settings))
    lenient = closing(
        MessengerInput(replace(messenger_settings, allow_sha1=True), common_settings)
    )

    refused, _ = await deliver(strict, asgi, messenger_settings, body, algorithm="sha1")
    accepted, recorder = await deliver(lenient, asgi, messenger_settings, body, algorithm="sha1")

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert len(recorder.messages) == 1


async def test_redelivered_batch_is_processed_once(channel, asgi, messenger_settings):
    recorder = Recorder()
    client = asgi(await sanic_app(channel, recorder))
    raw, headers = payloads.signed(
        payloads.delivery(payloads.text("một lần thôi", mid="m_dup")),
        messenger_settings.app_secret,
    )
    for _ in range(3):
        assert (await client.post(URL, content=raw, headers=headers)).status_code == 200
    await channel.tasks.drain()

    assert len(recorder.messages) == 1


async def test_replay_older_than_the_dedupe_window_is_dropped(channel, asgi, messenger_settings):
    old = payloads.now_ms() - 3 * 24 * 3600 * 1000
    body = payloads.delivery(payloads.text("cũ", mid="m_old", timestamp=old))
    _, recorder = await deliver(channel, asgi, messenger_settings, body)
    assert recorder.messages == []


async def test_bot_answer_is_rendered_as_a_button_template(
    channel, asgi, messenger_settings, fake_graph
):
    bot = Recorder(
        reply={
            "text": "Bạn muốn làm gì tiếp?",
            "buttons": [
                {"title": "Nộp hồ sơ", "payload": "/start_submission"},
                {"title": "Gọi tổng đài", "payload": "tel:19009068"},
            ],
        }
    )
    await deliver(channel, asgi, messenger_settings, payloads.delivery(payloads.text("hi")), bot)

    [sent] = fake_graph.sent
    assert sent["recipient"] == {"id": PSID}
    assert sent["messaging_type"] == "RESPONSE"
    assert sent["message"]["attachment"]["payload"] == {
        "template_type": "button",
        "text": "Bạn muốn làm gì tiếp?",
        "buttons": [
            {"type": "postback", "title": "Nộp hồ sơ", "payload": "/start_submission"},
            {"type": "phone_number", "title": "Gọi tổng đài", "payload": "19009068"},
        ],
    }


async def test_without_credentials_the_channel_is_disabled_with_one_log_line(
    asgi, caplog, monkeypatch
):
    for name in ("MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN", "MESSENGER_PAGE_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.INFO, logger="connectors"):
        channel = MessengerInput.from_credentials({})
        client = asgi(await sanic_app(channel, Recorder()))
        post = await client.post(URL, content=b"{}")
        get = await client.get(URL, params={"hub.mode": "subscribe"})

    assert (post.status_code, get.status_code) == (503, 503)
    assert channel.get_output_channel() is None
    [line] = [r for r in caplog.records if r.name.startswith("connectors")]
    assert "'messenger' is disabled" in line.getMessage()
