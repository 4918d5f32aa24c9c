"""A question loop driven by the catalog, on top of a Rasa form.

The form (``eligibility_form``, ``amount_form``) has one slot for the procedure, optional setup
slots and one *answer slot* that receives the raw answer to the current question. The catalog says
which question comes next; the answers are kept in one dictionary slot. So one form serves every
procedure, and a new question in the catalog needs no code.

For each user message the validation action decides (:func:`decide`):

* **accept** — the message answers the question: store it, ask the next one;
* **error** — it tries to but cannot be read: one message with an example (the question is not
  repeated after it, see ``answer_rejected``);
* **reject** — it is something else (a side question, a greeting): the form lets the rules
  answer, then comes back;
* **reask** — "tiếp tục" (or "có" after "Ông/bà có muốn tiếp tục …?"): ask the question again;
* **stop** — "không" after "… có muốn tiếp tục …?": the form ends early.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bhxh_catalog.validators.choice import NO_WORDS, YES_WORDS, AmbiguousChoice
from bhxh_catalog.vntext import fold, is_question, tokens
from bot.actions import catalog_access, conversation
from bot.actions.base import BotAction
from bot.actions.catalog_access import AnswerError, InvalidValue, Question
from bot.actions.conversation import LatestMessage
from bot.actions.render_loop import SKIP, answer_buttons, question_prompt, read_back
from bot.actions.render_procedure import choose_procedure
from bot.actions.replies import Button, Reply, send, with_buttons

__all__ = [
    "ANSWER_INTENTS",
    "CALLER_CODE_INTENT",
    "EXTERNAL_INTENT",
    "NEVER_AN_ANSWER",
    "REJECTED_SLOT",
    "REQUESTED_SLOT",
    "SKIP_WORDS",
    "AskLoopSlot",
    "Decision",
    "Outcome",
    "QuestionLoopValidation",
    "answers_closed_question",
    "decide",
    "loop_control",
    "question_replies",
]

REQUESTED_SLOT = "requested_slot"
REJECTED_SLOT = "answer_rejected"
# Intents a typed answer is usually classified as; other intents only count as an answer when
# the text reads as one without doubt.
ANSWER_INTENTS = frozenset({"inform", "affirm", "deny", "nlu_fallback"})
# The intent of events from the intake service (a status change, a receipt delivered later):
# Rasa triggers it in the conversation, the rules answer it, the loop asks its question again.
EXTERNAL_INTENT = "EXTERNAL_intake_event"
# Intents that always leave the loop to the rules (the domain's answer slots exclude them too).
CALLER_CODE_INTENT = "EXTERNAL_caller_code"  # a caller's code (connectors/common/pause.py)
NEVER_AN_ANSWER = frozenset(
    {"cancel", "restart", "request_human", EXTERNAL_INTENT, CALLER_CODE_INTENT, "erase_my_data"}
)
# What a citizen types to skip an optional question (folded).
SKIP_WORDS = frozenset({"bo qua", "khong biet", "khong nho", "khong ro", "bo qua cau nay"})
_ENTITY_FOR_KIND = {
    "date": ("date",),
    "money": ("money", "number"),
    "number": ("number",),
    "integer": ("number",),
}
CHOOSE_PROCEDURE = "Ông/bà vui lòng chọn một thủ tục trong danh sách."
CHOOSE_OPTION = "Ông/bà vui lòng chọn một mục dưới đây (hoặc gõ số thứ tự, ví dụ: 1)."


class Decision(Enum):
    """What the loop does with a user message."""

    ACCEPT = "accept"
    ERROR = "error"
    REJECT = "reject"
    REASK = "reask"
    STOP = "stop"


@dataclass(frozen=True)
class Outcome:
    """A decision, with the read value (accept) or the Vietnamese message (error).

    ``in_sentence``: the value was found inside a longer message (which may hold other values).
    """

    decision: Decision
    value: object = None
    message: str = ""
    in_sentence: bool = False


def decide(
    question: Question,
    message: LatestMessage,
    *,
    after_prompt: bool,
    start_intent: str,
    procedure_id: str,
    optional: bool = False,
) -> Outcome:
    """Decides what a user message means for the current question.

    Args:
        question: the question being asked.
        message: the user's latest message.
        after_prompt: the bot's last message asked whether to continue the loop.
        start_intent: the intent that starts this loop (``ask_eligibility``, ``ask_amount``).
        procedure_id: the procedure of the loop.
        optional: the citizen may skip this question ("Bỏ qua").
    """
    intent = message.intent
    control = loop_control(intent, after_prompt)
    if control is not None:
        return Outcome(control)
    button = message.entity("answer")
    if button is not None:
        if optional and button == SKIP:
            return Outcome(Decision.ACCEPT, None)
        return _read(question, button, message, lenient=True)
    if intent == start_intent:
        named = conversation.procedure_from_message(message)
        return Outcome(Decision.REJECT if named not in (None, procedure_id) else Decision.REASK)
    if message.is_payload:
        return Outcome(Decision.REJECT)
    if optional and fold(message.text).strip(" .!?") in SKIP_WORDS:
        return Outcome(Decision.ACCEPT, None)
    lenient = intent in ANSWER_INTENTS
    if (
        not lenient
        and question.kind in ("yes_no", "choice")
        and not answers_closed_question(question.kind, message.text, question.read)
    ):
        return Outcome(Decision.REJECT)
    return _read(question, message.text, message, lenient=lenient)


def loop_control(intent: str, after_prompt: bool) -> Decision | None:
    """"Tiếp tục" repeats the question; after "… có muốn tiếp tục …?" yes repeats, no stops."""
    if intent == "continue" or (after_prompt and intent == "affirm"):
        return Decision.REASK
    if after_prompt and intent == "deny":
        return Decision.STOP
    return None


def _read(question: Question, raw: object, message: LatestMessage, lenient: bool) -> Outcome:
    try:
        return Outcome(Decision.ACCEPT, catalog_access.read_answer(question, raw))
    except AnswerError as error:
        from_entity = _read_entities(question, message)
        if from_entity is not None:
            return Outcome(Decision.ACCEPT, from_entity)
        ambiguous = error.__cause__
        if isinstance(ambiguous, AmbiguousChoice):
            return Outcome(Decision.ERROR, ambiguous.candidates, message=error.message)
        if lenient:
            return Outcome(Decision.ERROR, message=error.message)
        return Outcome(Decision.REJECT)


def _answer_of(button: Button) -> str | None:
    """The ``answer`` of a button's payload (``/inform{"answer":"da_dung"}`` → ``da_dung``)."""
    _, _, entities = button.payload.partition("{")
    marker = '"answer":"'
    start = entities.find(marker)
    if start < 0:
        return None
    return entities[start + len(marker) :].split('"', 1)[0]


def _read_entities(question: Question, message: LatestMessage) -> object | None:
    """An answer found by the value extractor in a longer sentence ("tôi sinh ngày 1/2/1965")."""
    for entity in _ENTITY_FOR_KIND.get(question.kind, ()):
        value = message.entity(entity)
        if value is None:
            continue
        try:
            return catalog_access.read_answer(question, value)
        except AnswerError:
            continue
    return None


_SHORT_YES_NO = 4
"""A yes/no answer inside a sentence counts only this short or when it opens the sentence
("không, mẹ tôi chưa nhận"): "tôi nghỉ rồi" must not read "rồi" as yes to another question."""


def answers_closed_question(kind: str, text: str, read: Callable[[str], object]) -> bool:
    """True when a typed message answers a yes/no or choice question, not asks something.

    "tôi nghỉ rồi, không đóng nữa" answers "còn đóng BHXH hay đang hưởng lương hưu?";
    "bao lâu thì có tiền?" is a question for the knowledge base, and the form waits.

    Args:
        kind: ``yes_no`` or ``choice``.
        text: the message as typed.
        read: the question's reader (raises on a text it cannot read).
    """
    if is_question(text):
        return False
    words = tokens(text)
    opens_with_answer = bool(words) and (words[0] in YES_WORDS or words[0] in NO_WORDS)
    if kind == "yes_no" and len(words) > _SHORT_YES_NO and not opens_with_answer:
        return False
    try:
        read(text)
    except AmbiguousChoice:
        return True
    except (AnswerError, InvalidValue) as error:
        return isinstance(error.__cause__, AmbiguousChoice)
    return True


class QuestionLoopValidation(FormValidationAction, ABC):  # type: ignore[misc]
    """The validation action of a question loop (``validate_<form>``).

    Subclasses name the form's slots and say which question comes next; this class reads the
    message, stores answers and chooses the next requested slot itself (``required_slots`` of
    the domain only lists the slots).
    """

    PROCEDURE_SLOT: ClassVar[str]
    ANSWER_SLOT: ClassVar[str]
    START_INTENT: ClassVar[str]
    CONTINUE_PROMPT: ClassVar[str]
    STATE_SLOTS: ClassVar[tuple[str, ...]]

    @abstractmethod
    def current_question(self, slots: dict[str, Any]) -> tuple[Question, bool] | None:
        """The question being asked and whether it may be skipped; None when there is none."""

    @abstractmethod
    def store(self, slots: dict[str, Any], question: Question, value: object) -> None:
        """Records an answer in ``slots`` (value None = skipped)."""

    @abstractmethod
    def next_slot(self, slots: dict[str, Any]) -> str | None:
        """The slot to request next, or None when the loop is done."""

    def setup(
        self,
        slots: dict[str, Any],
        requested: str | None,
        message: LatestMessage,
        dispatcher: CollectingDispatcher,
    ) -> Outcome | None:
        """Handles a requested setup slot other than procedure and answer (default: none)."""
        return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validates the latest message and picks the next slot (see the module docstring)."""
        names = (self.PROCEDURE_SLOT, self.ANSWER_SLOT, *self.STATE_SLOTS)
        before = {name: tracker.get_slot(name) for name in names}
        slots = dict(before)
        candidates = tracker.slots_to_validate()
        fresh = not conversation.action_ran_since_user(tracker, ignore=self.form_name())
        requested = tracker.get_slot(REQUESTED_SLOT) if fresh else None
        message = conversation.latest(tracker)

        if catalog_access.procedure(slots[self.PROCEDURE_SLOT]) is None:
            slots[self.PROCEDURE_SLOT] = None
        after_prompt = fresh and conversation.previous_bot_action(tracker) == self.CONTINUE_PROMPT
        control = loop_control(message.intent, after_prompt) if fresh else None
        outcome: Outcome | None
        if control is not None:
            outcome = Outcome(control)
        elif requested == self.PROCEDURE_SLOT:
            outcome = self._choose_procedure(slots, candidates, message, dispatcher)
        elif requested == self.ANSWER_SLOT:
            outcome = self._answer(slots, message, after_prompt, dispatcher)
        else:
            outcome = self.setup(slots, requested, message, dispatcher)

        if outcome is not None and outcome.decision is Decision.REJECT:
            return [SlotSet(self.ANSWER_SLOT, None), ActionExecutionRejected(self.form_name())]
        if outcome is not None and outcome.decision is Decision.STOP:
            return [SlotSet(self.ANSWER_SLOT, None), SlotSet(REQUESTED_SLOT, None)]
        rejected = outcome is not None and outcome.decision is Decision.ERROR

        slots[self.ANSWER_SLOT] = None
        next_slot = self.next_slot(slots)  # may complete a setup slot (a single amount)
        events: list[EventType] = [
            SlotSet(name, value)
            for name, value in slots.items()
            if value != before[name] or name in candidates
        ]
        chosen = slots[self.PROCEDURE_SLOT]
        if chosen and (
            chosen != before[self.PROCEDURE_SLOT]
            or self.PROCEDURE_SLOT in candidates
            or tracker.get_slot("procedure") != chosen
        ):
            events.append(SlotSet("procedure", chosen))
        events.append(SlotSet(REJECTED_SLOT, rejected))
        events.append(SlotSet(REQUESTED_SLOT, next_slot))
        return events

    def _choose_procedure(
        self,
        slots: dict[str, Any],
        candidates: Mapping[str, Any],
        message: LatestMessage,
        dispatcher: CollectingDispatcher,
    ) -> Outcome:
        chosen = candidates.get(self.PROCEDURE_SLOT)
        if chosen is None:
            chosen = conversation.procedure_from_message(message)
        if catalog_access.procedure(chosen) is not None:
            slots[self.PROCEDURE_SLOT] = chosen
            return Outcome(Decision.ACCEPT, chosen)
        if message.intent in ANSWER_INTENTS and not message.is_payload:
            send(dispatcher, choose_procedure(CHOOSE_PROCEDURE, "inform"))
            return Outcome(Decision.ERROR, message=CHOOSE_PROCEDURE)
        return Outcome(Decision.REJECT)

    def _answer(
        self,
        slots: dict[str, Any],
        message: LatestMessage,
        after_prompt: bool,
        dispatcher: CollectingDispatcher,
    ) -> Outcome | None:
        current = self.current_question(slots)
        if current is None:
            return None
        # The message itself is read (not the answer slot): after "… có muốn tiếp tục …?" a rule
        # brings the citizen back to the loop and Rasa neither fills the slot nor validates.
        if message.intent in NEVER_AN_ANSWER:
            return Outcome(Decision.REJECT)  # cancel, restart, a person: the rules answer
        question, optional = current
        outcome = decide(
            question,
            message,
            after_prompt=after_prompt,
            start_intent=self.START_INTENT,
            procedure_id=str(slots[self.PROCEDURE_SLOT]),
            optional=optional,
        )
        if outcome.decision is Decision.ACCEPT:
            self.store(slots, question, catalog_access.stored(outcome.value))
            if not message.is_payload:
                send(dispatcher, read_back(question, message.text, outcome.value))
        elif outcome.decision is Decision.ERROR and isinstance(outcome.value, tuple):
            buttons = [b for b in answer_buttons(question) if _answer_of(b) in outcome.value]
            send(dispatcher, with_buttons(outcome.message, buttons))
        elif outcome.decision is Decision.ERROR:
            text = CHOOSE_OPTION if question.kind == "choice" else outcome.message
            send(dispatcher, with_buttons(text, answer_buttons(question, optional)))
        return outcome


class AskLoopSlot(BotAction, ABC):
    """An ``action_ask_<slot>`` of a loop: silent right after an error message, else asks."""

    @abstractmethod
    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The message(s) asking for the slot."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Asks, unless the error message just sent already said what to answer."""
        if tracker.get_slot(REJECTED_SLOT):
            return [SlotSet(REJECTED_SLOT, False)]
        send(dispatcher, self.prompt(tracker))
        return []


def question_replies(current: tuple[Question, bool] | None) -> list[Reply]:
    """The prompt for the current question (nothing when there is none)."""
    if current is None:
        return []
    question, optional = current
    return question_prompt(question, optional)
