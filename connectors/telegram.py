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
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from connectors.common.config import (
    ChannelDisabled,
    CommonSettings,
    TelegramSettings,
    load_common_settings,
    load_telegram_settings,
)
from connectors.common.conversation import (
    conversation_id,
    event_text,
    message_metadata,
    national_phone,
    platform_id,
)
from connectors.common.database import connector_database
from connectors.common.dedupe import DedupeStore
from connectors.common.errors import (
    ChannelAuthError,
    ChannelError,
    ChannelUnavailable,
    MessageRejected,
    RateLimited,
    RecipientUnreachable,
)
from connectors.common.masking import install_log_redaction, mask_id, mask_text
from connectors.common.pause import PauseGate
from connectors.common.payload_keys import PayloadKeys
from connectors.common.splitting import split_message, utf16_length
from connectors.common.tasks import BackgroundTasks

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
MAX_RETRY_AFTER_SECONDS = 5.0
ALLOWED_UPDATES = ("message", "callback_query")
EXPIRED_BUTTON_TEXT = "Nút này đã hết hạn. Bạn vui lòng gõ lại yêu cầu."

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


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


class TelegramOutput(OutputChannel):
    """Sends bot responses to a Telegram chat."""

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

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends text, split at 4096 UTF-16 units."""
        chat = _chat(recipient_id)
        for piece in split_message(text, TEXT_LIMIT, utf16_length):
            await _call_with_retry(partial(self._bot.send_message, chat, piece))

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Sends text with an inline keyboard, one button per row."""
        keyboard = InlineKeyboardMarkup([[await self._button(b)] for b in buttons])
        pieces = split_message(text, TEXT_LIMIT, utf16_length) or ["…"]
        chat = _chat(recipient_id)
        for piece in pieces[:-1]:
            await _call_with_retry(partial(self._bot.send_message, chat, piece))
        last = partial(self._bot.send_message, chat, pieces[-1], reply_markup=keyboard)
        await _call_with_retry(last)

    async def send_quick_replies(
        self,
        recipient_id: str,
        text: str,
        quick_replies: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Sends quick replies as an inline keyboard."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends a photo by URL."""
        chat = _chat(recipient_id)
        await _call_with_retry(partial(self._bot.send_photo, chat, photo=image))

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Sends an attachment link as text."""
        await self.send_text_message(recipient_id, str(attachment))

    async def send_elements(
        self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends each element as its title and subtitle with its buttons."""
        for element in elements:
            text = "\n".join(p for p in (element.get("title"), element.get("subtitle")) if p)
            await self.send_text_with_buttons(recipient_id, text, element.get("buttons") or [])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Sends ``json_message["telegram"]`` as ``sendMessage`` parameters; ignores others."""
        params = json_message.get("telegram") if isinstance(json_message, dict) else None
        if not isinstance(params, dict):
            logger.warning("telegram: custom payload without a 'telegram' key was not sent")
            return
        api_kwargs = {**params, "chat_id": _chat(recipient_id)}
        await _call_with_retry(partial(self._bot.do_api_request, "sendMessage", api_kwargs))

    async def _button(self, button: dict[str, Any]) -> InlineKeyboardButton:
        title = str(button.get("title") or button.get("payload") or "")
        url = button.get("url")
        if url or button.get("type") == "web_url":
            return InlineKeyboardButton(title, url=str(url or button.get("payload")))
        payload = str(button.get("payload") or title)
        return InlineKeyboardButton(title, callback_data=await self._keys.key_for(payload))


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


class TelegramInput(InputChannel):
    """Receives Telegram updates on a webhook and answers through the Bot API."""

    @classmethod
    def name(cls) -> str:
        """Channel name: URL ``/webhooks/telegram/``, conversation ids ``telegram:<chat id>``."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        """Builds the channel from its credentials.yml block and the environment.

        Args:
            credentials: the block (may be empty); see connectors/README.md for the keys.

        Returns:
            The channel; disabled (with one warning) when settings are missing.
        """
        common = load_common_settings()
        settings = load_telegram_settings(credentials)
        if isinstance(settings, ChannelDisabled):
            logger.warning(settings.log_line())
            return cls(None, common)
        return cls(settings, common)

    def __init__(
        self,
        settings: TelegramSettings | None,
        common: CommonSettings | None = None,
        *,
        bot: Bot | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Creates the channel.

        Args:
            settings: Telegram settings; ``None`` = disabled.
            common: database URL, dedupe TTL.
            bot: a PTB bot (built from the settings otherwise).
            clock: current epoch seconds.
        """
        self.settings = settings
        self.common = common or CommonSettings()
        self.tasks = BackgroundTasks(CHANNEL)
        self.gate = PauseGate(CHANNEL, native_pause_seconds=self.common.native_pause_minutes * 60)
        database = connector_database(self.common.database_url)
        self.dedupe = DedupeStore(database, self.common.dedupe_ttl_seconds, clock)
        self.keys = PayloadKeys(database, max_bytes=CALLBACK_DATA_LIMIT, clock=clock)
        self.bot = bot or (build_bot(settings) if settings is not None else None)

    @property
    def enabled(self) -> bool:
        """Whether the channel has its credentials."""
        return self.settings is not None and self.bot is not None

    def get_output_channel(self) -> TelegramOutput | None:
        """An output channel usable from inside the running loop (no ``asyncio.run``)."""
        return TelegramOutput(self.bot, self.keys) if self.bot is not None else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The Sanic routes: ``GET /`` (health) and ``POST /webhook``."""
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        telegram_webhook.middleware("request")(self.gate.bind)
        on_new_message = self.gate.handler(on_new_message)

        async def health(_: Request) -> HTTPResponse:
            status = "ok" if self.enabled else "disabled"
            return response.json({"status": status}, status=200 if self.enabled else 503)

        async def receive(request: Request) -> HTTPResponse:
            secret = request.headers.get(SECRET_HEADER)
            return await self.receive(request.body, secret, on_new_message)

        async def close(*_: Any) -> None:
            await self.aclose()

        telegram_webhook.add_route(health, "/", methods=["GET"])
        telegram_webhook.add_route(receive, "/webhook", methods=["POST"])
        telegram_webhook.listener("before_server_stop")(close)
        return telegram_webhook

    async def aclose(self) -> None:
        """Finishes background work and closes the bot's connections."""
        await self.tasks.drain(timeout=10)
        if self.bot is not None:
            # Bot.shutdown() skips a bot that was never initialize()d (no getMe call here).
            await self.bot.request.shutdown()

    async def receive(
        self, raw_body: bytes, secret: str | None, on_new_message: OnNewMessage
    ) -> HTTPResponse:
        """Checks one update, acknowledges it, and schedules its processing.

        Returns:
            200 (accepted, duplicate or ignored), 400 (malformed), 403 (secret), 503 (disabled).
        """
        if self.settings is None or self.bot is None:
            return response.json({"status": "disabled"}, status=503)
        expected = self.settings.secret_token.encode()
        if not hmac.compare_digest((secret or "").encode(), expected):
            logger.warning("telegram: webhook rejected (missing or wrong secret token)")
            return response.json({"status": "forbidden"}, status=403)
        try:
            data = json.loads(raw_body)
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError):
            update = None
        if update is None:
            return response.json({"status": "bad request"}, status=400)
        chat_id = _chat_of(update)
        if chat_id is None:
            return response.json({"status": "ignored"})
        if not await self._first_delivery(update):
            logger.info("telegram: duplicate update ignored")
            return response.json({"status": "duplicate"})
        self.tasks.schedule(self.process(update, on_new_message), key=str(chat_id), label="update")
        return response.json({"status": "ok"})

    async def process(self, update: Update, on_new_message: OnNewMessage) -> None:
        """Handles one verified, first-time update (runs in the background)."""
        message: UserMessage | None
        if update.callback_query is not None:
            message = await self._from_callback(update)
        elif update.message is not None:
            message = self.user_message(update.message)
        else:
            return
        if message is not None and message.text:
            logger.debug(
                "telegram: update from %s: %s", mask_id(message.sender_id), mask_text(message.text)
            )
            await on_new_message(message)

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
        assert self.bot is not None
        return UserMessage(
            text=text,
            output_channel=TelegramOutput(self.bot, self.keys),
            sender_id=conversation_id(CHANNEL, chat_id),
            input_channel=CHANNEL,
            message_id=f"{chat_id}:{message.message_id}",
            metadata=message_metadata(CHANNEL, chat_id, event, **extra),
        )

    async def _from_callback(self, update: Update) -> UserMessage | None:
        query = update.callback_query
        assert query is not None and self.bot is not None
        payload = await self.keys.resolve(query.data or "")
        try:
            await query.answer(text=None if payload else EXPIRED_BUTTON_TEXT)
        except TelegramError as exc:
            logger.warning("telegram: answering a callback query failed: %s", type(exc).__name__)
        if not payload:
            return None
        chat_id = str(_chat_of(update))
        button_message = query.message
        return UserMessage(
            text=payload,
            output_channel=TelegramOutput(self.bot, self.keys),
            sender_id=conversation_id(CHANNEL, chat_id),
            input_channel=CHANNEL,
            message_id=f"callback:{query.id}",
            metadata=message_metadata(
                CHANNEL,
                chat_id,
                "callback_query",
                button_message_id=button_message.message_id if button_message else None,
            ),
        )

    async def _first_delivery(self, update: Update) -> bool:
        message = update.message
        if message is not None and self.dedupe.outlived(message.date.timestamp()):
            return False
        assert self.settings is not None
        bot_id = self.settings.bot_token.split(":", 1)[0]
        try:
            return await self.dedupe.first_delivery(CHANNEL, f"{bot_id}:{update.update_id}")
        except Exception:
            logger.exception("telegram: dedupe store failed; processing the update anyway")
            return True


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
