"""The way to a person: the one action every path to a person runs (``action_offer_human``).

* The citizen asks ("Gặp nhân viên", "cho tôi gặp nhân viên", the button after three wrong
  answers on one field) or complains: the conversation is handed to the office at once
  (:func:`bot.actions.handoff.hand_off`, reason ``asked``, ``field_failures``, ``complaint``).
* Two misunderstandings in a row, or an eligibility verdict that needs staff (the rules run this
  action after ``offer_human`` is set): a person is *offered* — "Gặp cán bộ" / "Không, cảm ơn";
  pressing "Gặp cán bộ" hands over with the reason ``misunderstood`` or ``needs_staff``.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import conversation, handoff, handoff_data, render_handoff
from bot.actions.base import BotAction
from bot.actions.replies import send

__all__ = ["ASKING_INTENTS", "HUMAN_TEXT", "ActionOfferHuman"]

HUMAN_TEXT = handoff.HUMAN_TEXT
# Intents that ask for a person (the others offer one).
ASKING_INTENTS = frozenset({"request_human", "complain"})


class ActionOfferHuman(BotAction):
    """Hands over to a person when asked; offers one otherwise."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_offer_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Hands over (asked, complaint) or offers (misunderstandings, needs staff)."""
        if conversation.latest(tracker).intent in ASKING_INTENTS:
            return await handoff.hand_off(dispatcher, tracker, handoff_data.reason_of(tracker))
        reason = handoff_data.offer_reason(tracker)
        send(dispatcher, render_handoff.offer(reason))
        return [SlotSet(handoff_data.OFFERED_SLOT, reason)]
