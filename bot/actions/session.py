"""Cancel and restart: stop what is under way and forget everything the citizen gave.

Also the start of a new session (``action_session_start``, after ``session_expiration_time``):
the slots are carried over as Rasa does, and a conversation that a person of the office owns
(paused, see ``connectors.common.pause``) stays paused — a new session would otherwise end the
pause. Cancel and restart end a pause too (the pause gate resumes the conversation first), and
forget the handoff (slot ``handoff_id``).
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    ConversationPaused,
    EventType,
    Restarted,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import handoff, render_procedure
from bot.actions.base import BotAction
from bot.actions.replies import send

__all__ = ["CANCELLED", "RESTARTED", "ActionCancel", "ActionRestart", "ActionSessionStart"]

CANCELLED = (
    "Đã hủy. Các thông tin ông/bà vừa cung cấp đã được xóa. Ông/bà cần hỗ trợ việc gì khác không?"
)
RESTARTED = "Chúng ta bắt đầu lại nhé. Ông/bà cần hỗ trợ việc gì?"
# Dossiers already sent (the last receipt code, those waiting in the outbox) outlive a cancel.
_KEPT = ("submission_receipt", "submission_queued")


class ActionCancel(BotAction):
    """Ends any question loop and resets every slot (dossiers already sent are remembered)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Says so and offers the menu."""
        await handoff.leave_handoff(tracker, "cancel")  # off the staff queue (issue 16)
        send(dispatcher, render_procedure.featured(CANCELLED))
        kept = [
            SlotSet(name, tracker.get_slot(name))
            for name in _KEPT
            if tracker.get_slot(name) not in (None, [], "")
        ]
        return [ActiveLoop(None), AllSlotsReset(), *kept]


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
