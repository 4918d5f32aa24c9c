"""Messenger webhook events: every entry and every event of a batched delivery.

A delivery is ``{"object": "page", "entry": [{"id", "time", "messaging": [...]}, ...]}``; Meta
batches several entries and events into one request. While another app (e.g. the Page Inbox)
owns a thread, the user's messages arrive under ``standby`` instead of ``messaging``. Rasa's
built-in connector handles only the first event and fails on ``standby``; here every event is
parsed and classified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from connectors.common.json_fields import as_int, as_mapping, as_text

Kind = Literal["message", "postback", "echo", "handover", "standby", "receipt", "other"]

HANDOVER_KEYS = ("pass_thread_control", "take_thread_control", "request_thread_control")


@dataclass(frozen=True)
class MessengerEvent:
    """One messaging event.

    Attributes:
        kind: what the connector does with it.
        psid: the citizen's page-scoped id (the recipient, for echoes).
        page_id: the Page (entry id).
        mid: message id, when there is one.
        text: message text (for a quick reply: its title).
        payload: quick-reply or postback payload.
        title: postback button title.
        timestamp_ms: event timestamp.
        attachments: ``message.attachments``.
        app_id: for echoes, the app that sent the message.
        handover: ``pass_thread_control`` / ``take_thread_control`` / ``request_thread_control``.
        detail: the handover object or other raw fields.
    """

    kind: Kind
    psid: str | None
    page_id: str | None = None
    mid: str | None = None
    text: str | None = None
    payload: str | None = None
    title: str | None = None
    timestamp_ms: int | None = None
    attachments: tuple[Mapping[str, Any], ...] = ()
    sticker_id: str | None = None
    app_id: str | None = None
    handover: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def dedupe_key(self) -> str:
        """Identifies this event: the message id, else kind + user + timestamp."""
        if self.mid:
            return f"{self.kind}:{self.mid}"
        return f"{self.kind}:{self.handover or ''}:{self.psid}:{self.timestamp_ms}"

    @property
    def timestamp(self) -> float | None:
        """Event time in epoch seconds."""
        return None if self.timestamp_ms is None else self.timestamp_ms / 1000.0


def parse_delivery(body: Mapping[str, Any]) -> list[MessengerEvent]:
    """Parses every event of every entry.

    Args:
        body: the webhook JSON.

    Returns:
        The events in delivery order (empty for objects other than ``page``).
    """
    if body.get("object") != "page":
        return []
    events: list[MessengerEvent] = []
    for entry in body.get("entry") or ():
        if not isinstance(entry, dict):
            continue
        page_id = as_text(entry.get("id"))
        for raw in entry.get("messaging") or ():
            if isinstance(raw, dict):
                events.append(parse_event(raw, page_id))
        for raw in entry.get("standby") or ():
            if isinstance(raw, dict):
                event = parse_event(raw, page_id)
                events.append(
                    MessengerEvent(
                        kind="standby",
                        psid=event.psid,
                        page_id=page_id,
                        mid=event.mid,
                        timestamp_ms=event.timestamp_ms,
                    )
                )
    return events


def parse_event(raw: Mapping[str, Any], page_id: str | None) -> MessengerEvent:
    """Classifies one messaging event.

    Args:
        raw: one element of ``entry.messaging`` (or ``entry.standby``).
        page_id: the entry's Page id.

    Returns:
        The event.
    """
    sender = as_text(as_mapping(raw.get("sender")).get("id"))
    recipient = as_text(as_mapping(raw.get("recipient")).get("id"))
    timestamp = as_int(raw.get("timestamp"))
    base: dict[str, Any] = {"page_id": page_id, "timestamp_ms": timestamp}
    message = raw.get("message")
    if isinstance(message, dict):
        attachments = tuple(a for a in message.get("attachments") or () if isinstance(a, dict))
        quick_reply = as_mapping(message.get("quick_reply"))
        common = {
            **base,
            "mid": as_text(message.get("mid")),
            "text": as_text(message.get("text")),
            "attachments": attachments,
            "sticker_id": as_text(message.get("sticker_id")),
        }
        if message.get("is_echo"):
            return MessengerEvent(
                kind="echo", psid=recipient, app_id=as_text(message.get("app_id")), **common
            )
        return MessengerEvent(
            kind="message", psid=sender, payload=as_text(quick_reply.get("payload")), **common
        )
    postback = raw.get("postback")
    if isinstance(postback, dict):
        return MessengerEvent(
            kind="postback",
            psid=sender,
            mid=as_text(postback.get("mid")),
            payload=as_text(postback.get("payload")),
            title=as_text(postback.get("title")),
            **base,
        )
    for key in HANDOVER_KEYS:
        if isinstance(raw.get(key), dict):
            return MessengerEvent(
                kind="handover", psid=sender, handover=key, detail=dict(raw[key]), **base
            )
    if "read" in raw or "delivery" in raw:
        return MessengerEvent(kind="receipt", psid=sender, **base)
    return MessengerEvent(kind="other", psid=sender, **base)
