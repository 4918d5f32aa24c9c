"""The intake service's handoff events, applied to the citizen's conversation.

Called by :class:`connectors.intake_events.IntakeEventsInput` for the events of
docs/contracts.md "Human handoff" (the webhook has checked the signature and dropped
duplicates). A paused tracker runs no action, so the events that arrive while a person owns the
conversation are applied here directly:

* ``staff_message`` — the text is sent at once on the citizen's channel, then recorded in the
  tracker as a bot utterance with the metadata ``{"staff_name", "handoff_id", "message_id"}``.
  A person owns the conversation from then on (paused, slot ``handoff_id``), even if the
  ``handoff_claimed`` event is still on its way. A refusal of the platform returns its
  Vietnamese reason (``reason_vi`` of ``connectors.common.errors``) for the console.
* ``handoff_claimed`` — "Cán bộ <name> đang hỗ trợ ông/bà…", sent and recorded the same way;
  from then on the assistant is paused (also when the claim came before any staff reply).
* ``staff_message`` and ``handoff_claimed`` suspend every question the assistant was waiting
  for (the active form ends, ``requested_slot`` is emptied): the out-of-hours call-back
  question or a dossier question no longer answers the citizen, whose every message and file
  goes to staff until the hand-back. A dossier interrupted so continues on a hand-back
  ``continue_form`` (its values are kept in the slots and sent back by the intake).
* ``handoff_closed`` — "Cán bộ <name> đã kết thúc cuộc trò chuyện…" is sent and recorded, and
  the assistant is in charge again.
* ``handoff_returned``, ``handoff_expired`` — the tracker is resumed, then
  ``EXTERNAL_intake_event`` is triggered with the event's values as entities (``resume``,
  ``fields``, ``answers``, ``corrected``, ``staff_name`` …): ``action_intake_event`` continues
  the dossier form, ends with the rating, or offers the hotline.

Events of a handoff the conversation has left (the citizen cancelled, declined the call back,
or pressed "bắt đầu lại") are ignored, except staff replies, which always reach the citizen;
the intake is answered that the citizen was not told (:data:`LEFT`), so the console never says
a notice was delivered when nothing was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rasa.core.channels.channel import OutputChannel
from rasa.shared.core.events import (
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.common.masking import mask_id
from connectors.common.pause import HANDOFF_SLOT, handoff_of, locked_tracker, resumed
from connectors.webchat.channel import WebchatOutput

__all__ = [
    "HANDOFF_EVENTS",
    "LEFT",
    "NOT_DELIVERED",
    "apply_handoff_event",
    "claimed_text",
    "closed_text",
    "staff_title",
]

logger = logging.getLogger(__name__)

HANDOFF_EVENTS = frozenset(
    {"staff_message", "handoff_claimed", "handoff_returned", "handoff_closed", "handoff_expired"}
)
NOT_DELIVERED = "Không gửi được tin nhắn tới người dân trên kênh này."
LEFT = (
    "Người dân đã rời yêu cầu hỗ trợ này (đã hủy, không cần gọi lại hoặc bắt đầu lại); "
    "trợ lý không gửi gì cho người dân."
)
REQUESTED_SLOT = "requested_slot"
_TRIGGERED = frozenset({"handoff_returned", "handoff_expired"})
_VALUES = (
    "event",
    "handoff_id",
    "procedure_id",
    "resume",
    "staff_name",
    "fields",
    "answers",
    "corrected",
)


def staff_title(staff_name: str | None) -> str:
    """How the citizen reads a staff member: "Cán bộ <name>" (the console shows the same name)."""
    name = (staff_name or "").strip()
    return f"Cán bộ {name}" if name else "Cán bộ BHXH"


def claimed_text(staff_name: str | None) -> str:
    """What the citizen reads when a staff member takes the conversation."""
    return f"{staff_title(staff_name)} đang hỗ trợ ông/bà. Ông/bà cứ nhắn tiếp tại đây."


def closed_text(staff_name: str | None) -> str:
    """What the citizen reads when the staff member ends the conversation."""
    return (
        f"{staff_title(staff_name)} đã kết thúc cuộc trò chuyện. Cảm ơn ông/bà đã liên hệ. "
        "Khi cần, ông/bà cứ nhắn tại đây: trợ lý BHXH sẽ trả lời."
    )


def take_over(tracker: DialogueStateTracker, handoff_id: int) -> None:
    """A person owns the conversation: no question stays pending, the assistant is paused."""
    if tracker.active_loop_name:
        tracker.update(ActiveLoop(None))
    if tracker.get_slot(REQUESTED_SLOT) is not None:
        tracker.update(SlotSet(REQUESTED_SLOT, None))
    if handoff_of(tracker) != handoff_id:
        tracker.update(SlotSet(HANDOFF_SLOT, str(handoff_id)))
    if not tracker.is_paused():
        tracker.update(ConversationPaused())


def _joined(event: Mapping[str, Any]) -> dict[str, str]:
    """What the web chat shows of a staff member's message: the name, a person is here."""
    return {"staff_name": str(event.get("staff_name") or "Cán bộ BHXH"), "handoff": "staff"}


def _handoff_id(event: Mapping[str, Any]) -> int | None:
    text = str(event.get("handoff_id"))
    return int(text) if text.isdigit() else None


def _reason(error: Exception) -> str | None:
    reason = getattr(error, "reason_vi", None)
    return reason if isinstance(reason, str) else None


async def _send(
    output: OutputChannel, sender_id: str, text: str, **shown: str
) -> str | None:
    """Sends a text on the channel; the platform's reason when it refused.

    ``shown`` tells the web chat page who speaks (``staff_name``) and whether a person joined
    or left (``handoff``: ``staff`` / ``bot``); the other channels ignore it.
    """
    try:
        await output.send_response(sender_id, {"text": text, **shown})
    except Exception as error:
        reason = _reason(error)
        if reason is None:
            logger.exception("handoff: a message to %s could not be sent", mask_id(sender_id))
        return reason or NOT_DELIVERED
    return None


def _record(tracker: DialogueStateTracker, text: str, event: Mapping[str, Any]) -> None:
    metadata = {
        "staff_name": event.get("staff_name") or "",
        "handoff_id": event.get("handoff_id"),
        "message_id": event.get("message_id"),
    }
    tracker.update(BotUttered(text, {}, {k: v for k, v in metadata.items() if v is not None}))


async def apply_handoff_event(
    agent: Any, output: OutputChannel, event: Mapping[str, Any], intent: str
) -> str | None:
    """Applies one handoff event to the citizen's conversation (see the module doc).

    Args:
        agent: Rasa's agent.
        output: the output channel of the citizen's channel.
        event: the event's body (``event``, ``handoff_id``, ``sender_id`` …).
        intent: the intent to trigger for the events the assistant answers.

    Returns:
        None when done; the Vietnamese reason when the channel refused a message.

    Raises:
        Exception: anything else (the action server down …): the intake retries the event.
    """
    kind = str(event.get("event"))
    sender_id = str(event["sender_id"])
    handoff_id = _handoff_id(event)
    if handoff_id is None:
        logger.warning("handoff event %s without a handoff id ignored", kind)
        return None
    if kind == "staff_message":
        return await _staff_message(agent, output, event, sender_id, handoff_id)
    async with locked_tracker(agent, sender_id, output) as tracker:
        if handoff_of(tracker) != handoff_id:
            who = mask_id(sender_id)
            logger.info("%s of handoff %s ignored (%s left it)", kind, handoff_id, who)
            return LEFT
        if kind == "handoff_claimed":
            text = claimed_text(event.get("staff_name"))
            refused = await _send(output, sender_id, text, **_joined(event))
            if refused is None:
                _record(tracker, text, event)
            take_over(tracker, handoff_id)
            return refused
        if tracker.is_paused():
            for resume_event in resumed():
                tracker.update(resume_event)
        if kind not in _TRIGGERED:  # handoff_closed
            tracker.update(SlotSet(HANDOFF_SLOT, None))
            text = closed_text(event.get("staff_name"))
            refused = await _send(output, sender_id, text, handoff="bot")
            if refused is None:
                _record(tracker, text, event)
            return refused
        if isinstance(output, WebchatOutput):  # the page's header: the assistant again
            await output.send_response(sender_id, {"handoff": "bot"})
        entities = [
            {"entity": name, "value": event[name]}
            for name in _VALUES
            if event.get(name) not in (None, "")
        ]
        try:
            await agent.trigger_intent(intent, entities, output, tracker)
        except Exception as error:
            reason = _reason(error)
            if reason is None:
                raise
            logger.warning("handoff %s: %s not told (%s)", handoff_id, kind, reason)
            return reason
    return None


async def _staff_message(
    agent: Any, output: OutputChannel, event: Mapping[str, Any], sender_id: str, handoff_id: int
) -> str | None:
    """Sends a staff reply at once, then records it and keeps the assistant paused."""
    text = str(event.get("text") or "").strip()
    if not text:
        return "Tin nhắn trống."
    refused = await _send(output, sender_id, text, **_joined(event))
    if refused is not None:
        return refused
    async with locked_tracker(agent, sender_id, output) as tracker:
        _record(tracker, text, event)
        take_over(tracker, handoff_id)
    return None
