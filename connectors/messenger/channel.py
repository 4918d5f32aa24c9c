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

Outside a user turn, a dossier status notification refused after 24 hours is sent again with
``MESSENGER_STATUS_TAG`` (``ACCOUNT_UPDATE``), a staff reply with ``HUMAN_AGENT`` when
``MESSENGER_HUMAN_AGENT`` is on (:meth:`MessengerInput.status_output`, ``staff_output``).

Without credentials the channel is disabled: one log line at start, 503 on the webhook.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.common.config import MessengerSettings
from connectors.common.conversation import event_text
from connectors.common.handoff import HandoffKind
from connectors.common.json_fields import as_text
from connectors.common.webhook import Delivery, OnNewMessage, WebhookInput, bad_request, forbidden
from connectors.messenger import signature
from connectors.messenger.client import GraphClient
from connectors.messenger.errors import MessengerStatusUntagged
from connectors.messenger.events import MessengerEvent, parse_delivery
from connectors.messenger.output import MessengerOutput

logger = logging.getLogger(__name__)

_TO_PROCESS = frozenset({"message", "postback", "echo", "handover"})
HUMAN_AGENT = "HUMAN_AGENT"


class MessengerInput(WebhookInput[MessengerSettings, MessengerEvent, GraphClient]):
    """Receives Messenger webhooks and answers through the Send API."""

    settings_class = MessengerSettings

    @classmethod
    def name(cls) -> str:
        """Channel name: URL ``/webhooks/messenger/``, conversation ids ``messenger:<PSID>``."""
        return "messenger"

    def connect(self, settings: MessengerSettings) -> GraphClient:
        """The Graph API client."""
        return GraphClient(settings)

    async def close_client(self, client: GraphClient) -> None:
        """Closes the Graph API client."""
        await client.aclose()

    def get_output_channel(self) -> MessengerOutput | None:
        """An output channel for messages outside a user turn (staff replies, notifications)."""
        return MessengerOutput(self.client) if self.client is not None else None

    def status_output(self, event: Mapping[str, Any]) -> MessengerOutput | None:
        """A status notification refused outside 24 h is sent again with ``status_tag``."""
        if self.client is None or self.settings is None:
            return None
        return MessengerOutput(
            self.client,
            retry_tag=self.settings.status_tag,
            window_refusal=MessengerStatusUntagged,
        )

    def staff_output(self) -> MessengerOutput | None:
        """A staff reply refused outside 24 h is sent again with ``HUMAN_AGENT`` when enabled."""
        if self.client is None or self.settings is None:
            return None
        retry_tag = HUMAN_AGENT if self.settings.human_agent else None
        return MessengerOutput(self.client, retry_tag=retry_tag)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The Sanic routes: ``GET /`` (health), ``GET`` and ``POST /webhook``."""
        webhook = super().blueprint(on_new_message)

        async def verify(request: Request) -> HTTPResponse:
            return self.verify_subscription(
                request.args.get("hub.mode"),
                request.args.get("hub.verify_token"),
                request.args.get("hub.challenge"),
            )

        webhook.add_route(verify, "/webhook", methods=["GET"])
        return webhook

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

    def answer(self, status: str, code: int = 200) -> HTTPResponse:
        """``EVENT_RECEIVED`` for an accepted delivery, as Meta expects; else ``{"status"}``."""
        return response.text("EVENT_RECEIVED") if code == 200 else super().answer(status, code)

    def read(
        self, raw_body: bytes, headers: Mapping[str, str], settings: MessengerSettings
    ) -> list[Delivery[MessengerEvent]]:
        """Checks ``X-Hub-Signature-256`` and reads every event of every entry."""
        if not signature.verify(
            settings.app_secret,
            raw_body,
            headers.get(signature.HEADER_SHA256),
            headers.get(signature.HEADER_SHA1),
            allow_sha1=settings.allow_sha1,
        ):
            logger.warning("messenger: webhook rejected (missing or wrong signature)")
            raise forbidden()
        try:
            body = json.loads(raw_body)
        except ValueError:
            raise bad_request() from None
        deliveries = []
        for event in parse_delivery(body) if isinstance(body, dict) else []:
            if event.kind not in _TO_PROCESS or event.psid is None:
                logger.debug("messenger: %s event not processed", event.kind)
                continue
            deliveries.append(
                Delivery(event, event.psid, event.dedupe_key(), event.timestamp, event.kind)
            )
        return deliveries

    async def process(self, event: MessengerEvent, on_new_message: OnNewMessage) -> None:
        """Handles one verified, first-time event (runs in the background)."""
        assert event.psid is not None and self.settings is not None
        if event.kind == "echo":
            if self._sent_by_a_person(event):
                await self._signal("human_replied", event, agent_id=event.app_id, text=event.text)
        elif event.kind == "handover":
            await self._handover(event)
        else:
            await self.to_rasa(self.user_message(event), on_new_message, event.kind)

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
        return self.rasa_message(
            event.psid, text, event=name, message_id=event.mid, metadata=extra
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
            await self._signal(kind, event, agent_id=as_text(detail.get("previous_owner_app_id")))
        elif event.handover == "take_thread_control":
            await self._signal(
                "control_taken", event, agent_id=as_text(detail.get("new_owner_app_id"))
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
        detail = {"event": event.handover or event.kind, **dict(event.detail)}
        await self.signal(
            kind, event.psid, at=event.timestamp, detail=detail, agent_id=agent_id, text=text
        )
