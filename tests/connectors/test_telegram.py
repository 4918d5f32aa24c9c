"""Telegram: secret token, updates to Rasa, callback queries, inline keyboards, Bot API errors."""

from __future__ import annotations

import itertools
import json
import logging
import time

import pytest

from connectors.common.errors import RateLimited, RecipientUnreachable
from connectors.telegram import (
    EXPIRED_BUTTON_TEXT,
    SECRET_HEADER,
    TelegramInput,
    TelegramOutput,
    main,
    register_webhook,
)
from tests.connectors.conftest import Recorder, sanic_app
from tests.connectors.fakes import telegram as fake_api

URL = "/webhooks/telegram/webhook"
CHAT_ID = 1111111
SENDER = f"telegram:{CHAT_ID}"
_update_ids = itertools.count(500000)


def user(chat_id: int = CHAT_ID) -> dict:
    return {"id": chat_id, "is_bot": False, "first_name": "An", "language_code": "vi"}


def message_update(chat_type: str = "private", **message: object) -> dict:
    chat = {"id": CHAT_ID, "first_name": "An", "type": chat_type}
    if chat_type != "private":
        chat = {"id": -100200300, "title": "Nhóm", "type": chat_type}
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": 1365,
            "from": user(),
            "chat": chat,
            "date": int(time.time()),
            **message,
        },
    }


def callback_update(data: str) -> dict:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": user(),
            "chat_instance": "-8234567",
            "data": data,
            "message": {
                "message_id": 1366,
                "from": {"id": fake_api.BOT_ID, "is_bot": True, "first_name": "Trợ lý BHXH"},
                "chat": {"id": CHAT_ID, "first_name": "An", "type": "private"},
                "date": int(time.time()) - 60,
                "text": "Bạn đã nghỉ việc chưa?",
            },
        },
    }


@pytest.fixture
def channel(telegram_settings, common_settings, closing):
    return closing(TelegramInput(telegram_settings, common_settings))


async def deliver(channel, asgi, settings, *updates, recorder=None, secret=None):
    recorder = recorder or Recorder()
    client = asgi(await sanic_app(channel, recorder))
    headers = {SECRET_HEADER: settings.secret_token if secret is None else secret}
    responses = [
        await client.post(URL, content=json.dumps(u).encode(), headers=headers) for u in updates
    ]
    await channel.tasks.drain()
    return responses, recorder


async def test_text_reaches_rasa_as_a_user_message(channel, asgi, telegram_settings):
    update = message_update(text="Thủ tục đổi thẻ BHYT thế nào?")
    [response], recorder = await deliver(channel, asgi, telegram_settings, update)

    assert response.status_code == 200
    [message] = recorder.messages
    assert message.text == "Thủ tục đổi thẻ BHYT thế nào?"
    assert message.sender_id == SENDER
    assert message.input_channel == "telegram"
    assert isinstance(message.output_channel, TelegramOutput)
    assert message.metadata == {
        "channel": "telegram",
        "user_id": str(CHAT_ID),
        "event": "message",
        "message_id": 1365,
    }


@pytest.mark.parametrize("secret", ["", "wrong-token", "s3cr3t-Token_valuE"])
async def test_missing_or_wrong_secret_token_is_rejected(channel, asgi, telegram_settings, secret):
    [response], recorder = await deliver(
        channel, asgi, telegram_settings, message_update(text="giả mạo"), secret=secret
    )
    assert response.status_code == 403
    assert recorder.messages == []


async def test_duplicate_update_is_processed_once(channel, asgi, telegram_settings):
    update = message_update(text="xin chào")
    responses, recorder = await deliver(channel, asgi, telegram_settings, update, update)

    assert [r.json()["status"] for r in responses] == ["ok", "duplicate"]
    assert len(recorder.messages) == 1


async def test_callback_query_is_answered_and_its_payload_reaches_rasa(
    channel, asgi, telegram_settings, fake_telegram
):
    update = callback_update('/inform{"answer": "co"}')
    _, recorder = await deliver(channel, asgi, telegram_settings, update)

    [answer] = fake_telegram.answered
    assert answer["callback_query_id"] == "4382bfdwdsb323b2d9"
    [message] = recorder.messages
    assert message.text == '/inform{"answer": "co"}'
    assert message.sender_id == SENDER
    assert message.metadata["event"] == "callback_query"


async def test_long_button_payloads_travel_as_short_keys(
    channel, asgi, telegram_settings, fake_telegram
):
    payload = '/inform{"procedure": "proc_huong_bhxh_mot_lan", "answer": "dinh_cu_nuoc_ngoai"}'
    output = channel.get_output_channel()
    await output.send_response(
        SENDER,
        {"text": "Lý do bạn muốn rút?", "buttons": [{"title": "Định cư", "payload": payload}]},
    )
    [sent] = fake_telegram.sent
    [[button]] = sent["reply_markup"]["inline_keyboard"]
    assert len(button["callback_data"].encode()) <= 64

    _, recorder = await deliver(
        channel, asgi, telegram_settings, callback_update(button["callback_data"])
    )

    assert recorder.messages[0].text == payload


async def test_unknown_button_key_is_answered_without_reaching_rasa(
    channel, asgi, telegram_settings, fake_telegram
):
    _, recorder = await deliver(channel, asgi, telegram_settings, callback_update("k:unknown"))

    assert recorder.messages == []
    assert fake_telegram.answered[0]["text"] == EXPIRED_BUTTON_TEXT


@pytest.mark.parametrize(
    ("text", "expected", "start_param"),
    [("/start", "/greet", None), ("/start HS7K2Q", "HS7K2Q", "HS7K2Q")],
)
async def test_start_command_greets_or_passes_the_handoff_code(
    channel, asgi, telegram_settings, text, expected, start_param
):
    _, recorder = await deliver(channel, asgi, telegram_settings, message_update(text=text))

    [message] = recorder.messages
    assert message.text == expected
    assert message.metadata.get("start_param") == start_param


async def test_photo_contact_and_location(channel, asgi, telegram_settings):
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "large", "file_unique_id": "l", "width": 1280, "height": 960},
    ]
    contact = {"phone_number": "+84912345678", "first_name": "An", "user_id": CHAT_ID}
    _, recorder = await deliver(
        channel,
        asgi,
        telegram_settings,
        message_update(photo=photo),
        message_update(contact=contact),
        message_update(location={"latitude": 10.7769, "longitude": 106.7009}),
    )

    image, phone, place = recorder.messages
    assert image.text == "/inform"
    assert image.metadata["attachments"] == [{"type": "image", "file_id": "large", "width": 1280}]
    assert phone.text == '/inform{"phone": "0912345678"}'
    assert place.metadata["location"] == {"latitude": 10.7769, "longitude": 106.7009}


@pytest.mark.parametrize("body", [b"null", b"[]", b"{}", b"not json"])
async def test_malformed_updates_are_bad_requests(channel, asgi, telegram_settings, body):
    client = asgi(await sanic_app(channel, Recorder()))
    headers = {SECRET_HEADER: telegram_settings.secret_token}
    response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 400


async def test_group_messages_are_ignored(channel, asgi, telegram_settings):
    [response], recorder = await deliver(
        channel, asgi, telegram_settings, message_update("supergroup", text="hi")
    )
    assert response.json() == {"status": "ignored"}
    assert recorder.messages == []


async def test_bot_answer_is_rendered_as_an_inline_keyboard(
    channel, asgi, telegram_settings, fake_telegram
):
    bot = Recorder(
        reply={
            "text": "Bạn muốn làm gì?",
            "buttons": [
                {"title": "Nộp hồ sơ", "payload": "/start_submission"},
                {"title": "Cổng dịch vụ công", "url": "https://dichvucong.gov.vn"},
            ],
        }
    )
    await deliver(channel, asgi, telegram_settings, message_update(text="hi"), recorder=bot)

    [sent] = fake_telegram.sent
    assert sent["chat_id"] == CHAT_ID
    assert sent["text"] == "Bạn muốn làm gì?"
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Nộp hồ sơ", "callback_data": "/start_submission"}],
            [{"text": "Cổng dịch vụ công", "url": "https://dichvucong.gov.vn"}],
        ]
    }


async def test_long_message_is_split_at_4096_utf16_units(channel, fake_telegram):
    text = "Hồ sơ gồm tờ khai và bản sao giấy tờ 📄. " * 150  # emoji count twice in UTF-16

    await channel.get_output_channel().send_text_message(SENDER, text)

    pieces = [sent["text"] for sent in fake_telegram.sent]
    assert len(pieces) == 2
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in pieces)


async def test_element_without_buttons_is_plain_text(channel, fake_telegram):
    elements = [{"title": "Mẫu 14-HSB", "subtitle": "Tờ khai đề nghị hưởng BHXH một lần"}]

    await channel.get_output_channel().send_elements(SENDER, elements)

    [sent] = fake_telegram.sent
    assert sent["text"] == "Mẫu 14-HSB\nTờ khai đề nghị hưởng BHXH một lần"
    assert "reply_markup" not in sent


async def test_output_channel_works_inside_the_running_loop(channel, fake_telegram):
    """Rasa's own Telegram channel calls asyncio.run() here and fails (RasaHQ/rasa#13040)."""
    output = channel.get_output_channel()
    await output.send_response(SENDER, {"text": "Hồ sơ HS-001 đã được duyệt."})
    assert fake_telegram.sent[0]["text"] == "Hồ sơ HS-001 đã được duyệt."


async def test_blocked_bot_is_a_typed_error(channel, fake_telegram):
    fake_telegram.blocked.add(CHAT_ID)
    with pytest.raises(RecipientUnreachable):
        await channel.get_output_channel().send_text_message(SENDER, "Xin chào")


async def test_short_rate_limit_is_retried_once(channel, fake_telegram):
    fake_telegram.script("/sendMessage", fake_api.retry_after(1))

    await channel.get_output_channel().send_text_message(SENDER, "Xin chào")

    assert len(fake_telegram.calls("/sendMessage")) == 2
    assert len(fake_telegram.sent) == 1


async def test_long_rate_limit_is_a_typed_error(channel, fake_telegram):
    fake_telegram.script("/sendMessage", fake_api.retry_after(30))

    with pytest.raises(RateLimited) as caught:
        await channel.get_output_channel().send_text_message(SENDER, "Xin chào")

    assert caught.value.retry_after == 30
    assert fake_telegram.sent == []


async def test_register_webhook_sends_the_secret_token(telegram_settings, fake_telegram):
    assert await register_webhook(telegram_settings)
    assert fake_telegram.webhook == {
        "url": telegram_settings.webhook_url,
        "secret_token": telegram_settings.secret_token,
        "allowed_updates": ["message", "callback_query"],
        "drop_pending_updates": False,
    }


def test_set_webhook_command(monkeypatch, telegram_settings, fake_telegram, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_settings.bot_token)
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", telegram_settings.secret_token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", telegram_settings.webhook_url)
    monkeypatch.setenv("TELEGRAM_API_URL", telegram_settings.api_base_url)

    assert main(["set-webhook"]) == 0
    assert main(["something-else"]) == 2
    assert "webhook set" in capsys.readouterr().out


async def test_without_credentials_the_channel_is_disabled_with_one_log_line(
    asgi, caplog, monkeypatch
):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("TELEGRAM_SECRET_TOKEN", raising=False)
    with caplog.at_level(logging.INFO, logger="connectors"):
        channel = TelegramInput.from_credentials(None)
        client = asgi(await sanic_app(channel, Recorder()))
        response = await client.post(URL, content=b"{}")

    assert response.status_code == 503
    assert channel.get_output_channel() is None
    [line] = [r for r in caplog.records if r.name.startswith("connectors")]
    assert "TELEGRAM_BOT_TOKEN (missing)" in line.getMessage()


def test_a_short_secret_token_disables_the_channel(monkeypatch, caplog, telegram_settings):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram_settings.bot_token)
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", "s3cr3t-Token_value")  # 18 characters
    with caplog.at_level(logging.INFO, logger="connectors"):
        channel = TelegramInput.from_credentials(None)
    assert channel.get_output_channel() is None
    assert "TELEGRAM_SECRET_TOKEN" in caplog.text and "32-256 characters" in caplog.text
