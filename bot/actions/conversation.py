"""Reading the conversation from a rasa-sdk tracker: the latest message, the procedure, history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from bot.actions import catalog_access

__all__ = [
    "PROCEDURE_INTENT_PREFIX",
    "LatestMessage",
    "action_ran_since_user",
    "latest",
    "misunderstandings_in_a_row",
    "previous_bot_action",
    "procedure_from_message",
    "procedure_id",
]

PROCEDURE_INTENT_PREFIX = "proc_"
FALLBACK_INTENT = "nlu_fallback"
_LISTEN = "action_listen"


@dataclass(frozen=True)
class LatestMessage:
    """What the citizen just sent.

    Attributes:
        text: the text as typed, or the payload of the button pressed.
        intent: the intent name ("" when unknown).
        entities: ``(entity, value)`` pairs in message order.
        ranking: ``(intent, confidence)`` best first.
    """

    text: str
    intent: str
    entities: tuple[tuple[str, Any], ...]
    ranking: tuple[tuple[str, float], ...]

    @property
    def is_payload(self) -> bool:
        """True for a button payload such as ``/inform{"answer":"co"}``."""
        return self.text.startswith("/")

    def entity(self, name: str) -> Any:
        """The last value of an entity in the message, or None."""
        values = [value for entity, value in self.entities if entity == name]
        return values[-1] if values else None


def latest(tracker: Tracker) -> LatestMessage:
    """The latest user message of the tracker."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name") or ""
    entities = tuple(
        (str(item.get("entity")), item.get("value"))
        for item in message.get("entities") or []
        if item.get("entity")
    )
    ranking = tuple(
        (str(item.get("name")), float(item.get("confidence") or 0.0))
        for item in message.get("intent_ranking") or []
        if item.get("name")
    )
    return LatestMessage(str(message.get("text") or ""), intent, entities, ranking)


def procedure_from_message(message: LatestMessage) -> str | None:
    """The catalog procedure a message names: its ``procedure`` entity, else a ``proc_`` intent."""
    for candidate in (message.entity("procedure"), _procedure_of_intent(message.intent)):
        if catalog_access.procedure(candidate) is not None:
            return str(candidate)
    return None


def procedure_id(tracker: Tracker) -> str | None:
    """The procedure meant now: named in the latest message, else the conversation's."""
    named = procedure_from_message(latest(tracker))
    if named is not None:
        return named
    current = tracker.get_slot("procedure")
    return current if catalog_access.procedure(current) is not None else None


def _procedure_of_intent(intent: str) -> str | None:
    if intent.startswith(PROCEDURE_INTENT_PREFIX):
        return intent[len(PROCEDURE_INTENT_PREFIX) :]
    return None


def _latest_user_index(events: list[dict[str, Any]]) -> int | None:
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return index
    return None


def previous_bot_action(tracker: Tracker) -> str | None:
    """The last action run before the latest user message (``action_listen`` not counted)."""
    events = list(tracker.events)
    index = _latest_user_index(events)
    if index is None:
        return None
    for event in reversed(events[:index]):
        if event.get("event") == "action" and event.get("name") != _LISTEN:
            return str(event.get("name"))
    return None


def action_ran_since_user(tracker: Tracker, ignore: str) -> bool:
    """Tells whether an action other than ``ignore`` ran after the latest user message.

    A loop's validation uses it to tell a fresh user message (only the loop itself ran) from a
    return to the loop after another action answered a side question.
    """
    events = list(tracker.events)
    index = _latest_user_index(events)
    if index is None:
        return True
    return any(
        event.get("event") == "action" and event.get("name") not in (ignore, _LISTEN)
        for event in events[index + 1 :]
    )


def misunderstandings_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages in a row were not understood (``nlu_fallback``)."""
    count = 0
    for event in reversed(list(tracker.events)):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count
