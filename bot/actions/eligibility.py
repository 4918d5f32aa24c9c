"""The interactive eligibility check: the catalog's questions one at a time, then the verdict.

Slots: ``eligibility_procedure`` (the procedure checked), ``eligibility_answer`` (the raw answer
to the current question), ``eligibility_answers`` (``{procedure id: {question id: answer}}``,
JSON values; kept after the check so the documents checklist can be tailored to them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bhxh_catalog.story import answers_in_story
from bot.actions import catalog_access, clock, conversation, render_loop
from bot.actions.base import BotAction
from bot.actions.catalog_access import Question
from bot.actions.question_loop import (
    REJECTED_SLOT,
    AskLoopSlot,
    QuestionLoopValidation,
    question_replies,
)
from bot.actions.render_procedure import choose_procedure
from bot.actions.replies import Reply, send

__all__ = [
    "ActionAskEligibilityAnswer",
    "ActionAskEligibilityProcedure",
    "ActionEligibilityStart",
    "ActionEligibilityVerdict",
    "ValidateEligibilityForm",
    "answers_for",
]

PROCEDURE_SLOT = "eligibility_procedure"
ANSWER_SLOT = "eligibility_answer"
ANSWERS_SLOT = "eligibility_answers"
OFFER_HUMAN_SLOT = "offer_human"
WHICH_PROCEDURE = "Ông/bà muốn kiểm tra điều kiện của thủ tục nào?"
STOPPED = "Ông/bà đã dừng kiểm tra điều kiện. Khi cần, ông/bà cứ hỏi lại tôi."


def answers_for(all_answers: object, procedure_id: str) -> dict[str, object]:
    """The eligibility answers already given for one procedure (empty when none)."""
    if not isinstance(all_answers, Mapping):
        return {}
    mine = all_answers.get(procedure_id)
    return dict(mine) if isinstance(mine, Mapping) else {}


def _current(slots: Mapping[str, Any]) -> tuple[Question, bool] | None:
    proc = catalog_access.procedure(slots.get(PROCEDURE_SLOT))
    if proc is None:
        return None
    answers = answers_for(slots.get(ANSWERS_SLOT), proc.id)
    question = catalog_access.next_question(proc, answers, clock.today())
    return (question, False) if question is not None else None


class ActionEligibilityStart(BotAction):
    """Starts a check: the procedure of the conversation, its earlier answers forgotten."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_eligibility_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Resets the check's slots; the form then asks the first question."""
        procedure_id = conversation.procedure_id(tracker)
        all_answers = tracker.get_slot(ANSWERS_SLOT)
        kept = dict(all_answers) if isinstance(all_answers, Mapping) else {}
        events: list[EventType] = [
            SlotSet(PROCEDURE_SLOT, procedure_id),
            SlotSet(ANSWER_SLOT, None),
            SlotSet(REJECTED_SLOT, False),
        ]
        proc = catalog_access.procedure(procedure_id)
        if proc is not None:
            kept.pop(proc.id, None)
            told = answers_in_story(proc.questions, conversation.latest(tracker).text)
            send(dispatcher, [render_loop.eligibility_intro(proc)])
            if told:
                kept[proc.id] = {qid: catalog_access.stored(value) for qid, value in told.items()}
                send(dispatcher, render_loop.told_in_story(proc, told))
            events.append(SlotSet("procedure", proc.id))
        events.append(SlotSet(ANSWERS_SLOT, kept))
        return events


class ValidateEligibilityForm(QuestionLoopValidation):
    """``validate_eligibility_form``: reads each answer, asks the catalog for the next question."""

    PROCEDURE_SLOT = PROCEDURE_SLOT
    ANSWER_SLOT = ANSWER_SLOT
    START_INTENT = "ask_eligibility"
    CONTINUE_PROMPT = "utter_ask_continue_eligibility"
    STATE_SLOTS = (ANSWERS_SLOT,)

    def name(self) -> str:
        """Action name in the domain."""
        return "validate_eligibility_form"

    def current_question(self, slots: dict[str, Any]) -> tuple[Question, bool] | None:
        """The catalog's next question for the answers so far."""
        return _current(slots)

    def store(self, slots: dict[str, Any], question: Question, value: object) -> None:
        """Adds the answer to the procedure's answers."""
        procedure_id = str(slots[PROCEDURE_SLOT])
        previous = slots.get(ANSWERS_SLOT)
        all_answers = dict(previous) if isinstance(previous, Mapping) else {}
        mine = answers_for(all_answers, procedure_id)
        mine[question.id] = value
        all_answers[procedure_id] = mine
        slots[ANSWERS_SLOT] = all_answers

    def next_slot(self, slots: dict[str, Any]) -> str | None:
        """Procedure first, then questions until the verdict is decided."""
        if catalog_access.procedure(slots.get(PROCEDURE_SLOT)) is None:
            return PROCEDURE_SLOT
        return ANSWER_SLOT if _current(slots) is not None else None


class ActionAskEligibilityProcedure(AskLoopSlot):
    """Asks which procedure to check."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_eligibility_procedure"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """One button per procedure."""
        return choose_procedure(WHICH_PROCEDURE, "inform")


class ActionAskEligibilityAnswer(AskLoopSlot):
    """Asks the catalog's next question."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_eligibility_answer"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The question with its buttons or an example."""
        return question_replies(_current(tracker.slots))


class ActionEligibilityVerdict(BotAction):
    """Says the verdict; asks for a person when the catalog says staff must decide."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_eligibility_verdict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Sends the verdict and sets ``offer_human`` for ``needs_staff``."""
        proc = catalog_access.procedure(tracker.get_slot(PROCEDURE_SLOT))
        if proc is None:
            send(dispatcher, [Reply(STOPPED)])
            return [SlotSet(OFFER_HUMAN_SLOT, False)]
        answers = answers_for(tracker.get_slot(ANSWERS_SLOT), proc.id)
        result = catalog_access.verdict(proc, answers, clock.today())
        send(dispatcher, render_loop.verdict(proc, result))
        return [SlotSet(OFFER_HUMAN_SLOT, result.outcome == "needs_staff")]
