"""The generic data-collection form: one Rasa form for every procedure's dossier.

``submission_form`` has three requested slots: ``submission_procedure`` (which procedure, when the
conversation does not say), ``submission_answer`` (the raw answer to the current step) and
``submission_confirm`` (the citizen's choice on the summary). The validation action asks
:mod:`bot.actions.dossier` what comes next (the catalog's eligibility questions, then its
fields) and sets ``requested_slot`` itself, like the other question loops
(:mod:`bot.actions.question_loop`).

State slots: ``submission_fields`` (``{field id: JSON value}``, ``None`` = skipped),
``eligibility_answers`` (shared with the eligibility check, so nothing is asked twice),
``submission_editing`` (the field being corrected), ``submission_failures`` (wrong answers in a
row per step), ``submission_confirmed`` ("Gửi hồ sơ" pressed), ``submission_attachments``
(photos and files, see :mod:`bot.actions.attachments`), ``submission_dossier_id`` (the dossier's
id, created once, used as the Idempotency-Key).

Per message: an answer is read with the shared validators (on the whole message, then on the
values found inside it); a wrong answer gets one message saying what is wrong with one example
(the question is not repeated after it), and after three wrong answers "Giải thích thêm",
"Bỏ qua" (optional fields) and "Gặp nhân viên"; anything else (a side question, a greeting) is
left to the rules, and the form asks its question again afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bhxh_catalog.vntext import fold, tokens
from bot.actions import (
    attachments,
    catalog_access,
    clock,
    consent,
    conversation,
    dossier,
    render_dossier,
)
from bot.actions.catalog_access import FieldDef, InvalidValue
from bot.actions.conversation import LatestMessage
from bot.actions.dossier import DossierState, Step
from bot.actions.eligibility import answers_for
from bot.actions.question_loop import (
    ANSWER_INTENTS,
    NEVER_AN_ANSWER,
    REJECTED_SLOT,
    REQUESTED_SLOT,
    SKIP_WORDS,
    AskLoopSlot,
    Decision,
    Outcome,
    answers_closed_question,
    decide,
)
from bot.actions.render_loop import SKIP
from bot.actions.render_procedure import choose_procedure
from bot.actions.replies import Button, Reply, payload, send, with_buttons

__all__ = [
    "ATTACHMENTS_SLOT",
    "CONFIRMED_SLOT",
    "DOSSIER_SLOT",
    "FIELDS_SLOT",
    "PROCEDURE_SLOT",
    "ActionAskSubmissionAnswer",
    "ActionAskSubmissionConfirm",
    "ActionAskSubmissionProcedure",
    "ValidateSubmissionForm",
    "new_dossier_id",
    "state_of",
]

FORM = "submission_form"
PROCEDURE_SLOT = "submission_procedure"
ANSWER_SLOT = "submission_answer"
CONFIRM_SLOT = "submission_confirm"
FIELDS_SLOT = "submission_fields"
EDITING_SLOT = "submission_editing"
FAILURES_SLOT = "submission_failures"
CONFIRMED_SLOT = "submission_confirmed"
ATTACHMENTS_SLOT = "submission_attachments"
DOSSIER_SLOT = "submission_dossier_id"
ANSWERS_SLOT = "eligibility_answers"
STATE_SLOTS = (
    PROCEDURE_SLOT,
    ANSWER_SLOT,
    CONFIRM_SLOT,
    FIELDS_SLOT,
    EDITING_SLOT,
    FAILURES_SLOT,
    CONFIRMED_SLOT,
    ATTACHMENTS_SLOT,
    DOSSIER_SLOT,
    ANSWERS_SLOT,
    consent.CONSENT_SLOT,  # issue 17: consent before the first question (bot/actions/consent.py)
    consent.RECORD_SLOT,
)
START_INTENT = "start_submission"
WHICH_PROCEDURE = "Ông/bà muốn nộp hồ sơ thủ tục nào?"
SEND_OR_CANCEL = "Ông/bà muốn gửi hồ sơ hay hủy hồ sơ này?"
CONFIRM_HELP = (
    "Ông/bà bấm “Gửi hồ sơ” để gửi, chọn mục cần sửa, hoặc gõ “hủy” nếu không muốn nộp nữa."
)
# Confidence above which a question-like intent is a side question, not a free-text answer.
SIDE_QUESTION_CONFIDENCE = 0.8
_SEND_WORDS = frozenset(
    {
        "gui",
        "gui di",
        "gui ho so",
        "nop",
        "nop di",
        "nop ho so",
        "dong y",
        "xac nhan",
        "ok",
        "dung roi",
        "chinh xac",
        "dung",
        "gui luon",
        "nop luon",
    }
)


def new_dossier_id() -> str:
    """A new dossier id (also the Idempotency-Key of its submission)."""
    return uuid.uuid4().hex


def _mapping(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def state_of(slots: Mapping[str, Any]) -> DossierState | None:
    """The dossier kept in the slots, or None when no procedure is chosen."""
    proc = catalog_access.procedure(slots.get(PROCEDURE_SLOT))
    if proc is None:
        return None
    editing = slots.get(EDITING_SLOT)
    return DossierState(
        proc,
        answers_for(slots.get(ANSWERS_SLOT), proc.id),
        _mapping(slots.get(FIELDS_SLOT)),
        editing if isinstance(editing, str) else None,
    )


def current_step(slots: Mapping[str, Any]) -> Step | None:
    """The step being asked, or None."""
    state = state_of(slots)
    return dossier.next_step(state, clock.today()) if state is not None else None


def _summary_rows(state: DossierState) -> list[tuple[FieldDef, object]]:
    today = clock.today()
    return [(item, state.fields.get(item.id)) for item in dossier.active_fields(state, today)]


def summary_replies(slots: Mapping[str, Any]) -> list[Reply]:
    """The summary with "Gửi hồ sơ", "Hủy" and the "Sửa …" buttons."""
    state = state_of(slots)
    if state is None:
        return []
    attached = slots.get(ATTACHMENTS_SLOT)
    return render_dossier.summary(
        state.proc,
        _summary_rows(state),
        attached if isinstance(attached, list) else [],
        dossier.documents(state, clock.today()),
    )


def _confidence(message: LatestMessage) -> float:
    return dict(message.ranking).get(message.intent, 0.0)


def read_field_message(state: DossierState, item: FieldDef, message: LatestMessage) -> Outcome:
    """Decides what a message means for a field (accept, error, reject, ask again).

    Args:
        state: the dossier (its known values are checked against).
        item: the field asked.
        message: the citizen's message.
    """
    optional = not item.required
    if message.intent == "continue":
        return Outcome(Decision.REASK)
    button = message.entity("answer")
    if button is not None:
        if optional and button == SKIP:
            return Outcome(Decision.ACCEPT, None)
        try:
            return Outcome(Decision.ACCEPT, dossier.read_field(state, item, button))
        except InvalidValue as error:
            return Outcome(Decision.ERROR, message=error.message)
    if message.intent == START_INTENT:
        named = conversation.procedure_from_message(message)
        return Outcome(Decision.REJECT if named not in (None, state.proc.id) else Decision.REASK)
    if message.is_payload:
        return Outcome(Decision.REJECT)
    text = message.text
    if optional and fold(text).strip(" .!?") in SKIP_WORDS:
        return Outcome(Decision.ACCEPT, None)
    answer_like = message.intent in ANSWER_INTENTS
    if (
        item.type in dossier.TEXT_TYPES
        and not answer_like
        and (_confidence(message) >= SIDE_QUESTION_CONFIDENCE or "?" in text)
    ):
        return Outcome(Decision.REJECT)
    if (
        item.type in ("yes_no", "choice")
        and not answer_like
        and not answers_closed_question(
            item.type, text, lambda typed: dossier.read_field(state, item, typed)
        )
    ):
        return Outcome(Decision.REJECT)
    try:
        return Outcome(Decision.ACCEPT, dossier.read_field(state, item, text))
    except InvalidValue as error:
        found, candidate_error = dossier.read_field_candidates(state, item, text, message.entities)
        if found is not None:
            return Outcome(Decision.ACCEPT, found, in_sentence=True)
        if answer_like or item.type in dossier.TEXT_TYPES:
            return Outcome(Decision.ERROR, message=candidate_error or error.message)
        return Outcome(Decision.REJECT)


_SEND_OR_CANCEL_BUTTONS = (
    Button("Gửi hồ sơ", payload("inform", answer=render_dossier.SEND)),
    Button("Hủy hồ sơ", payload("cancel")),
)
_SEND_VERBS = frozenset({"gui", "nop", "send"})
_CANCEL_VERBS = frozenset({"huy", "xoa", "thoat"})
_NEGATION_BEFORE = frozenset({"khong", "ko", "k", "kh", "chua", "dung", "hong", "cha", "khoi"})
"""Folded words that negate the verb right after them ("đừng gửi", "chưa nộp", "khỏi gửi")."""
_NEGATION_TWO_BEFORE = frozenset({"khong", "ko", "chua"})
"""… or two words before it ("không cần gửi", "chưa muốn nộp")."""


def _said(words: list[str], verbs: frozenset[str]) -> bool:
    """True when one of ``verbs`` is said and not negated."""
    for index, word in enumerate(words):
        if word not in verbs:
            continue
        before = words[index - 1] if index >= 1 else ""
        two_before = words[index - 2] if index >= 2 else ""
        if before not in _NEGATION_BEFORE and two_before not in _NEGATION_TWO_BEFORE:
            return True
    return False


def send_or_cancel(text: str) -> str | None:
    """What a typed message at the summary asks for: ``send``, ``cancel``, ``both`` or None.

    "thôi gửi đi" sends (it once deleted the dossier); "đừng gửi, hủy đi" cancels;
    "hủy hay gửi?" is asked back with both buttons.
    """
    words = tokens(text)
    send_said = _said(words, _SEND_VERBS) or "dong y" in " ".join(words)
    cancel_said = _said(words, _CANCEL_VERBS)
    if send_said and cancel_said:
        return "both"
    if send_said:
        return "send"
    if cancel_said:
        return "cancel"
    return None


def _names_a_value(state: DossierState, fields: list[FieldDef], message: LatestMessage) -> bool:
    """True for a correction typed without "sửa": "sđt đúng là 0905 123 456"."""
    item = dossier.field_named(fields, message.text)
    if item is None:
        return False
    value, _ = dossier.read_field_candidates(state, item, message.text, message.entities)
    return value is not None


def _found_in(message: LatestMessage) -> dict[str, list[object]]:
    """Values of the message by kind (the NLU's entities and the shared extractor's finds)."""
    found: dict[str, list[object]] = {}
    for kind, value in message.entities:
        found.setdefault(kind, []).append(value)
    for item in catalog_access.extract_values(message.text):
        found.setdefault(item.kind, []).append(catalog_access.plain_value(item.value))
    return found


class ValidateSubmissionForm(FormValidationAction):  # type: ignore[misc]
    """``validate_submission_form``: reads each answer, chooses the next step."""

    def name(self) -> str:
        """Action name in the domain."""
        return "validate_submission_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validates the latest message and picks the next requested slot."""
        before = {name: tracker.get_slot(name) for name in STATE_SLOTS}
        slots = dict(before)
        fresh = not conversation.action_ran_since_user(tracker, ignore=FORM)
        requested = tracker.get_slot(REQUESTED_SLOT) if fresh else None
        message = conversation.latest(tracker)
        new_files = (
            attachments.from_metadata((tracker.latest_message or {}).get("metadata"))
            if fresh
            else []
        )

        outcome: Outcome | None = None
        at_summary = requested == CONFIRM_SLOT
        if (
            fresh
            and message.intent in NEVER_AN_ANSWER
            and not (at_summary and message.intent == "cancel" and not message.is_payload)
        ):
            outcome = Outcome(Decision.REJECT)
        elif requested == consent.CONSENT_SLOT:  # consent hook (photos before it are not kept)
            channel = str(tracker.get_latest_input_channel() or "rest")
            outcome = consent.read_answer(
                slots, message, channel, slots.get(DOSSIER_SLOT), dispatcher
            )
        elif new_files:
            outcome = self._files(slots, new_files, dispatcher)
        elif requested == PROCEDURE_SLOT:
            outcome = self._procedure(slots, message, dispatcher)
        elif requested == ANSWER_SLOT:
            outcome = self._answer(slots, message, dispatcher)
        elif requested == CONFIRM_SLOT:
            outcome = self._confirm(slots, message, dispatcher)

        if outcome is not None and outcome.decision is Decision.REJECT:
            return [
                SlotSet(ANSWER_SLOT, None),
                SlotSet(CONFIRM_SLOT, None),
                SlotSet(consent.CONSENT_SLOT, None),
                ActionExecutionRejected(FORM),
            ]
        quiet = outcome is not None and outcome.decision is Decision.ERROR
        slots[ANSWER_SLOT] = None
        slots[CONFIRM_SLOT] = None
        slots[consent.CONSENT_SLOT] = None
        next_slot = self.next_slot(slots)
        events: list[EventType] = [
            SlotSet(name, value) for name, value in slots.items() if value != before[name]
        ]
        if slots[PROCEDURE_SLOT] and (
            slots[PROCEDURE_SLOT] != before[PROCEDURE_SLOT]
            or tracker.get_slot("procedure") != slots[PROCEDURE_SLOT]
        ):
            # An answer that sounds like another procedure ("chuyển khoản") does not switch it.
            events.append(SlotSet("procedure", slots[PROCEDURE_SLOT]))
        events.append(SlotSet(REJECTED_SLOT, quiet))
        events.append(SlotSet(REQUESTED_SLOT, next_slot))
        return events

    @staticmethod
    def next_slot(slots: dict[str, Any]) -> str | None:
        """The procedure, then the steps, then the summary; None when sent or not eligible.

        Values the dossier already holds (same-id eligibility answers) are filled in here.
        """
        state = state_of(slots)
        if state is None:
            return PROCEDURE_SLOT
        if not slots.get(DOSSIER_SLOT):
            slots[DOSSIER_SLOT] = new_dossier_id()
        consent_gate = consent.gate(slots, slots[DOSSIER_SLOT])  # consent hook
        if consent_gate is consent.Gate.ASK:
            return consent.CONSENT_SLOT
        if consent_gate is consent.Gate.STOP:
            slots[CONFIRMED_SLOT] = False
            return None
        today = clock.today()
        if dossier.verdict(state, today).outcome == "not_eligible":
            slots[CONFIRMED_SLOT] = False
            return None
        filled = dossier.prefill(state, {}, today)
        if filled:
            slots[FIELDS_SLOT] = {**state.fields, **filled}
            state = state_of(slots)
        if state is not None and dossier.next_step(state, today) is not None:
            return ANSWER_SLOT
        return None if slots.get(CONFIRMED_SLOT) else CONFIRM_SLOT

    @staticmethod
    def _procedure(
        slots: dict[str, Any], message: LatestMessage, dispatcher: CollectingDispatcher
    ) -> Outcome:
        chosen = conversation.procedure_from_message(message)
        proc = catalog_access.procedure(chosen)
        if proc is not None:
            slots[PROCEDURE_SLOT] = proc.id
            slots[FIELDS_SLOT] = {}
            slots[EDITING_SLOT] = None
            slots[FAILURES_SLOT] = {}
            slots[CONFIRMED_SLOT] = False
            slots[DOSSIER_SLOT] = new_dossier_id()
            send(dispatcher, render_dossier.intro(proc, []))
            return Outcome(Decision.ACCEPT, proc.id)
        if message.intent in ANSWER_INTENTS and not message.is_payload:
            send(dispatcher, choose_procedure(WHICH_PROCEDURE, "inform"))
            return Outcome(Decision.ERROR)
        return Outcome(Decision.REJECT)

    @staticmethod
    def _files(
        slots: dict[str, Any],
        new_files: list[dict[str, object]],
        dispatcher: CollectingDispatcher,
    ) -> Outcome:
        """Keeps the photos/files sent and asks which document they show."""
        kept = slots.get(ATTACHMENTS_SLOT)
        slots[ATTACHMENTS_SLOT] = [*(kept if isinstance(kept, list) else []), *new_files]
        state = state_of(slots)
        docs = dossier.documents(state, clock.today()) if state is not None else []
        send(dispatcher, render_dossier.choose_document(len(new_files), docs))
        return Outcome(Decision.ERROR)

    @staticmethod
    def _label_files(
        slots: dict[str, Any], document_id: str, dispatcher: CollectingDispatcher
    ) -> None:
        """Files the photos not labelled yet under the document the citizen chose."""
        state = state_of(slots)
        docs = {doc.id: doc for doc in dossier.documents(state, clock.today())} if state else {}
        kept = slots.get(ATTACHMENTS_SLOT)
        files = [dict(item) for item in kept] if isinstance(kept, list) else []
        label = document_id if document_id in docs else render_dossier.OTHER_DOCUMENT
        for item in files:
            if not item.get("document"):
                item["document"] = label
        slots[ATTACHMENTS_SLOT] = files
        send(dispatcher, render_dossier.attachment_note(docs.get(document_id)))

    def _answer(
        self, slots: dict[str, Any], message: LatestMessage, dispatcher: CollectingDispatcher
    ) -> Outcome | None:
        state = state_of(slots)
        step = dossier.next_step(state, clock.today()) if state is not None else None
        if state is None or step is None:
            return None
        button = message.entity("answer")
        if button == render_dossier.EXPLAIN:
            send(dispatcher, render_dossier.field_help(step.field, step.question, step.optional))
            return Outcome(Decision.ERROR)
        if isinstance(button, str) and button.startswith(render_dossier.DOCUMENT_PREFIX):
            self._label_files(slots, button[len(render_dossier.DOCUMENT_PREFIX) :], dispatcher)
            return Outcome(Decision.REASK)
        if step.field is not None:
            outcome = read_field_message(state, step.field, message)
        else:
            assert step.question is not None
            outcome = decide(
                step.question,
                message,
                after_prompt=False,
                start_intent=START_INTENT,
                procedure_id=state.proc.id,
            )
        failures = _mapping(slots.get(FAILURES_SLOT))
        if outcome.decision is Decision.ACCEPT:
            failures.pop(step.key, None)
            self._store(slots, state, step, outcome, message, dispatcher)
        elif outcome.decision is Decision.ERROR:
            failures[step.key] = int(failures.get(step.key, 0)) + 1
            send(
                dispatcher,
                render_dossier.field_error(
                    outcome.message,
                    step.field,
                    step.question,
                    step.optional,
                    failures[step.key],
                ),
            )
        slots[FAILURES_SLOT] = failures
        return outcome

    @staticmethod
    def _store(
        slots: dict[str, Any],
        state: DossierState,
        step: Step,
        outcome: Outcome,
        message: LatestMessage,
        dispatcher: CollectingDispatcher,
    ) -> None:
        """Keeps an accepted answer; values of other fields in the same sentence are kept too."""
        slots[CONFIRMED_SLOT] = False
        if step.question is not None:
            all_answers = _mapping(slots.get(ANSWERS_SLOT))
            mine = answers_for(all_answers, state.proc.id)
            mine[step.question.id] = catalog_access.stored(outcome.value)
            all_answers[state.proc.id] = mine
            slots[ANSWERS_SLOT] = all_answers
            return
        assert step.field is not None
        fields = {**state.fields, step.field.id: outcome.value}
        if state.editing == step.field.id:
            slots[EDITING_SLOT] = None
        if outcome.in_sentence:  # other values in the same sentence are kept as well
            after = DossierState(state.proc, state.answers, fields)
            others = {
                kind: [v for v in values if v != outcome.value]
                for kind, values in _found_in(message).items()
            }
            fields.update(dossier.prefill(after, others, clock.today()))
        slots[FIELDS_SLOT] = fields
        typed = message.entity("answer") if message.is_payload else message.text
        send(dispatcher, render_dossier.accepted_note(step.field, typed))

    def _confirm(
        self, slots: dict[str, Any], message: LatestMessage, dispatcher: CollectingDispatcher
    ) -> Outcome:
        state = state_of(slots)
        if state is None:
            return Outcome(Decision.REJECT)
        button = message.entity("answer")
        folded = fold(message.text).strip(" .!?")
        named = conversation.procedure_from_message(message)
        said = None if message.is_payload else send_or_cancel(message.text)
        if said == "both":
            send(dispatcher, with_buttons(SEND_OR_CANCEL, _SEND_OR_CANCEL_BUTTONS))
            return Outcome(Decision.ERROR)
        if said == "cancel" or (message.intent == "cancel" and said is None):
            return Outcome(Decision.REJECT)
        if button == render_dossier.SEND or said == "send" or (
            not message.is_payload
            and (
                message.intent == "affirm"
                or folded in _SEND_WORDS
                or (message.intent == START_INTENT and named in (None, state.proc.id))
            )
        ):
            slots[CONFIRMED_SLOT] = True
            return Outcome(Decision.ACCEPT)
        fields = dossier.active_fields(state, clock.today())
        if isinstance(button, str) and button.startswith(render_dossier.EDIT_PREFIX):
            chosen = button[len(render_dossier.EDIT_PREFIX) :]
            if any(item.id == chosen for item in fields):
                slots[EDITING_SLOT] = chosen
                return Outcome(Decision.ACCEPT)
            return Outcome(Decision.REASK)
        if isinstance(button, str) and button.startswith(render_dossier.DOCUMENT_PREFIX):
            self._label_files(slots, button[len(render_dossier.DOCUMENT_PREFIX) :], dispatcher)
            return Outcome(Decision.REASK)
        if message.is_payload:
            return Outcome(Decision.REJECT)
        if "sua" in folded.split() or message.intent == "deny" or _names_a_value(
            state, fields, message
        ):
            return self._correction(slots, state, fields, message, dispatcher)
        if message.intent in ANSWER_INTENTS:
            send(dispatcher, [Reply(CONFIRM_HELP)])
            return Outcome(Decision.ERROR)
        return Outcome(Decision.REJECT)

    @staticmethod
    def _correction(
        slots: dict[str, Any],
        state: DossierState,
        fields: list[FieldDef],
        message: LatestMessage,
        dispatcher: CollectingDispatcher,
    ) -> Outcome:
        """A typed correction ("sửa số điện thoại [thành 09…]"): that field, or its new value."""
        item = dossier.field_named(fields, message.text)
        if item is None:
            rows = [(field, state.fields.get(field.id)) for field in fields]
            send(dispatcher, render_dossier.edit_menu(rows))
            return Outcome(Decision.ERROR)
        value, _ = dossier.read_field_candidates(state, item, message.text, message.entities)
        if value is None:
            slots[EDITING_SLOT] = item.id
        else:
            slots[FIELDS_SLOT] = {**state.fields, item.id: value}
            send(dispatcher, render_dossier.corrected(item))
        return Outcome(Decision.ACCEPT)


class ActionAskSubmissionProcedure(AskLoopSlot):
    """Asks which procedure the dossier is for."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_submission_procedure"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """One button per procedure."""
        return choose_procedure(WHICH_PROCEDURE, "inform")


class ActionAskSubmissionAnswer(AskLoopSlot):
    """Asks the current step: its question, with an example or buttons."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_submission_answer"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The step's question (and the value being corrected, if any)."""
        step = current_step(tracker.slots)
        if step is None:
            return []
        current = None
        if step.field is not None and tracker.get_slot(EDITING_SLOT) == step.field.id:
            current = _mapping(tracker.get_slot(FIELDS_SLOT)).get(step.field.id)
        return render_dossier.step_prompt(step.question, step.field, step.optional, current)


class ActionAskSubmissionConfirm(AskLoopSlot):
    """Shows the summary: "Gửi hồ sơ", "Hủy" and "Sửa …" per field."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_submission_confirm"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The summary of the dossier."""
        return summary_replies(tracker.slots)
