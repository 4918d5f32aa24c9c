"""The way to a person: the one seam the handoff issue will replace.

Every path that should reach a person (the "Gặp nhân viên" button, a complaint, two
misunderstandings in a row, a verdict that needs staff) runs ``action_offer_human``. Until the
handoff to the staff console exists, it gives the hotline.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.base import BotAction
from bot.actions.replies import Reply, send
from bot.actions.texts import HOTLINE_SENTENCE

__all__ = ["HUMAN_TEXT", "ActionOfferHuman"]

HUMAN_TEXT = (
    f"Để được cán bộ BHXH hỗ trợ trực tiếp, ông/bà vui lòng gọi {HOTLINE_SENTENCE}. "
    "Ông/bà cũng có thể đến cơ quan BHXH nơi cư trú."
)


class ActionOfferHuman(BotAction):
    """Offers a person (for now: the hotline)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_offer_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Gives the hotline."""
        send(dispatcher, [Reply(HUMAN_TEXT)])
        return []
