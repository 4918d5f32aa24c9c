"""How platform events become Rasa user messages: conversation ids and texts for non-text events.

Conversation ids are namespaced by channel (``zalo:<user id>``, ``messenger:<PSID>``,
``telegram:<chat id>``) so that two platforms can never share a tracker, and the tracker says where
a citizen came from. Output channels accept the namespaced id or the bare platform id.

Rasa classifies text, but citizens also send photos of documents, stickers, locations, or follow
the account. Such events are passed to Rasa as intent payloads of the shared intent list
(docs/nlu-intents.md) with the details in the message metadata; the table below is the one place
to change that mapping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

EVENT_TEXTS: Mapping[str, str] = {
    "follow": "/greet",  # a new follower is greeted
    "start": "/greet",  # Telegram /start, Messenger "Get started"
    "attachment": "/inform",  # a photo or file without caption: an answer (see metadata)
    "location": "/inform",
    "sticker": "/inform",
    "contact": "/inform",
}
"""Text given to Rasa for an event that carries no text of its own."""


def conversation_id(channel: str, platform_id: str | int) -> str:
    """Namespaced conversation (sender) id: ``zalo:123``.

    Args:
        channel: channel name.
        platform_id: the citizen's id on the platform.

    Returns:
        The id used as Rasa's ``sender_id``.
    """
    return f"{channel}:{platform_id}"


def platform_id(channel: str, sender_id: str | int) -> str:
    """The platform's id inside a conversation id (accepts a bare id too).

    Args:
        channel: channel name.
        sender_id: ``zalo:123`` or ``123``.

    Returns:
        ``123``.
    """
    text = str(sender_id)
    prefix = f"{channel}:"
    return text[len(prefix) :] if text.startswith(prefix) else text


def event_text(kind: str, entities: Mapping[str, Any] | None = None) -> str:
    """Rasa text for a non-text event, e.g. ``/inform{"phone": "0912345678"}``.

    Args:
        kind: a key of :data:`EVENT_TEXTS`.
        entities: entities to attach to the intent payload.

    Returns:
        The intent payload.
    """
    text = EVENT_TEXTS[kind]
    if entities:
        return text + json.dumps(dict(entities), ensure_ascii=False)
    return text


def message_metadata(channel: str, user_id: str, event: str, **extra: Any) -> dict[str, Any]:
    """Metadata stored with the user message in the tracker.

    Args:
        channel: channel name.
        user_id: the citizen's platform id.
        event: the platform's event name (``user_send_image``, ``postback`` …).
        **extra: further fields; ``None`` values are left out.

    Returns:
        ``{"channel", "user_id", "event", …}``.
    """
    metadata: dict[str, Any] = {"channel": channel, "user_id": user_id, "event": event}
    metadata.update({key: value for key, value in extra.items() if value is not None})
    return metadata


def national_phone(phone: str) -> str:
    """A Vietnamese phone number as citizens write it: ``+84 912…`` / ``84912…`` → ``0912…``.

    Args:
        phone: the number as the platform gives it.

    Returns:
        Digits only, with the national ``0`` prefix for an 11-digit ``84…`` number.
    """
    digits = "".join(char for char in phone if char.isdigit())
    if digits.startswith("84") and len(digits) == 11:
        return "0" + digits[2:]
    return digits
