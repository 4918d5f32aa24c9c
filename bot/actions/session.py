"""Cancel and restart: stop what is under way and forget everything the citizen gave.

A cancel never loses work by accident: when a form was under way, its slots are kept for 24
hours in slot ``cancelled_work`` and the citizen is asked "Ông/bà muốn hủy hồ sơ đang làm?"
(Có / Không). "Không" (or "khôi phục hồ sơ" within 24 hours) brings the form back at the same
question; "Có" confirms, with a button to restore it.

Also the start of a new session (``action_session_start``, after ``session_expiration_time``):
the slots are carried over as Rasa does, and a conversation that a person of the office owns
(paused, see ``connectors.common.pause``) stays paused — a new session would otherwise end the
pause. Cancel and restart end a pause too (the pause gate resumes the conversation first), and
forget the handoff (slot ``handoff_id``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    ConversationPaused,
    EventType,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import handoff, render_procedure
from bot.actions.base import BotAction
from bot.actions.replies import Button, Reply, payload, send

__all__ = [
    "CANCELLED",
    "CANCELLED_WORK",
    "CANCEL_QUESTION",
    "NOTHING_TO_RESTORE",
    "RESTARTED",
    "RESTORED",
    "ActionCancel",
    "ActionRestart",
    "ActionRestoreWork",
    "ActionSessionStart",
]

CANCELLED = (
    "Đã hủy. Các thông tin ông/bà vừa cung cấp đã được xóa. Ông/bà cần hỗ trợ việc gì khác không?"
)
CANCEL_QUESTION = "Ông/bà muốn hủy hồ sơ đang làm? Các thông tin đã nhập sẽ bị xóa."
CANCELLED_WORK = (
    "Đã hủy hồ sơ đang làm. Nếu hủy nhầm, trong 24 giờ ông/bà bấm “Khôi phục hồ sơ vừa hủy” "
    "hoặc gõ “khôi phục hồ sơ”."
)
RESTORED = "Đã khôi phục hồ sơ. Chúng ta làm tiếp từ câu hỏi đang dở nhé."
NOTHING_TO_RESTORE = (
    "Không có hồ sơ nào vừa hủy trong 24 giờ qua để khôi phục. Ông/bà cần hỗ trợ việc gì?"
)
RESTARTED = "Chúng ta bắt đầu lại nhé. Ông/bà cần hỗ trợ việc gì?"
PENDING_SLOT = "cancel_pending"
"""True right after "Ông/bà muốn hủy hồ sơ đang làm?": a typed yes / no answers it."""
WORK_SLOT = "cancelled_work"
"""The snapshot of a cancelled form: ``{"slots", "loop", "at", "confirmed"}``."""
KEEP_FOR = timedelta(hours=24)
# Dossiers already sent (the last receipt code, those waiting in the outbox) outlive a cancel.
_KEPT = ("submission_receipt", "submission_queued", "submission_history")
_NOT_WORK = frozenset(
    {*_KEPT, WORK_SLOT, PENDING_SLOT, "requested_slot", "session_started_metadata"}
)
_RESTORE_BUTTON = Button("Khôi phục hồ sơ vừa hủy", payload("restore_work"))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _snapshot(tracker: Tracker) -> dict[str, Any] | None:
    """The slots of the form under way, or None when no form was active."""
    loop = (tracker.active_loop or {}).get("name")
    if not loop:
        return None
    slots = {
        name: value
        for name, value in tracker.slots.items()
        if name not in _NOT_WORK and value not in (None, [], {}, "")
    }
    slots["requested_slot"] = tracker.get_slot("requested_slot")
    return {"slots": slots, "loop": loop, "at": _now().isoformat(), "confirmed": False}


def _fresh_snapshot(tracker: Tracker) -> dict[str, Any] | None:
    """The kept snapshot when it is younger than 24 hours."""
    work = tracker.get_slot(WORK_SLOT)
    if not isinstance(work, dict) or not isinstance(work.get("at"), str):
        return None
    try:
        taken = datetime.fromisoformat(work["at"])
    except ValueError:
        return None
    return work if _now() - taken <= KEEP_FOR else None


def _kept(tracker: Tracker) -> list[EventType]:
    return [
        SlotSet(name, tracker.get_slot(name))
        for name in _KEPT
        if tracker.get_slot(name) not in (None, [], "")
    ]


class ActionCancel(BotAction):
    """Ends any question loop and resets every slot (dossiers already sent are remembered).

    When a form was under way, its slots are kept for 24 hours and the citizen is asked to
    confirm; a second cancel ("Có, hủy hồ sơ", "hủy", a typed "có") confirms it, with a button
    to restore it (see the module docstring).
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Asks to confirm when work would be lost; otherwise says so and offers the menu."""
        await handoff.leave_handoff(tracker, "cancel")  # off the staff queue (issue 16)
        work = _snapshot(tracker)
        events: list[EventType] = [ActiveLoop(None), AllSlotsReset(), *_kept(tracker)]
        if work is not None:
            send(dispatcher, [Reply(CANCEL_QUESTION, (
                Button("Có, hủy hồ sơ", payload("cancel")),
                Button("Không, làm tiếp", payload("restore_work")),
            ))])
            return [*events, SlotSet(WORK_SLOT, work), SlotSet(PENDING_SLOT, True)]
        previous = _fresh_snapshot(tracker)
        if previous is not None and not previous.get("confirmed"):
            send(dispatcher, [Reply(CANCELLED_WORK, (_RESTORE_BUTTON,))])
            return [*events, SlotSet(WORK_SLOT, {**previous, "confirmed": True})]
        send(dispatcher, render_procedure.featured(CANCELLED))
        return [*events, SlotSet(WORK_SLOT, previous)] if previous else events


class ActionRestoreWork(BotAction):
    """"Không, làm tiếp" or "khôi phục hồ sơ": the cancelled form comes back where it was."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_restore_work"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Restores the slots and the form, which asks its pending question again."""
        work = _fresh_snapshot(tracker)
        slots = work.get("slots") if work else None
        if work is None or not isinstance(slots, dict) or not work.get("loop"):
            send(dispatcher, render_procedure.featured(NOTHING_TO_RESTORE))
            return [SlotSet(WORK_SLOT, None), SlotSet(PENDING_SLOT, False)]
        send(dispatcher, [Reply(RESTORED)])
        loop = str(work["loop"])
        restored = [SlotSet(name, value) for name, value in slots.items()]
        return [
            *restored,
            SlotSet(WORK_SLOT, None),
            SlotSet(PENDING_SLOT, False),
            ActiveLoop(loop),
            FollowupAction(loop),
        ]


class ActionRestart(BotAction):
    """``/restart`` (and "bắt đầu lại"): a new conversation, with the greeting's menu.

    Overrides Rasa's default ``action_restart`` so the citizen is not left with an empty screen.
    """

    def name(self) -> str:
        """Action name in the domain (the default action it replaces)."""
        return "action_restart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Offers the menu and restarts the tracker."""
        await handoff.leave_handoff(tracker, "restart")  # off the staff queue (issue 16)
        send(dispatcher, render_procedure.featured(RESTARTED))
        return [Restarted()]


class ActionSessionStart(BotAction):
    """A new session: the slots carried over, and the pause kept while a person owns it.

    Overrides Rasa's default ``action_session_start``.
    """

    def name(self) -> str:
        """Action name in the domain (the default action it replaces)."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """``SessionStarted``, the slots, ``ConversationPaused`` if paused, ``action_listen``."""
        events: list[EventType] = [SessionStarted()]
        config = domain.get("session_config") or {}
        if config.get("carry_over_slots_to_new_session", True):
            events.extend(
                SlotSet(name, value) for name, value in tracker.slots.items() if value is not None
            )
        if tracker.is_paused():
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
