"""Zalo OA webhook events, parsed defensively into one shape.

Payload shapes follow channels.md §1.3: ``user_send_*`` carry ``sender.id`` (the citizen) and
``message{msg_id, text, attachments[]}``; ``follow``/``unfollow`` carry ``follower.id``;
``user_submit_info`` carries ``info{name, phone, address, …}``; ``oa_send_*`` are echoes of what
the OA sent, with ``sender.admin_id`` when a person wrote from the OA inbox. Ids and timestamps
are strings (they exceed 2^53).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from connectors.common.json_fields import as_int, as_mapping, as_text

Kind = Literal[
    "message",
    "follow",
    "unfollow",
    "submit_info",
    "admin_reply",
    "oa_echo",
    "receipt",
    "anonymous",
    "other",
]

_RECEIPTS = frozenset({"user_received_message", "user_seen_message"})


@dataclass(frozen=True)
class ZaloEvent:
    """One webhook delivery.

    Attributes:
        name: Zalo's ``event_name``.
        kind: what the connector does with it.
        user_id: the citizen's OA-scoped id (sender, follower, or recipient of an OA echo).
        msg_id: Zalo's message id, when the event is a message.
        text: the message text or caption.
        timestamp_ms: the body's timestamp, milliseconds.
        admin_id: the OA admin who wrote, for ``oa_send_*`` sent from the OA inbox.
        attachments: ``message.attachments`` as sent.
        user_info: ``info`` of ``user_submit_info``.
    """

    name: str
    kind: Kind
    user_id: str | None
    msg_id: str | None = None
    text: str | None = None
    timestamp_ms: int | None = None
    admin_id: str | None = None
    attachments: tuple[Mapping[str, Any], ...] = ()
    user_info: Mapping[str, Any] = field(default_factory=dict)

    def dedupe_key(self) -> str:
        """Identifies this delivery: the message id, else event + user + timestamp."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"{self.name}:{self.user_id}:{self.timestamp_ms}"

    @property
    def timestamp(self) -> float | None:
        """The event time in epoch seconds."""
        return None if self.timestamp_ms is None else self.timestamp_ms / 1000.0


def parse_event(payload: Mapping[str, Any]) -> ZaloEvent:
    """Parses a webhook body.

    Args:
        payload: the JSON body.

    Returns:
        The event; unknown or malformed events come back with kind ``other``.
    """
    name = str(payload.get("event_name") or "")
    message = as_mapping(payload.get("message"))
    sender = as_mapping(payload.get("sender"))
    common: dict[str, Any] = {
        "name": name,
        "msg_id": as_text(message.get("msg_id")),
        "text": as_text(message.get("text")),
        "timestamp_ms": as_int(payload.get("timestamp")),
        "attachments": tuple(
            as_mapping(item) for item in message.get("attachments") or () if isinstance(item, dict)
        ),
    }
    if name in ("follow", "unfollow"):
        follower = as_text(as_mapping(payload.get("follower")).get("id"))
        follow_kind: Kind = "follow" if name == "follow" else "unfollow"
        return ZaloEvent(kind=follow_kind, user_id=follower, **common)
    if name in _RECEIPTS:
        return ZaloEvent(kind="receipt", user_id=as_text(sender.get("id")), **common)
    if name.startswith("oa_send_"):
        recipient = as_text(as_mapping(payload.get("recipient")).get("id"))
        admin = as_text(sender.get("admin_id"))
        kind: Kind = "admin_reply" if admin else "oa_echo"
        return ZaloEvent(kind=kind, user_id=recipient, admin_id=admin, **common)
    if name.startswith("user_"):
        user_id = as_text(sender.get("id"))
        if user_id is None:
            return ZaloEvent(kind="anonymous", user_id=None, **common)
        if name == "user_submit_info":
            info = as_mapping(payload.get("info"))
            return ZaloEvent(kind="submit_info", user_id=user_id, user_info=info, **common)
        if name.startswith("user_send_"):
            return ZaloEvent(kind="message", user_id=user_id, **common)
    return ZaloEvent(kind="other", user_id=as_text(sender.get("id")), **common)


def attachment_type(event: ZaloEvent) -> str:
    """The type of the first attachment (``image``, ``file``, ``location`` …) or of the event."""
    for item in event.attachments:
        kind = as_text(item.get("type"))
        if kind:
            return kind
    return event.name.removeprefix("user_send_")


def location_of(event: ZaloEvent) -> dict[str, float] | None:
    """``{"latitude", "longitude"}`` of a ``user_send_location`` event, if present."""
    for item in event.attachments:
        coordinates = as_mapping(as_mapping(item.get("payload")).get("coordinates"))
        try:
            return {
                "latitude": float(coordinates["latitude"]),
                "longitude": float(coordinates["longitude"]),
            }
        except (KeyError, TypeError, ValueError):
            continue
    return None
