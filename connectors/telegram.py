"""Telegram as a Rasa channel (``connectors.telegram.TelegramInput``), with python-telegram-bot 22.

PTB's ``Bot`` is used in webhook mode inside Rasa's Sanic server (no PTB ``Application`` and no
second HTTP server). Rasa's built-in Telegram channel is not used: it runs on aiogram 2, does not
check Telegram's secret token, never answers callback queries, and its ``get_output_channel``
calls ``asyncio.run`` inside the running loop.

* ``POST /webhooks/telegram/webhook``: ``X-Telegram-Bot-Api-Secret-Token`` compared in constant
  time; duplicate ``update_id`` dropped; 200 at once; processing in the background;
* private-chat messages → Rasa (``/start <code>`` gives the code; photos, documents, locations and
  contacts their intent payload with details in the metadata); callback queries are answered at
  once (no endless spinner) and their payload goes to Rasa;
* buttons → inline keyboards; payloads over 64 bytes travel as short keys
  (:mod:`connectors.common.payload_keys`); text is split at 4096 UTF-16 units.

Register the webhook once per deployment: ``bin/env bot python -m connectors.telegram
set-webhook`` (reads ``TELEGRAM_*`` from the environment).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping
from functools import cached_property, partial
from typing import Any

from rasa.core.channels.channel import UserMessage
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from connectors.common.config import ChannelDisabled, TelegramSettings, load_telegram_settings
from connectors.common.conversation import event_text, national_phone, platform_id
from connectors.common.errors import (
    ChannelAuthError,
    ChannelError,
    ChannelUnavailable,
    MessageRejected,
    RateLimited,
    RecipientUnreachable,
)
from connectors.common.masking import install_log_redaction
from connectors.common.output import PlatformOutput
from connectors.common.payload_keys import PayloadKeys
from connectors.common.splitting import utf16_length
from connectors.common.webhook import Delivery, OnNewMessage, WebhookInput, bad_request, forbidden

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
MAX_RETRY_AFTER_SECONDS = 5.0
ALLOWED_UPDATES = ("message", "callback_query")
EXPIRED_BUTTON_TEXT = "Nút này đã hết hạn. Bạn vui lòng gõ lại yêu cầu."


def build_bot(settings: TelegramSettings) -> Bot:
    """A PTB ``Bot`` for the settings (no network call; ``initialize`` is optional).

    Args:
        settings: token, Bot API URL and timeout.

    Returns:
        The bot.
    """
    install_log_redaction()
    timeout = settings.timeout_seconds
    request = HTTPXRequest(
        connection_pool_size=16, read_timeout=timeout, write_timeout=timeout, connect_timeout=5
    )
    return Bot(settings.bot_token, base_url=f"{settings.api_base_url}/bot", request=request)


class TelegramOutput(PlatformOutput):
    """Sends bot responses to a Telegram chat.

    Text is split at 4096 UTF-16 units; buttons and quick replies become one inline keyboard,
    one button per row.
    """

    text_limit = TEXT_LIMIT
    caption_limit = TEXT_LIMIT
    measure = staticmethod(utf16_length)

    @classmethod
    def name(cls) -> str:
        """The channel name (also the prefix of its conversation ids)."""
        return CHANNEL

    def __init__(self, bot: Bot, keys: PayloadKeys) -> None:
        """Creates the output channel.

        Args:
            bot: the PTB bot.
            keys: short keys for long button payloads.
        """
        self._bot = bot
        self._keys = keys

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends a photo by URL."""
        chat = _chat(recipient_id)
        await _call_with_retry(partial(self._bot.send_photo, chat, photo=image))

    async def send_plain_text(self, recipient_id: str, text: str) -> None:
        """Sends one text message."""
        await _call_with_retry(partial(self._bot.send_message, _chat(recipient_id), text))

    async def send_button_message(
        self, recipient_id: str, caption: str, buttons: list[Any]
    ) -> None:
        """Sends text with an inline keyboard, one button per row."""
        keyboard = InlineKeyboardMarkup([[button] for button in buttons])
        chat = _chat(recipient_id)
        await _call_with_retry(
            partial(self._bot.send_message, chat, caption, reply_markup=keyboard)
        )

    async def platform_button(self, button: Mapping[str, Any]) -> InlineKeyboardButton:
        """A URL button, or a callback button whose data is the payload or its short key."""
        title = str(button.get("title") or button.get("payload") or "")
        url = button.get("url")
        if url or button.get("type") == "web_url":
            return InlineKeyboardButton(title, url=str(url or button.get("payload")))
        payload = str(button.get("payload") or title)
        return InlineKeyboardButton(title, callback_data=await self._keys.key_for(payload))

    async def send_raw(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Sends ``message`` as ``sendMessage`` parameters."""
        api_kwargs = {**message, "chat_id": _chat(recipient_id)}
        await _call_with_retry(partial(self._bot.do_api_request, "sendMessage", api_kwargs))


async def _call_with_retry(factory: Callable[[], Awaitable[Any]]) -> Any:
    """Runs one Bot API call; retries once after a ``RetryAfter`` of at most 5 seconds.

    Args:
        factory: makes the call (called again for the retry).

    Returns:
        The call's result.

    Raises:
        ChannelError: the typed error for Telegram's answer.
    """
    for attempt in (1, 2):
        try:
            return await factory()
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            if attempt == 2 or wait > MAX_RETRY_AFTER_SECONDS:
                raise RateLimited(CHANNEL, str(exc), code=429, retry_after=wait) from exc
            logger.info("telegram: rate limited, retrying in %.1f s", wait)
            await asyncio.sleep(wait)
        except TelegramError as exc:
            raise _typed(exc) from exc
    raise AssertionError("unreachable")


def _typed(exc: TelegramError) -> ChannelError:
    message = str(exc)
    if isinstance(exc, Forbidden):
        return RecipientUnreachable(CHANNEL, message, code=403)
    if isinstance(exc, InvalidToken):
        return ChannelAuthError(CHANNEL, message, code=401)
    if isinstance(exc, BadRequest):
        if "chat not found" in message.lower():
            return RecipientUnreachable(CHANNEL, message, code=400)
        return MessageRejected(CHANNEL, message, code=400)
    return ChannelUnavailable(CHANNEL, message)


def _seconds(value: Any) -> float:
    total_seconds = getattr(value, "total_seconds", None)
    return float(total_seconds()) if callable(total_seconds) else float(value)


def _chat(recipient_id: str) -> int | str:
    chat = platform_id(CHANNEL, recipient_id)
    return int(chat) if chat.lstrip("-").isdigit() else chat


class TelegramInput(WebhookInput[TelegramSettings, Update, Bot]):
    """Receives Telegram updates on a webhook and answers through the Bot API."""

    settings_class = TelegramSettings

    @classmethod
    def name(cls) -> str:
        """Channel name: URL ``/webhooks/telegram/``, conversation ids ``telegram:<chat id>``."""
        return CHANNEL

    def connect(self, settings: TelegramSettings) -> Bot:
        """The PTB bot."""
        return build_bot(settings)

    async def close_client(self, client: Bot) -> None:
        """Closes the bot's connections."""
        # Bot.shutdown() skips a bot that was never initialize()d (no getMe call here).
        await client.request.shutdown()

    @cached_property
    def keys(self) -> PayloadKeys:
        """Short keys of long button payloads, in the connector database."""
        return PayloadKeys(self.database, max_bytes=CALLBACK_DATA_LIMIT, clock=self._clock)

    def get_output_channel(self) -> TelegramOutput | None:
        """An output channel usable from inside the running loop (no ``asyncio.run``)."""
        return TelegramOutput(self.client, self.keys) if self.client is not None else None

    def read(
        self, raw_body: bytes, headers: Mapping[str, str], settings: TelegramSettings
    ) -> list[Delivery[Update]]:
        """Checks the secret token and reads the update of a private chat."""
        secret = (headers.get(SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(secret, settings.secret_token.encode()):
            logger.warning("telegram: webhook rejected (missing or wrong secret token)")
            raise forbidden()
        try:
            data = json.loads(raw_body)
            update = Update.de_json(data, self.client) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError):
            update = None
        if update is None:
            raise bad_request()
        chat_id = _chat_of(update)
        if chat_id is None:
            return []
        sent_at = update.message.date.timestamp() if update.message is not None else None
        bot_id = settings.bot_token.split(":", 1)[0]
        key = f"{bot_id}:{update.update_id}"
        return [Delivery(update, str(chat_id), key, sent_at, "update")]

    async def process(self, update: Update, on_new_message: OnNewMessage) -> None:
        """Handles one verified, first-time update (runs in the background)."""
        if update.callback_query is not None:
            await self.to_rasa(await self._from_callback(update), on_new_message, "callback")
        elif update.message is not None:
            await self.to_rasa(self.user_message(update.message), on_new_message, "message")

    def user_message(self, message: Message) -> UserMessage:
        """Builds the Rasa message of a private-chat message (text, media, location, contact)."""
        chat_id = str(message.chat.id)
        extra: dict[str, Any] = {"message_id": message.message_id}
        text = message.text or ""
        event = "message"
        command, _, rest = text.partition(" ")
        if command.split("@", 1)[0] == "/start":  # also "/start@bhxh_bot"
            code = rest.strip()
            event, text = "start", code or event_text("start")
            extra["start_param"] = code or None
        elif message.contact is not None:
            event = "contact"
            phone = national_phone(message.contact.phone_number)
            text = event_text("contact", {"phone": phone})
        elif message.location is not None:
            event = "location"
            location = message.location
            extra["location"] = {"latitude": location.latitude, "longitude": location.longitude}
            text = event_text("location")
        elif message.effective_attachment is not None:
            event = "attachment"
            extra["attachments"] = _attachments(message)
            fallback = "sticker" if message.sticker is not None else "attachment"
            text = message.caption or event_text(fallback)
        message_id = f"{chat_id}:{message.message_id}"
        return self.rasa_message(chat_id, text, event=event, message_id=message_id, metadata=extra)

    async def _from_callback(self, update: Update) -> UserMessage | None:
        query = update.callback_query
        assert query is not None and self.client is not None
        payload = await self.keys.resolve(query.data or "")
        try:
            await query.answer(text=None if payload else EXPIRED_BUTTON_TEXT)
        except TelegramError as exc:
            logger.warning("telegram: answering a callback query failed: %s", type(exc).__name__)
        if not payload:
            return None
        button_message = query.message
        return self.rasa_message(
            str(_chat_of(update)),
            payload,
            event="callback_query",
            message_id=f"callback:{query.id}",
            metadata={"button_message_id": button_message.message_id if button_message else None},
        )


def _chat_of(update: Update) -> int | None:
    """The private chat an update belongs to; ``None`` for groups, channels and edits."""
    if update.callback_query is not None:
        message = update.callback_query.message
        if message is not None:
            return message.chat.id if message.chat.type == "private" else None
        return update.callback_query.from_user.id
    if update.message is not None and update.message.chat.type == "private":
        return update.message.chat.id
    return None


def _attachments(message: Message) -> list[dict[str, Any]]:
    if message.photo:
        largest = message.photo[-1]
        return [{"type": "image", "file_id": largest.file_id, "width": largest.width}]
    if message.document is not None:
        document = message.document
        return [
            {
                "type": "file",
                "file_id": document.file_id,
                "name": document.file_name,
                "mime_type": document.mime_type,
            }
        ]
    attachment = message.effective_attachment
    kind = type(attachment).__name__.lower()
    file_id = getattr(attachment, "file_id", None)
    return [{"type": kind, "file_id": file_id}]


async def register_webhook(settings: TelegramSettings, bot: Bot | None = None) -> bool:
    """Tells Telegram where to send updates and which secret to send with them.

    Args:
        settings: needs ``webhook_url`` (public HTTPS URL of ``/webhooks/telegram/webhook``).
        bot: the bot to use (built from the settings otherwise).

    Returns:
        Telegram's answer (``True`` when set).

    Raises:
        ValueError: when ``TELEGRAM_WEBHOOK_URL`` is not set.
    """
    if not settings.webhook_url:
        raise ValueError(
            "set TELEGRAM_WEBHOOK_URL to the public URL of /webhooks/telegram/webhook"
        )
    bot = bot or build_bot(settings)
    async with bot:
        done = await bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.secret_token,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=False,
        )
    return bool(done)


def main(argv: list[str] | None = None) -> int:
    """``python -m connectors.telegram set-webhook``: registers the webhook.

    Args:
        argv: command-line arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    if args != ["set-webhook"]:
        print("usage: python -m connectors.telegram set-webhook", file=sys.stderr)
        return 2
    settings = load_telegram_settings(None)
    if isinstance(settings, ChannelDisabled):
        print(settings.log_line(), file=sys.stderr)
        return 1
    try:
        done = asyncio.run(register_webhook(settings))
    except (ValueError, TelegramError) as exc:
        print(f"telegram: {exc}", file=sys.stderr)
        return 1
    print("telegram: webhook set" if done else "telegram: webhook NOT set")
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
