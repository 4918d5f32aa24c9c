"""The web chat channel: a small page at ``/webhooks/webchat/`` that talks to Rasa.

Routes (under Rasa's ``/webhooks/webchat`` prefix):

* ``GET /`` — the chat page (Vietnamese, mobile-friendly, buttons rendered as buttons).
* ``POST /message`` — ``{"sender", "message", "display"}``: the page sends what the user typed or
  the payload of the button they pressed (``display`` is what the page shows as the user's bubble,
  ``null`` for a message sent silently, such as the first ``/greet``). The bot's replies are
  stored, not returned.
* ``GET /events?sender=…&after=…`` — a server-sent event stream (``text/event-stream``) of the
  sender's messages after a message id, each as soon as it is stored (one ``data:`` line of the
  message's JSON, its id as the event id, so a reconnecting browser goes on from
  ``Last-Event-ID``). The stream ends after :data:`STREAM_SECONDS`; the browser reconnects.
* ``GET /messages?sender=…&after=…`` — the sender's stored messages after a message id (the
  page's fallback when the stream cannot be used).
* ``POST /forget`` — ``{"sender"}``: deletes the conversation's messages ("Kết thúc và xóa trên
  máy này" on a shared phone); the page then forgets its id.
* ``POST /upload`` — multipart ``sender`` + ``file``: a photo or PDF of a document. The file is
  kept (:mod:`connectors.webchat.uploads`) and Rasa receives ``/inform`` with the metadata
  ``attachments: [{"type", "url", "name", "mime_type"}]``, like the other channels' photos.
* ``GET /files/<token>`` — an uploaded file (the action server fetches it for the dossier).

Every bot message for a web chat user, including those sent later without a user message
(``get_output_channel``), goes through :class:`WebchatOutput` into the SQLite store, which wakes
the page's stream at once; a staff member's message carries ``staff_name``, and ``handoff``
(``staff`` / ``bot``) says when a person joins or leaves, so the page shows who is talking.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bhxh_catalog.privacy import RetentionPeriods
from connectors.common import scam_guard
from connectors.common.erasure import ConversationEraser, uploaded_tokens
from connectors.common.pause import PauseGate
from connectors.webchat.store import UPLOADED_PREFIX, MessageStore
from connectors.webchat.uploads import UploadRefused, UploadStore

__all__ = ["WebchatInput", "WebchatOutput", "upload_origin", "webchat_db_path"]

logger = logging.getLogger(__name__)

CHANNEL_NAME = "webchat"
DB_PATH_ENV = "WEBCHAT_DB_PATH"
UPLOAD_ORIGIN_ENV = "WEBCHAT_UPLOAD_ORIGIN"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = REPO_ROOT / "var" / "webchat.db"
PAGE_FILE = Path(__file__).with_name("page.html")

MAX_MESSAGE_LENGTH = 2000
STREAM_SECONDS = 300.0
"""How long one event stream stays open (the browser then reconnects from its last id)."""
STREAM_CHECK_SECONDS = 2.0
"""How often a stream looks at the table for messages stored by another server process."""
STREAM_PING_SECONDS = 15.0
STREAM_RETRY_MS = 1000
MAX_DISPLAY_LENGTH = 300
# The page makes ``web-`` + 32 random hex digits; an id of fewer than 16 characters is refused
# (the id is the only key to a conversation's messages). Web chat ids contain no ``:``, so they
# never meet a namespaced id of another channel (``rest:``, ``zalo:`` …).
_SENDER = re.compile(r"[A-Za-z0-9_-]{16,64}")

PAGE_HEADERS = {
    # issue 17: the page may not be framed by another site (clickjacking), loads nothing from
    # elsewhere, and leaks no address in the Referer
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

MAX_UPLOADS_PER_HOUR = 20
TOO_MANY_UPLOADS = (
    "Ông/bà đã gửi nhiều tệp trong một giờ. Ông/bà vui lòng gửi tiếp sau ít phút, hoặc mang "
    "giấy tờ tới cơ quan BHXH."
)

BUSY_TEXT = (
    "Xin lỗi, hệ thống đang bận. Ông/bà vui lòng thử lại sau ít phút "
    "hoặc gọi Tổng đài BHXH Việt Nam 1900 9068."
)


def upload_origin(environ: Mapping[str, str] | None = None) -> str:
    """Where the action server fetches the web chat's uploads: ``$WEBCHAT_UPLOAD_ORIGIN``.

    Default ``http://127.0.0.1:$RASA_PORT`` (5005). The action server allows exactly this origin
    (``bot/actions/attachments.py`` reads the same variable); never the Host of a request.
    """
    env = os.environ if environ is None else environ
    configured = env.get(UPLOAD_ORIGIN_ENV, "").strip().rstrip("/")
    return configured or f"http://127.0.0.1:{env.get('RASA_PORT', '').strip() or '5005'}"


def webchat_db_path(credentials: Mapping[str, Any] | None) -> Path:
    """Returns the web chat database: credentials ``db_path``, ``$WEBCHAT_DB_PATH`` or default.

    A relative path is read from the repository root.
    """
    configured = str((credentials or {}).get("db_path") or os.environ.get(DB_PATH_ENV) or "")
    path = Path(configured.strip()) if configured.strip() else DEFAULT_DB_PATH
    return path if path.is_absolute() else REPO_ROOT / path


class WebchatOutput(OutputChannel):  # type: ignore[misc]  # Rasa is untyped
    """Stores every bot message for the page to fetch.

    Args:
        store: the web chat message store.
    """

    def __init__(self, store: MessageStore) -> None:
        self.store = store

    @classmethod
    def name(cls) -> str:
        """The channel name, as stored in the tracker."""
        return CHANNEL_NAME

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Stores one bot message whole (text with its buttons, image, custom payload).

        ``staff_name`` (a staff member wrote it) and ``handoff`` (a person joined or left) are
        kept for the page; other channels ignore them.
        """
        body = {key: value for key, value in message.items() if value}
        buttons = body.get("buttons") or body.pop("quick_replies", None)
        if buttons:
            body["buttons"] = [
                {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
                for button in buttons
            ]
        shown = ("text", "buttons", "image", "attachment", "custom", "handoff")
        if any(body.get(key) for key in shown):
            await self.store.add(recipient_id, "bot", body)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Stores a plain text message."""
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Stores a text with buttons."""
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Stores an image link."""
        await self.send_response(recipient_id, {"image": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Stores a custom payload (the page ignores what it cannot show)."""
        await self.send_response(recipient_id, {"custom": json_message})


class WebchatInput(InputChannel):  # type: ignore[misc]  # Rasa is untyped
    """Rasa input channel ``connectors.webchat.WebchatInput`` serving the chat page.

    Args:
        store: where the page's messages are kept.
    """

    def __init__(
        self,
        store: MessageStore,
        uploads: UploadStore | None = None,
        stream_seconds: float = STREAM_SECONDS,
    ) -> None:
        self.store = store
        self.uploads = uploads or UploadStore(store.path.parent / "webchat_uploads")
        self.gate = PauseGate(CHANNEL_NAME)
        self.stream_seconds = stream_seconds
        self.eraser = ConversationEraser()

    @classmethod
    def name(cls) -> str:
        """URL prefix and channel name: ``/webhooks/webchat/``."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebchatInput:
        """Builds the channel from its ``credentials.yml`` block (``db_path`` is optional).

        The database folder (``var/`` by default) is created here, before Rasa opens its SQLite
        tracker store in the same folder.
        """
        store = MessageStore(webchat_db_path(credentials))
        store.ensure_folder()
        return cls(store)

    def get_output_channel(self) -> OutputChannel:
        """The output channel used for messages sent without a user message (notifications)."""
        return WebchatOutput(self.store)

    # -------------------------------------------------- personal data (issue 17)
    async def purge_before(self, periods: RetentionPeriods, now: float) -> int:
        """Retention (``connectors.retention``): old conversations' messages, old uploads."""
        deleted = 0
        if periods.conversation_days:
            cutoff = datetime.fromtimestamp(now - periods.conversation_days * 86_400, timezone.utc)
            deleted += await asyncio.to_thread(self.store.purge_sync, cutoff)
        if periods.upload_days:
            before = now - periods.upload_days * 86_400
            deleted += await asyncio.to_thread(self.uploads.purge_sync, before)
        return deleted

    async def conversation_mark(self, sender_id: str) -> int:
        """The id of the conversation's latest stored message (0 when none)."""
        return await self.store.last_id(sender_id)

    async def erase_conversation(
        self, sender_id: str, up_to: int | None, events: Sequence[Mapping[str, Any]]
    ) -> None:
        """Forgets the stored messages up to ``up_to`` and every file the conversation sent."""
        await self.store.forget(sender_id, up_to)
        await self.uploads.forget(uploaded_tokens(events))

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """The page and its two JSON routes."""
        module = inspect.getmodule(self)
        webchat = Blueprint("webchat_webhook", module.__name__ if module else None)
        webchat.middleware("request")(self.gate.bind)
        webchat.middleware("request")(self.eraser.bind)
        on_new_message = self.eraser.handler(
            scam_guard.handler(self.gate.handler(on_new_message))
        )
        page = PAGE_FILE.read_text(encoding="utf-8")

        async def chat_page(request: Request) -> HTTPResponse:
            return response.html(page, headers={"Cache-Control": "no-cache", **PAGE_HEADERS})

        async def receive(request: Request) -> HTTPResponse:
            parsed = _parse_message(request.json)
            if isinstance(parsed, str):
                return response.json({"ok": False, "error": parsed}, status=400)
            sender_id, text, display = parsed
            shown: dict[str, Any] = {"hidden": True} if display is None else {}
            if display is not None:  # an OTP typed is not kept, not even in the bubble
                await self.store.add(sender_id, "user", {"text": scam_guard.scrub(display)[0]})
                if text.startswith("/"):
                    shown["title"] = display  # staff read the button's words, not its payload
            return await self._to_rasa(on_new_message, sender_id, text, "a message", **shown)

        async def messages(request: Request) -> HTTPResponse:
            sender_id = request.args.get("sender", "")
            after = request.args.get("after", "0")
            if not _SENDER.fullmatch(sender_id) or not after.isdigit():
                return response.json({"ok": False, "error": "Yêu cầu không hợp lệ."}, status=400)
            stored = await self.store.after(sender_id, int(after))
            last_id = stored[-1].id if stored else int(after)
            return response.json(
                {"messages": [item.as_json() for item in stored], "last_id": last_id}
            )

        async def events(request: Request) -> HTTPResponse | None:
            sender_id = request.args.get("sender", "")
            after = request.headers.get("Last-Event-ID") or request.args.get("after", "0")
            if not _SENDER.fullmatch(sender_id) or not after.isdigit():
                return response.json({"ok": False, "error": "Yêu cầu không hợp lệ."}, status=400)
            await self._stream(request, sender_id, int(after))
            return None

        async def forget(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender_id = body.get("sender")
            if not isinstance(sender_id, str) or not _SENDER.fullmatch(sender_id):
                return response.json({"ok": False, "error": "Yêu cầu không hợp lệ."}, status=400)
            removed = await self.store.forget(sender_id)
            logger.info("web chat: a conversation cleared from its phone (%d messages)", removed)
            return response.json({"ok": True})

        async def upload(request: Request) -> HTTPResponse:
            sender_id = request.form.get("sender", "") if request.form else ""
            sent = request.files.get("file") if request.files else None
            if not _SENDER.fullmatch(sender_id or "") or sent is None:
                return response.json({"ok": False, "error": "Yêu cầu không hợp lệ."}, status=400)
            hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
            recent = await asyncio.to_thread(self.store.uploads_since_sync, sender_id, hour_ago)
            if recent >= MAX_UPLOADS_PER_HOUR:  # anonymous page: a bound on what it may store
                return response.json({"ok": False, "error": TOO_MANY_UPLOADS}, status=429)
            try:
                stored = await self.uploads.save(sent.body, sent.name or "")
            except UploadRefused as refused:
                return response.json({"ok": False, "error": str(refused)}, status=400)
            shown: dict[str, Any] = {"text": f"{UPLOADED_PREFIX}{stored.name}"}
            if stored.mime_type.startswith("image/"):
                shown["image"] = f"files/{stored.token}"  # the page shows a thumbnail
            await self.store.add(sender_id, "user", shown)
            # the origin comes from the configuration, never from the request's Host header:
            # the action server fetches this URL (issue 17, bot/actions/attachments.py)
            attachment = {
                "type": "file" if stored.mime_type == "application/pdf" else "image",
                "url": f"{upload_origin()}/webhooks/webchat/files/{stored.token}",
                "name": stored.name,
                "mime_type": stored.mime_type,
            }
            return await self._to_rasa(
                on_new_message, sender_id, "/inform", "an upload", attachments=[attachment]
            )

        async def file(request: Request, token: str) -> HTTPResponse:
            found = self.uploads.find(token)
            if found is None:
                return response.json({"ok": False}, status=404)
            path, mime = found
            return await response.file(
                path,
                mime_type=mime,
                headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private"},
            )

        webchat.add_route(chat_page, "/", methods=["GET"])
        webchat.add_route(receive, "/message", methods=["POST"])
        webchat.add_route(messages, "/messages", methods=["GET"])
        webchat.add_route(events, "/events", methods=["GET"])
        webchat.add_route(forget, "/forget", methods=["POST"])
        webchat.add_route(upload, "/upload", methods=["POST"])
        webchat.add_route(file, "/files/<token:str>", methods=["GET"])
        return webchat

    async def _stream(self, request: Request, sender_id: str, after: int) -> None:
        """Sends the sender's messages after ``after`` as server-sent events, each at once."""
        stream = await request.respond(
            content_type="text/event-stream; charset=utf-8",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        await stream.send(f"retry: {STREAM_RETRY_MS}\n\n")
        started = last_sent = time.monotonic()
        with self.store.listening(sender_id) as woken:
            while True:
                woken.clear()
                stored = await self.store.after(sender_id, after)
                for item in stored:
                    data = json.dumps(item.as_json(), ensure_ascii=False)
                    await stream.send(f"id: {item.id}\ndata: {data}\n\n")
                    after = item.id
                    last_sent = time.monotonic()
                if len(stored) >= 100:
                    continue  # more are waiting
                remaining = self.stream_seconds - (time.monotonic() - started)
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(
                        woken.wait(), timeout=min(STREAM_CHECK_SECONDS, remaining)
                    )
                except asyncio.TimeoutError:
                    if time.monotonic() - last_sent >= STREAM_PING_SECONDS:
                        await stream.send(": ping\n\n")
                        last_sent = time.monotonic()
        await stream.eof()

    async def _to_rasa(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        text: str,
        what: str,
        **metadata: Any,
    ) -> HTTPResponse:
        """Hands the page's message to Rasa; whatever fails, the user gets an answer.

        ``what`` (``a message``, ``an upload``) is for the log; ``metadata`` adds to
        ``{"channel": "webchat"}``. Returns ``{"ok": false}`` after storing an apology.
        """
        message = UserMessage(
            text,
            WebchatOutput(self.store),
            sender_id,
            input_channel=CHANNEL_NAME,
            metadata={"channel": CHANNEL_NAME, **metadata},
        )
        try:
            await on_new_message(message)
        except Exception:  # the user must get an answer whatever failed
            logger.exception("web chat: handling %s failed", what)
            await self.store.add(sender_id, "bot", {"text": BUSY_TEXT})
            return response.json({"ok": False})
        return response.json({"ok": True})


def _parse_message(body: object) -> tuple[str, str, str | None] | str:
    """Checks a ``POST /message`` body; returns ``(sender, text, display)`` or an error text."""
    if not isinstance(body, dict):
        return "Yêu cầu không hợp lệ."
    sender_id, text, display = body.get("sender"), body.get("message"), body.get("display")
    if not isinstance(sender_id, str) or not _SENDER.fullmatch(sender_id):
        return "Mã phiên trò chuyện không hợp lệ."
    if not isinstance(text, str) or not text.strip():
        return "Tin nhắn trống."
    if len(text) > MAX_MESSAGE_LENGTH:
        return f"Tin nhắn quá dài (tối đa {MAX_MESSAGE_LENGTH} ký tự)."
    if display is not None and not isinstance(display, str):
        return "Yêu cầu không hợp lệ."
    if display is not None:
        display = display.strip()[:MAX_DISPLAY_LENGTH] or None
    return sender_id, text.strip(), display
