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

Outside a user turn, a dossier status notification Zalo refuses because the citizen has not
written for 7 days goes out as the office's ZBS template, when ``ZALO_STATUS_TEMPLATE_ID`` is set
(:meth:`ZaloInput.status_output`).

Without credentials the channel is disabled: one log line at start, 503 on the webhook.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from rasa.core.channels.channel import UserMessage

from connectors.common.config import ZaloSettings
from connectors.common.conversation import event_text, national_phone
from connectors.common.masking import mask_id
from connectors.common.webhook import Delivery, OnNewMessage, WebhookInput, bad_request, forbidden
from connectors.zalo.client import ZaloClient
from connectors.zalo.errors import ZaloNoStatusTemplate
from connectors.zalo.events import ZaloEvent, attachment_type, location_of, parse_event
from connectors.zalo.output import ZaloOutput
from connectors.zalo.signature import HEADER, verify_delivery
from connectors.zalo.template import status_template
from connectors.zalo.tokens import ZaloTokens

logger = logging.getLogger(__name__)

_IGNORED = frozenset({"receipt", "oa_echo", "anonymous", "other"})


class ZaloInput(WebhookInput[ZaloSettings, ZaloEvent, ZaloClient]):
    """Receives Zalo OA webhooks and answers through the OA API."""

    settings_class = ZaloSettings

    @classmethod
    def name(cls) -> str:
        """Channel name: URL ``/webhooks/zalo/``, conversation ids ``zalo:<user id>``."""
        return "zalo"

    def connect(self, settings: ZaloSettings) -> ZaloClient:
        """The OA API client, its tokens kept in the connector database."""
        return ZaloClient(settings, ZaloTokens(settings, self.database, clock=self._clock))

    async def close_client(self, client: ZaloClient) -> None:
        """Closes the OA API client."""
        await client.aclose()

    def get_output_channel(self) -> ZaloOutput | None:
        """An output channel for messages outside a user turn (staff replies, notifications)."""
        return ZaloOutput(self.client) if self.client is not None else None

    def status_output(self, event: Mapping[str, Any]) -> ZaloOutput | None:
        """A status notification refused for the 7-day window goes out as the ZBS template.

        Without ``ZALO_STATUS_TEMPLATE_ID`` it is reported as not delivered
        (:class:`ZaloNoStatusTemplate`).
        """
        if self.client is None or self.settings is None:
            return None
        template = None
        if self.settings.status_template_id:
            template = status_template(
                self.settings.status_template_id,
                self.settings.status_template_parameters,
                event,
                datetime.fromtimestamp(self._clock(), timezone.utc),
            )
        return ZaloOutput(self.client, template=template, window_refusal=ZaloNoStatusTemplate)

    def read(
        self, raw_body: bytes, headers: Mapping[str, str], settings: ZaloSettings
    ) -> list[Delivery[ZaloEvent]]:
        """Parses the body, checks ``X-ZEvent-Signature`` and its freshness, reads the event."""
        try:
            payload = json.loads(raw_body)
        except ValueError:
            raise bad_request() from None
        if not isinstance(payload, dict):
            raise bad_request()
        verdict = verify_delivery(
            raw_body,
            payload,
            headers.get(HEADER),
            app_id=settings.app_id,
            oa_secret_key=settings.oa_secret_key,
            max_age_seconds=settings.webhook_max_age_seconds,
            now=self._clock(),
        )
        if not verdict.ok:
            logger.warning("zalo: webhook rejected (%s signature)", verdict.outcome)
            raise forbidden()
        event = parse_event(payload)
        if event.kind in _IGNORED or event.user_id is None:
            logger.debug("zalo: %s event ignored", event.name or "unnamed")
            return []
        return [Delivery(event, event.user_id, event.dedupe_key(), event.timestamp, event.name)]

    async def process(self, event: ZaloEvent, on_new_message: OnNewMessage) -> None:
        """Handles one verified, first-time event (runs in the background)."""
        assert event.user_id is not None
        if event.kind == "admin_reply":
            await self.signal(
                "human_replied",
                event.user_id,
                agent_id=event.admin_id,
                text=event.text,
                at=event.timestamp,
                detail={"event": event.name, "msg_id": event.msg_id},
            )
        elif event.kind == "unfollow":
            logger.info("zalo: citizen %s unfollowed the OA", mask_id(event.user_id))
        else:
            await self.to_rasa(self.user_message(event), on_new_message, event.name)

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
        return self.rasa_message(
            event.user_id,
            text,
            event=event.name,
            message_id=event.msg_id,
            output_channel=ZaloOutput(self.client, reply_to=reply_to),
            metadata=extra,
        )
