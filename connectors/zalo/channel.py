"""The Zalo OA webhook as a Rasa input channel (``connectors.zalo.ZaloInput``).

``POST /webhooks/zalo/webhook``: the signature is checked on the raw body, a re-delivery of the
same message is recognised, and the answer (200) goes out at once; the event is then processed in
the background, one conversation at a time in arrival order:

* ``user_send_text`` (and button clicks, which arrive as text) → Rasa;
* ``user_send_image|file|sticker|location|…`` → Rasa with the caption, or an intent payload from
  :data:`connectors.common.conversation.EVENT_TEXTS`, and the attachments in the metadata;
* ``follow`` → greeting; ``unfollow`` → logged;
* ``user_submit_info`` → ``/inform`` with the phone number, the whole ``info`` in the metadata;
* ``oa_send_*`` with ``sender.admin_id`` (a person answered from the OA inbox) → the handoff
  signal, not Rasa; other ``oa_send_*`` (our own messages) and receipts are ignored.

Without credentials the channel is disabled: one log line at start, 503 on the webhook.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.common.config import (
    ChannelDisabled,
    CommonSettings,
    ZaloSettings,
    load_common_settings,
    load_zalo_settings,
)
from connectors.common.conversation import (
    conversation_id,
    event_text,
    message_metadata,
    national_phone,
)
from connectors.common.database import connector_database
from connectors.common.dedupe import DedupeStore
from connectors.common.handoff import (
    HandoffEvent,
    HandoffSignal,
    SignalChain,
    load_handoff_signal,
)
from connectors.common.masking import mask_id, mask_text
from connectors.common.pause import PauseGate
from connectors.common.tasks import BackgroundTasks
from connectors.zalo.client import ZaloClient
from connectors.zalo.events import ZaloEvent, attachment_type, location_of, parse_event
from connectors.zalo.output import ZaloOutput
from connectors.zalo.signature import HEADER, verify_delivery
from connectors.zalo.tokens import ZaloTokens

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
_IGNORED = frozenset({"receipt", "oa_echo", "anonymous", "other"})


class ZaloInput(InputChannel):
    """Receives Zalo OA webhooks and answers through the OA API."""

    @classmethod
    def name(cls) -> str:
        """Channel name: URL ``/webhooks/zalo/``, conversation ids ``zalo:<user id>``."""
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ZaloInput:
        """Builds the channel from its credentials.yml block and the environment.

        Args:
            credentials: the block (may be empty); see connectors/README.md for the keys.

        Returns:
            The channel; disabled (with one warning) when settings are missing.
        """
        common = load_common_settings()
        settings = load_zalo_settings(credentials)
        if isinstance(settings, ChannelDisabled):
            logger.warning(settings.log_line())
            return cls(None, common)
        return cls(settings, common, handoff=load_handoff_signal(common.handoff_callback))

    def __init__(
        self,
        settings: ZaloSettings | None,
        common: CommonSettings | None = None,
        *,
        handoff: HandoffSignal | None = None,
        client: ZaloClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Creates the channel.

        Args:
            settings: Zalo settings; ``None`` = disabled.
            common: database URL, dedupe TTL.
            handoff: where admin replies from the OA inbox are reported.
            client: an OA API client (built from the settings otherwise).
            clock: current epoch seconds (signature freshness, dedupe).
        """
        self.settings = settings
        self.common = common or CommonSettings()
        self.tasks = BackgroundTasks(self.name())
        self.gate = PauseGate(
            self.name(), native_pause_seconds=self.common.native_pause_minutes * 60
        )
        self.handoff: HandoffSignal = SignalChain(self.gate, handoff or load_handoff_signal(None))
        self._clock = clock
        database = connector_database(self.common.database_url)
        self.dedupe = DedupeStore(database, self.common.dedupe_ttl_seconds, clock)
        self.client = client
        if client is None and settings is not None:
            tokens = ZaloTokens(settings, database, clock=clock)
            self.client = ZaloClient(settings, tokens)

    @property
    def enabled(self) -> bool:
        """Whether the channel has its credentials."""
        return self.settings is not None and self.client is not None

    def get_output_channel(self) -> ZaloOutput | None:
        """An output channel for messages outside a user turn (staff replies, notifications)."""
        if self.client is None:
            return None
        return ZaloOutput(self.client)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The Sanic routes: ``GET /`` (health) and ``POST /webhook``, behind the pause gate."""
        zalo_webhook = Blueprint("zalo_webhook", __name__)
        zalo_webhook.middleware("request")(self.gate.bind)
        on_new_message = self.gate.handler(on_new_message)

        async def health(_: Request) -> HTTPResponse:
            status = "ok" if self.enabled else "disabled"
            return response.json({"status": status}, status=200 if self.enabled else 503)

        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request.body, request.headers.get(HEADER), on_new_message)

        async def close(*_: Any) -> None:
            await self.aclose()

        zalo_webhook.add_route(health, "/", methods=["GET"])
        zalo_webhook.add_route(receive, "/webhook", methods=["POST"])
        zalo_webhook.listener("before_server_stop")(close)
        return zalo_webhook

    async def aclose(self) -> None:
        """Finishes background work and closes connections."""
        await self.tasks.drain(timeout=10)
        if self.client is not None:
            await self.client.aclose()

    async def receive(
        self, raw_body: bytes, signature: str | None, on_new_message: OnNewMessage
    ) -> HTTPResponse:
        """Checks one delivery, acknowledges it, and schedules its processing.

        Args:
            raw_body: the request body as received.
            signature: the ``X-ZEvent-Signature`` header.
            on_new_message: Rasa's handler.

        Returns:
            200 (accepted, duplicate or ignored), 400 (not JSON), 403 (signature), 503 (disabled).
        """
        if self.settings is None:
            return response.json({"status": "disabled"}, status=503)
        try:
            payload = json.loads(raw_body)
        except ValueError:
            return response.json({"status": "bad request"}, status=400)
        if not isinstance(payload, dict):
            return response.json({"status": "bad request"}, status=400)
        verdict = verify_delivery(
            raw_body,
            payload,
            signature,
            app_id=self.settings.app_id,
            oa_secret_key=self.settings.oa_secret_key,
            max_age_seconds=self.settings.webhook_max_age_seconds,
            now=self._clock(),
        )
        if not verdict.ok:
            logger.warning("zalo: webhook rejected (%s signature)", verdict.outcome)
            return response.json({"status": "forbidden"}, status=403)
        event = parse_event(payload)
        if event.kind in _IGNORED or event.user_id is None:
            logger.debug("zalo: %s event ignored", event.name or "unnamed")
            return response.json({"status": "ignored"})
        if not await self._first_delivery(event):
            logger.info("zalo: duplicate delivery of %s ignored", event.name)
            return response.json({"status": "duplicate"})
        self.tasks.schedule(
            self.process(event, on_new_message), key=event.user_id, label=event.name
        )
        return response.json({"status": "ok"})

    async def process(self, event: ZaloEvent, on_new_message: OnNewMessage) -> None:
        """Handles one verified, first-time event (runs in the background)."""
        assert event.user_id is not None
        if event.kind == "admin_reply":
            await self.handoff.notify(
                HandoffEvent(
                    kind="human_replied",
                    channel=self.name(),
                    sender_id=conversation_id(self.name(), event.user_id),
                    user_id=event.user_id,
                    agent_id=event.admin_id,
                    text=event.text,
                    at=event.timestamp or self._clock(),
                    detail={"event": event.name, "msg_id": event.msg_id},
                )
            )
            return
        if event.kind == "unfollow":
            logger.info("zalo: citizen %s unfollowed the OA", mask_id(event.user_id))
            return
        message = self.user_message(event)
        if not message.text:
            logger.debug("zalo: empty %s event ignored", event.name)
            return
        logger.debug(
            "zalo: %s from %s: %s", event.name, mask_id(event.user_id), mask_text(message.text)
        )
        await on_new_message(message)

    def user_message(self, event: ZaloEvent) -> UserMessage:
        """Builds the Rasa message of a citizen's event (message, follow, submitted info)."""
        assert event.user_id is not None and self.client is not None
        extra: dict[str, Any] = {"msg_id": event.msg_id}
        if event.kind == "follow":
            text = event_text("follow")
        elif event.kind == "submit_info":
            info = dict(event.user_info)
            phone = national_phone(str(info.get("phone") or ""))
            text = event_text("contact", {"phone": phone} if phone else None)
            extra["user_info"] = info
        elif event.attachments or event.name != "user_send_text":
            kind = attachment_type(event)
            extra["attachments"] = [dict(item) for item in event.attachments]
            extra["location"] = location_of(event)
            fallback = kind if kind in ("location", "sticker") else "attachment"
            text = event.text or event_text(fallback)
        else:
            text = event.text or ""
        reply_to = event.msg_id if self.settings and self.settings.reply_with_message_id else None
        return UserMessage(
            text=text,
            output_channel=ZaloOutput(self.client, reply_to=reply_to),
            sender_id=conversation_id(self.name(), event.user_id),
            input_channel=self.name(),
            message_id=event.msg_id,
            metadata=message_metadata(self.name(), event.user_id, event.name, **extra),
        )

    async def _first_delivery(self, event: ZaloEvent) -> bool:
        if self.dedupe.outlived(event.timestamp):
            return False
        try:
            return await self.dedupe.first_delivery(self.name(), event.dedupe_key())
        except Exception:
            logger.exception("zalo: dedupe store failed; processing the event anyway")
            return True
