"""The Messenger webhook as a Rasa input channel (``connectors.messenger.MessengerInput``).

* ``GET /webhooks/messenger/webhook``: Meta's subscription handshake (``hub.mode=subscribe``,
  ``hub.verify_token`` compared in constant time, ``hub.challenge`` echoed);
* ``POST /webhooks/messenger/webhook``: ``X-Hub-Signature-256`` checked on the raw body, every
  event of every entry parsed, re-deliveries dropped, 200 at once, processing in the background:

  - messages → Rasa (a quick reply gives its payload; attachments their intent payload with the
    attachments in the metadata); postbacks → Rasa with their payload;
  - echoes of our own messages are ignored; an echo sent from the Page Inbox (a person answered)
    and thread-control changes go to the handoff signal;
  - ``standby`` events (the Page Inbox owns the thread) never reach Rasa.

Without credentials the channel is disabled: one log line at start, 503 on the webhook.
"""

from __future__ import annotations

import hmac
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
    MessengerSettings,
    load_common_settings,
    load_messenger_settings,
)
from connectors.common.conversation import conversation_id, event_text, message_metadata
from connectors.common.database import connector_database
from connectors.common.dedupe import DedupeStore
from connectors.common.handoff import (
    HandoffEvent,
    HandoffKind,
    HandoffSignal,
    SignalChain,
    load_handoff_signal,
)
from connectors.common.masking import mask_id, mask_text
from connectors.common.pause import PauseGate
from connectors.common.tasks import BackgroundTasks
from connectors.messenger import signature
from connectors.messenger.client import GraphClient
from connectors.messenger.events import MessengerEvent, parse_delivery
from connectors.messenger.output import MessengerOutput

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
_TO_PROCESS = frozenset({"message", "postback", "echo", "handover"})


class MessengerInput(InputChannel):
    """Receives Messenger webhooks and answers through the Send API."""

    @classmethod
    def name(cls) -> str:
        """Channel name: URL ``/webhooks/messenger/``, conversation ids ``messenger:<PSID>``."""
        return "messenger"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> MessengerInput:
        """Builds the channel from its credentials.yml block and the environment.

        Args:
            credentials: the block (may be empty); see connectors/README.md for the keys.

        Returns:
            The channel; disabled (with one warning) when settings are missing.
        """
        common = load_common_settings()
        settings = load_messenger_settings(credentials)
        if isinstance(settings, ChannelDisabled):
            logger.warning(settings.log_line())
            return cls(None, common)
        return cls(settings, common, handoff=load_handoff_signal(common.handoff_callback))

    def __init__(
        self,
        settings: MessengerSettings | None,
        common: CommonSettings | None = None,
        *,
        handoff: HandoffSignal | None = None,
        client: GraphClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Creates the channel.

        Args:
            settings: Messenger settings; ``None`` = disabled.
            common: database URL, dedupe TTL.
            handoff: where inbox replies and thread-control changes are reported.
            client: a Graph API client (built from the settings otherwise).
            clock: current epoch seconds.
        """
        self.settings = settings
        self.common = common or CommonSettings()
        self.tasks = BackgroundTasks(self.name())
        self.gate = PauseGate(
            self.name(), native_pause_seconds=self.common.native_pause_minutes * 60
        )
        self.handoff: HandoffSignal = SignalChain(self.gate, handoff or load_handoff_signal(None))
        self.dedupe = DedupeStore(
            connector_database(self.common.database_url), self.common.dedupe_ttl_seconds, clock
        )
        self.client = client or (GraphClient(settings) if settings is not None else None)

    @property
    def enabled(self) -> bool:
        """Whether the channel has its credentials."""
        return self.settings is not None and self.client is not None

    def get_output_channel(self) -> MessengerOutput | None:
        """An output channel for messages outside a user turn (staff replies, notifications)."""
        return MessengerOutput(self.client) if self.client is not None else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The Sanic routes: ``GET /`` (health), ``GET`` and ``POST /webhook``."""
        messenger_webhook = Blueprint("messenger_webhook", __name__)
        messenger_webhook.middleware("request")(self.gate.bind)
        on_new_message = self.gate.handler(on_new_message)

        async def health(_: Request) -> HTTPResponse:
            status = "ok" if self.enabled else "disabled"
            return response.json({"status": status}, status=200 if self.enabled else 503)

        async def verify(request: Request) -> HTTPResponse:
            return self.verify_subscription(
                request.args.get("hub.mode"),
                request.args.get("hub.verify_token"),
                request.args.get("hub.challenge"),
            )

        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(
                request.body,
                request.headers.get(signature.HEADER_SHA256),
                request.headers.get(signature.HEADER_SHA1),
                on_new_message,
            )

        async def close(*_: Any) -> None:
            await self.aclose()

        messenger_webhook.add_route(health, "/", methods=["GET"])
        messenger_webhook.add_route(verify, "/webhook", methods=["GET"])
        messenger_webhook.add_route(receive, "/webhook", methods=["POST"])
        messenger_webhook.listener("before_server_stop")(close)
        return messenger_webhook

    async def aclose(self) -> None:
        """Finishes background work and closes connections."""
        await self.tasks.drain(timeout=10)
        if self.client is not None:
            await self.client.aclose()

    def verify_subscription(
        self, mode: str | None, token: str | None, challenge: str | None
    ) -> HTTPResponse:
        """Answers Meta's GET handshake.

        Returns:
            The challenge (200) when the verify token matches, else 403 (503 when disabled).
        """
        if self.settings is None:
            return response.json({"status": "disabled"}, status=503)
        expected = self.settings.verify_token.encode()
        if mode == "subscribe" and token and hmac.compare_digest(token.encode(), expected):
            return response.text(challenge or "")
        logger.warning("messenger: webhook verification refused (wrong verify token)")
        return response.text("forbidden", status=403)

    async def receive(
        self,
        raw_body: bytes,
        sha256_header: str | None,
        sha1_header: str | None,
        on_new_message: OnNewMessage,
    ) -> HTTPResponse:
        """Checks one delivery, acknowledges it, and schedules each new event.

        Returns:
            200 (``EVENT_RECEIVED``), 400 (not JSON), 403 (signature), 503 (disabled).
        """
        if self.settings is None:
            return response.json({"status": "disabled"}, status=503)
        if not signature.verify(
            self.settings.app_secret,
            raw_body,
            sha256_header,
            sha1_header,
            allow_sha1=self.settings.allow_sha1,
        ):
            logger.warning("messenger: webhook rejected (missing or wrong signature)")
            return response.text("forbidden", status=403)
        try:
            body = json.loads(raw_body)
        except ValueError:
            return response.text("bad request", status=400)
        events = parse_delivery(body) if isinstance(body, dict) else []
        for event in events:
            if event.kind not in _TO_PROCESS or event.psid is None:
                logger.debug("messenger: %s event not processed", event.kind)
                continue
            if not await self._first_delivery(event):
                logger.info("messenger: duplicate %s event ignored", event.kind)
                continue
            self.tasks.schedule(
                self.process(event, on_new_message), key=event.psid, label=event.kind
            )
        return response.text("EVENT_RECEIVED")

    async def process(self, event: MessengerEvent, on_new_message: OnNewMessage) -> None:
        """Handles one verified, first-time event (runs in the background)."""
        assert event.psid is not None and self.settings is not None
        if event.kind == "echo":
            if self._sent_by_a_person(event):
                await self._signal("human_replied", event, agent_id=event.app_id, text=event.text)
            return
        if event.kind == "handover":
            await self._handover(event)
            return
        message = self.user_message(event)
        if message.text:
            logger.debug(
                "messenger: %s from %s: %s",
                event.kind,
                mask_id(event.psid),
                mask_text(message.text),
            )
            await on_new_message(message)

    def user_message(self, event: MessengerEvent) -> UserMessage:
        """Builds the Rasa message of a citizen's message or postback."""
        assert event.psid is not None and self.client is not None
        extra: dict[str, Any] = {"mid": event.mid, "page_id": event.page_id}
        if event.kind == "postback":
            name, text = "postback", event.payload or event.title or ""
            extra["title"] = event.title
        elif event.payload:
            name, text = "quick_reply", event.payload
            extra["title"] = event.text
        elif event.attachments or event.sticker_id:
            name = "attachment"
            kinds = {str(a.get("type")) for a in event.attachments}
            fallback = "sticker" if event.sticker_id else "attachment"
            if "location" in kinds:
                fallback = "location"
            text = event.text or event_text(fallback)
            extra["attachments"] = [dict(a) for a in event.attachments]
        else:
            name, text = "message", event.text or ""
        return UserMessage(
            text=text,
            output_channel=MessengerOutput(self.client),
            sender_id=conversation_id(self.name(), event.psid),
            input_channel=self.name(),
            message_id=event.mid,
            metadata=message_metadata(self.name(), event.psid, name, **extra),
        )

    def _sent_by_a_person(self, event: MessengerEvent) -> bool:
        assert self.settings is not None
        if event.app_id is None:
            return False
        if event.app_id == self.settings.inbox_app_id:
            return True
        return self.settings.app_id is not None and event.app_id != self.settings.app_id

    async def _handover(self, event: MessengerEvent) -> None:
        assert self.settings is not None
        detail = event.detail
        if event.handover == "pass_thread_control":
            ours = self.settings.app_id is None or (
                str(detail.get("new_owner_app_id")) == self.settings.app_id
            )
            kind: HandoffKind = "control_returned" if ours else "control_passed"
            await self._signal(kind, event, agent_id=_text(detail.get("previous_owner_app_id")))
        elif event.handover == "take_thread_control":
            await self._signal(
                "control_taken", event, agent_id=_text(detail.get("new_owner_app_id"))
            )
        else:
            logger.info("messenger: %s received", event.handover)

    async def _signal(
        self,
        kind: HandoffKind,
        event: MessengerEvent,
        agent_id: str | None = None,
        text: str | None = None,
    ) -> None:
        assert event.psid is not None
        await self.handoff.notify(
            HandoffEvent(
                kind=kind,
                channel=self.name(),
                sender_id=conversation_id(self.name(), event.psid),
                user_id=event.psid,
                agent_id=agent_id,
                text=text,
                at=event.timestamp or time.time(),
                detail={"event": event.handover or event.kind, **dict(event.detail)},
            )
        )

    async def _first_delivery(self, event: MessengerEvent) -> bool:
        if self.dedupe.outlived(event.timestamp):
            return False
        try:
            return await self.dedupe.first_delivery(self.name(), event.dedupe_key())
        except Exception:
            logger.exception("messenger: dedupe store failed; processing the event anyway")
            return True


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
