"""What the assistant can do (the menu), and a bare answer given outside any question."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import catalog_access, conversation, render_procedure
from bot.actions.base import BotAction
from bot.actions.replies import send

__all__ = ["ActionInform", "ActionMenu"]

WHICH_PROCEDURE = "Cảm ơn ông/bà. Ông/bà cần hỗ trợ về thủ tục nào?"


class ActionMenu(BotAction):
    """The procedure groups, or the procedures of the group the citizen picked."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Shows the menu (``/ask_capabilities{"answer": "<category>"}`` opens one group)."""
        category = conversation.latest(tracker).entity("answer")
        send(dispatcher, render_procedure.menu(category if isinstance(category, str) else None))
        return []


class ActionInform(BotAction):
    """A bare answer outside a question: the procedure it names, else which procedure."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Shows the named procedure's overview, or the most asked procedures."""
        proc = catalog_access.procedure(
            conversation.procedure_from_message(conversation.latest(tracker))
        )
        if proc is None:
            send(dispatcher, render_procedure.featured(WHICH_PROCEDURE))
            return []
        send(dispatcher, render_procedure.overview(proc))
        return [SlotSet("procedure", proc.id)]
