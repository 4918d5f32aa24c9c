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
        page_id = _text(entry.get("id"))
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
    sender = _text(_mapping(raw.get("sender")).get("id"))
    recipient = _text(_mapping(raw.get("recipient")).get("id"))
    timestamp = _int(raw.get("timestamp"))
    base: dict[str, Any] = {"page_id": page_id, "timestamp_ms": timestamp}
    message = raw.get("message")
    if isinstance(message, dict):
        attachments = tuple(a for a in message.get("attachments") or () if isinstance(a, dict))
        quick_reply = _mapping(message.get("quick_reply"))
        common = {
            **base,
            "mid": _text(message.get("mid")),
            "text": _text(message.get("text")),
            "attachments": attachments,
            "sticker_id": _text(message.get("sticker_id")),
        }
        if message.get("is_echo"):
            return MessengerEvent(
                kind="echo", psid=recipient, app_id=_text(message.get("app_id")), **common
            )
        return MessengerEvent(
            kind="message", psid=sender, payload=_text(quick_reply.get("payload")), **common
        )
    postback = raw.get("postback")
    if isinstance(postback, dict):
        return MessengerEvent(
            kind="postback",
            psid=sender,
            mid=_text(postback.get("mid")),
            payload=_text(postback.get("payload")),
            title=_text(postback.get("title")),
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


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
