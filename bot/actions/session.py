"""Cancel and restart: stop what is under way and forget everything the citizen gave."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import render_procedure
from bot.actions.base import BotAction
from bot.actions.replies import send

__all__ = ["CANCELLED", "RESTARTED", "ActionCancel", "ActionRestart"]

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
        send(dispatcher, render_procedure.featured(RESTARTED))
        return [Restarted()]
