"""Two-stage fallback: "did you mean …?" with the likeliest intents, then a person.

The first misunderstanding offers the top intents as buttons (Vietnamese labels); a second one
in a row sets ``offer_human``, and the rules then run ``action_offer_human``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import catalog_access, conversation, handoff, render_procedure
from bot.actions.answer_question import topic_suggestions
from bot.actions.base import BotAction
from bot.actions.caller_codes import caller_code_in, names_a_code
from bot.actions.conversation import PROCEDURE_INTENT_PREFIX
from bot.actions.render_status import receipt_code_in
from bot.actions.replies import Button, Reply, payload, send
from bot.actions.status import status_replies
from bot.actions.texts import INTENT_LABELS

__all__ = ["ActionDefaultFallback", "ActionFallback", "suggestions"]

MAX_SUGGESTIONS = 3
MIN_CONFIDENCE = 0.05
DID_YOU_MEAN = "Xin lỗi, tôi chưa hiểu rõ ý ông/bà. Có phải ông/bà muốn hỏi:"
NOTHING_CLOSE = "Xin lỗi, tôi chưa hiểu rõ ý ông/bà. Ông/bà có thể chọn một mục dưới đây:"
STILL_NOT = "Xin lỗi, tôi vẫn chưa hiểu ý ông/bà."
_WITH_PROCEDURE = frozenset(
    {
        "ask_eligibility",
        "ask_documents",
        "ask_where_to_submit",
        "ask_processing_time",
        "ask_amount",
        "ask_legal_basis",
        "start_submission",
    }
)


def suggestions(ranking: Sequence[tuple[str, float]], procedure_id: str | None) -> list[Button]:
    """Buttons for the likeliest intents that can be offered, best first (at most three)."""
    buttons: list[Button] = []
    for intent, confidence in ranking:
        if confidence < MIN_CONFIDENCE or len(buttons) == MAX_SUGGESTIONS:
            continue
        button = _button(intent, procedure_id)
        if button is not None and button not in buttons:
            buttons.append(button)
    return buttons


def _button(intent: str, procedure_id: str | None) -> Button | None:
    if intent.startswith(PROCEDURE_INTENT_PREFIX):
        proc = catalog_access.procedure(intent[len(PROCEDURE_INTENT_PREFIX) :])
        return render_procedure.procedure_button(proc) if proc is not None else None
    label = INTENT_LABELS.get(intent)
    if label is None or intent == "request_human":
        return None
    if intent in _WITH_PROCEDURE and procedure_id:
        return Button(label, payload(intent, procedure=procedure_id))
    return Button(label, payload(intent))


class ActionFallback(BotAction):
    """Answers a message the NLU did not understand."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Suggests intents, or (second time in a row) hands over to ``action_offer_human``.

        A receipt code typed alone ("HS-7K3M-9Q2P") is not a misunderstanding: its status; nor
        is a code a hotline staff member gave a caller ("7K3 M9Q"): the dossier prepared on the
        phone continues.
        """
        text = conversation.latest(tracker).text
        code = receipt_code_in(text)
        if code is not None:
            send(dispatcher, await status_replies(tracker, code))
            return [SlotSet("offer_human", False)]
        caller = caller_code_in(text)
        if caller is not None:
            events = await handoff.caller_code(caller, names_a_code(text), tracker, dispatcher)
            if events is not None:
                return [SlotSet("offer_human", False), *events]
        if conversation.misunderstandings_in_a_row(tracker) >= 2:
            send(dispatcher, [Reply(STILL_NOT)])
            return [SlotSet("offer_human", True)]
        topics = topic_suggestions(tracker)  # the closest questions of fact come first
        if topics:
            send(dispatcher, [Reply(DID_YOU_MEAN, (*topics, render_procedure.human_button()))])
            return [SlotSet("offer_human", False)]
        procedure_id = tracker.get_slot("procedure")
        current = procedure_id if catalog_access.procedure(procedure_id) is not None else None
        buttons = suggestions(conversation.latest(tracker).ranking, current)
        if buttons:
            send(dispatcher, [Reply(DID_YOU_MEAN, (*buttons, render_procedure.human_button()))])
        else:
            send(dispatcher, render_procedure.featured(NOTHING_CLOSE, with_human=True))
        return [SlotSet("offer_human", False)]


class ActionDefaultFallback(BotAction):
    """Rasa's core fallback (no policy is confident what to do next): the menu and a person.

    Overrides the default ``action_default_fallback``; like it, it forgets the user message.
    """

    def name(self) -> str:
        """Action name in the domain (the default action it replaces)."""
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Says it did not understand and offers the menu and a person."""
        send(dispatcher, render_procedure.featured(NOTHING_CLOSE, with_human=True))
        return [UserUtteranceReverted()]
