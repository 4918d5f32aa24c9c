"""Amount estimates: the inputs of the catalog's formula one at a time, then the estimate.

Slots: ``amount_procedure``, ``amount_id`` (which amount of the procedure), ``amount_input`` (the
raw answer to the current input) and ``amount_inputs`` (``{input id: value}``; ``None`` = skipped).
Inputs already answered in the eligibility check (same id) are not asked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import catalog_access, clock, conversation, render_loop
from bot.actions.base import BotAction
from bot.actions.catalog_access import (
    AmountDef,
    AnswerError,
    EstimateError,
    ParameterError,
    Procedure,
    Question,
)
from bot.actions.conversation import LatestMessage
from bot.actions.eligibility import answers_for
from bot.actions.question_loop import (
    ANSWER_INTENTS,
    REJECTED_SLOT,
    AskLoopSlot,
    Decision,
    Outcome,
    QuestionLoopValidation,
    question_replies,
)
from bot.actions.render_procedure import choose_procedure
from bot.actions.replies import Reply, send

__all__ = [
    "ActionAmountResult",
    "ActionAmountStart",
    "ActionAskAmountId",
    "ActionAskAmountInput",
    "ActionAskAmountProcedure",
    "ValidateAmountForm",
]

PROCEDURE_SLOT = "amount_procedure"
AMOUNT_SLOT = "amount_id"
ANSWER_SLOT = "amount_input"
INPUTS_SLOT = "amount_inputs"
WHICH_PROCEDURE = "Ông/bà muốn ước tính số tiền của thủ tục nào?"


def _amount(proc: Procedure | None, amount_id: object) -> AmountDef | None:
    if proc is None:
        return None
    return next((amount for amount in proc.amounts if amount.id == amount_id), None)


def _inputs(slots: Mapping[str, Any]) -> dict[str, object]:
    value = slots.get(INPUTS_SLOT)
    return dict(value) if isinstance(value, Mapping) else {}


def _known(slots: Mapping[str, Any], proc: Procedure, amount: AmountDef) -> dict[str, object]:
    """Inputs given in this estimate, completed by same-id answers of the eligibility check."""
    answers = answers_for(slots.get("eligibility_answers"), proc.id)
    ids = {question.id for question in amount.inputs}
    return {**{key: answers[key] for key in ids if key in answers}, **_inputs(slots)}


def _current(slots: Mapping[str, Any]) -> tuple[Question, bool] | None:
    proc = catalog_access.procedure(slots.get(PROCEDURE_SLOT))
    amount = _amount(proc, slots.get(AMOUNT_SLOT))
    if proc is None or amount is None:
        return None
    answers = answers_for(slots.get("eligibility_answers"), proc.id)
    question = catalog_access.next_amount_input(
        proc, amount, _known(slots, proc, amount), answers, clock.today()
    )
    if question is None:
        return None
    return question, catalog_access.input_is_optional(amount, question)


class ActionAmountStart(BotAction):
    """Starts an estimate for the conversation's procedure (and amount, when only one)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_amount_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Resets the estimate's slots; the form then asks the first input."""
        proc = catalog_access.procedure(conversation.procedure_id(tracker))
        chosen = conversation.latest(tracker).entity("answer")
        amount = _amount(proc, chosen)
        if proc is not None and amount is None and len(proc.amounts) == 1:
            amount = proc.amounts[0]
        if proc is not None and proc.amounts:
            send(dispatcher, [render_loop.amount_intro(proc)])
        return [
            SlotSet(PROCEDURE_SLOT, proc.id if proc else None),
            SlotSet(AMOUNT_SLOT, amount.id if amount else None),
            SlotSet(ANSWER_SLOT, None),
            SlotSet(INPUTS_SLOT, {}),
            SlotSet(REJECTED_SLOT, False),
            *([SlotSet("procedure", proc.id)] if proc else []),
        ]


class ValidateAmountForm(QuestionLoopValidation):
    """``validate_amount_form``: procedure, which amount, then the formula's inputs."""

    PROCEDURE_SLOT = PROCEDURE_SLOT
    ANSWER_SLOT = ANSWER_SLOT
    START_INTENT = "ask_amount"
    CONTINUE_PROMPT = "utter_ask_continue_amount"
    STATE_SLOTS = (AMOUNT_SLOT, INPUTS_SLOT, "eligibility_answers")

    def name(self) -> str:
        """Action name in the domain."""
        return "validate_amount_form"

    def current_question(self, slots: dict[str, Any]) -> tuple[Question, bool] | None:
        """The next input of the chosen amount."""
        return _current(slots)

    def store(self, slots: dict[str, Any], question: Question, value: object) -> None:
        """Adds the input (None = skipped)."""
        inputs = _inputs(slots)
        inputs[question.id] = value
        slots[INPUTS_SLOT] = inputs

    def setup(
        self,
        slots: dict[str, Any],
        requested: str | None,
        message: LatestMessage,
        dispatcher: CollectingDispatcher,
    ) -> Outcome | None:
        """Reads which amount the citizen chose."""
        if requested != AMOUNT_SLOT:
            return None
        proc = catalog_access.procedure(slots.get(PROCEDURE_SLOT))
        amount = _amount(proc, message.entity("answer"))
        if amount is not None:
            slots[AMOUNT_SLOT] = amount.id
            return Outcome(Decision.ACCEPT, amount.id)
        if proc is not None and message.intent in ANSWER_INTENTS and not message.is_payload:
            send(dispatcher, render_loop.choose_amount(proc))
            return Outcome(Decision.ERROR)
        return Outcome(Decision.REJECT)

    def next_slot(self, slots: dict[str, Any]) -> str | None:
        """Procedure, amount (chosen automatically when there is one), inputs; then done."""
        proc = catalog_access.procedure(slots.get(PROCEDURE_SLOT))
        if proc is None:
            return PROCEDURE_SLOT
        if not proc.amounts:
            return None
        if _amount(proc, slots.get(AMOUNT_SLOT)) is None:
            if len(proc.amounts) > 1:
                return AMOUNT_SLOT
            slots[AMOUNT_SLOT] = proc.amounts[0].id
        return ANSWER_SLOT if _current(slots) is not None else None


class ActionAskAmountProcedure(AskLoopSlot):
    """Asks which procedure to estimate for."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_amount_procedure"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """One button per procedure."""
        return choose_procedure(WHICH_PROCEDURE, "inform")


class ActionAskAmountId(AskLoopSlot):
    """Asks which amount of the procedure to estimate."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_amount_id"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """One button per amount."""
        proc = catalog_access.procedure(tracker.get_slot(PROCEDURE_SLOT))
        return render_loop.choose_amount(proc) if proc is not None else []


class ActionAskAmountInput(AskLoopSlot):
    """Asks the next input of the formula."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_amount_input"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The input's question, with "Bỏ qua" when the formula can do without it."""
        return question_replies(_current(tracker.slots))


class ActionAmountResult(BotAction):
    """Says the estimate (always labelled "ước tính"), or why there is none."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_amount_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Estimates with the catalog's formula."""
        slots = tracker.slots
        proc = catalog_access.procedure(slots.get(PROCEDURE_SLOT))
        if proc is None:
            send(dispatcher, [Reply("Ông/bà đã dừng ước tính số tiền.")])
            return []
        amount = _amount(proc, slots.get(AMOUNT_SLOT))
        if amount is None or _current(slots) is not None:
            send(dispatcher, render_loop.no_amount(proc, stopped=bool(proc.amounts)))
            return []
        try:
            result = catalog_access.estimate_amount(
                proc, amount, _known(slots, proc, amount), clock.today()
            )
        except (AnswerError, EstimateError, ParameterError) as error:
            send(dispatcher, render_loop.estimate_failed(proc, error.message))
            return []
        send(dispatcher, render_loop.estimate(proc, amount, result))
        return []
