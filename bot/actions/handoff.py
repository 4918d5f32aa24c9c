"""Handing a conversation to a person of the office, and taking it back.

* :func:`hand_off` — ``POST /api/v1/handoffs`` with the transcript, the procedure, the data
  collected and the reason; the citizen reads the intake's ``message``. Inside office hours the
  assistant pauses (``ConversationPaused``, slot ``handoff_id``): from then on the pause gate of
  the channels (``connectors.common.pause``) relays every citizen message to the console and the
  assistant stays silent. Outside office hours the citizen may leave a phone number for a call
  back (``handoff_callback_form`` → ``action_handoff_callback`` → ``POST …/callback``). When the
  intake cannot be reached, the hotline.
* :func:`taken_back` — the events the intake sends when the person hands the conversation back
  (``handoff_returned``: go on with the dossier where it was, with the data as corrected by
  staff, or end with the rating and the menu) or when nobody claimed it in time
  (``handoff_expired``: the hotline and the menu). ``connectors.handoff_events`` has resumed the
  tracker already and triggered ``EXTERNAL_intake_event``; ``action_intake_event`` calls this.
* :func:`caller_code` — a code a hotline staff member gave a caller ("7K3 M9Q"): the procedure
  and what was learned on the phone are set, and the dossier form continues from there.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import (
    ActiveLoop,
    ConversationPaused,
    EventType,
    FollowupAction,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bhxh_catalog.vntext import fold
from bot.actions import catalog_access, conversation, handoff_data, intake_access, render_handoff
from bot.actions.base import BotAction
from bot.actions.caller_codes import caller_code_in
from bot.actions.catalog_access import InvalidValue, Procedure
from bot.actions.eligibility import answers_for
from bot.actions.intake_access import (
    CodeNotFound,
    CodeUnavailable,
    IntakeError,
    IntakeRejected,
    TranscriptLine,
    WithdrawReason,
)
from bot.actions.question_loop import (
    CALLER_CODE_INTENT,
    REJECTED_SLOT,
    REQUESTED_SLOT,
    AskLoopSlot,
)
from bot.actions.replies import Button, Reply, payload, send
from bot.actions.submission_form import (
    ANSWERS_SLOT,
    CONFIRMED_SLOT,
    DOSSIER_SLOT,
    EDITING_SLOT,
    FAILURES_SLOT,
    FIELDS_SLOT,
    PROCEDURE_SLOT,
)
from bot.actions.submission_form import FORM as DOSSIER_FORM
from bot.actions.submit import conversation_channel
from bot.actions.texts import HOTLINE_SENTENCE, NOT_IN_CATALOG

__all__ = [
    "CALLBACK_FORM",
    "HANDOFF_SLOT",
    "HUMAN_TEXT",
    "PHONE_SLOT",
    "ActionAskHandoffPhone",
    "ActionCallerCode",
    "ActionHandoffCallback",
    "ValidateHandoffCallbackForm",
    "caller_code",
    "continue_dossier",
    "hand_off",
    "leave_handoff",
    "taken_back",
]

logger = logging.getLogger(__name__)

HANDOFF_SLOT = "handoff_id"
PHONE_SLOT = "handoff_phone"
CALLBACK_FORM = "handoff_callback_form"
RATING_FORM = "rating_form"
HUMAN_TEXT = (
    f"Để được cán bộ BHXH hỗ trợ trực tiếp, ông/bà vui lòng gọi {HOTLINE_SENTENCE}. "
    "Ông/bà cũng có thể đến cơ quan BHXH nơi cư trú."
)
_DECLINE_WORDS = frozenset({"khong", "khong can", "thoi", "khong a", "khong can dau", "ko", "k"})


# ---------------------------------------------------------------------- bot → person
async def hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
) -> list[EventType]:
    """Hands the conversation to the office and tells the citizen what happens next.

    Returns:
        Inside office hours: the handoff id, the active loop ended, ``ConversationPaused``.
        Outside: the handoff id and the call-back form. Intake unreachable: nothing (the
        hotline was given).
    """
    try:
        ticket = await intake_access.hand_off(handoff_data.handoff_request(tracker, reason))
    except IntakeError as error:
        logger.warning("handoff not created (%s): hotline given", type(error).__name__)
        send(dispatcher, [Reply(HUMAN_TEXT)])
        return [SlotSet(handoff_data.OFFERED_SLOT, None)]
    events: list[EventType] = [
        SlotSet(handoff_data.OFFERED_SLOT, None),
        SlotSet(HANDOFF_SLOT, str(ticket.handoff_id)),
    ]
    if (tracker.active_loop or {}).get("name"):
        # the loop's question is not asked meanwhile; the dossier continues on hand-back
        events.extend([ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)])
    if ticket.office_open or ticket.status == "claimed":
        replies = render_handoff.waiting(ticket.message)
        events.append(ConversationPaused())
    else:
        replies = render_handoff.office_closed(ticket.message)
        events.append(FollowupAction(CALLBACK_FORM))
    send(dispatcher, replies)
    await record_turn(ticket.handoff_id, None, replies)
    return events


def _bot_lines(replies: Sequence[Reply]) -> list[TranscriptLine]:
    return [TranscriptLine("bot", reply.text) for reply in replies if reply.text]


async def record_turn(
    handoff_id: int | str | None, citizen: TranscriptLine | None, replies: Sequence[Reply]
) -> None:
    """Adds a turn said while the handoff waits to its transcript (staff read every turn).

    Outside office hours the assistant itself asks for a call-back number while the handoff
    waits in the queue; what the citizen and the assistant said meanwhile reaches the office
    here. A failure is logged: the conversation goes on.
    """
    text = str(handoff_id or "")
    if not text.isdigit():
        return
    lines = [*([citizen] if citizen is not None else []), *_bot_lines(replies)]
    if not lines:
        return
    try:
        await intake_access.record_lines(int(text), lines)
    except IntakeError as error:
        logger.warning("handoff %s: turn not recorded (%s)", text, type(error).__name__)


def read_phone(message: conversation.LatestMessage, value: object) -> str:
    """The phone number for the call back, or :data:`render_handoff.DECLINE`.

    Raises:
        InvalidValue: not a phone number (the shared validator's message, with an example).
    """
    text = str(value or "").strip()
    if (
        value == render_handoff.DECLINE
        or message.intent == "deny"
        or fold(text).strip(" .!?") in _DECLINE_WORDS
    ):
        return render_handoff.DECLINE
    found = [item.raw for item in catalog_access.extract_values(text) if item.kind == "phone"]
    candidates = [
        text,
        *(str(v) for kind, v in message.entities if kind == "phone"),
        *(str(raw) for raw in found),
    ]
    error: InvalidValue | None = None
    for candidate in candidates:
        try:
            return str(catalog_access.plain_value(catalog_access.validate("phone", candidate)))
        except InvalidValue as invalid:
            error = error or invalid
    assert error is not None
    raise error


class ValidateHandoffCallbackForm(FormValidationAction):  # type: ignore[misc]
    """``validate_handoff_callback_form``: a phone number (shared validator) or "Không cần"."""

    def name(self) -> str:
        """Action name in the domain."""
        return "validate_handoff_callback_form"

    async def validate_handoff_phone(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Keeps a valid number (normalised), or says what is wrong with one example."""
        try:
            return {PHONE_SLOT: read_phone(conversation.latest(tracker), slot_value)}
        except InvalidValue as error:
            decline = Button("Không cần", payload("deny", answer=render_handoff.DECLINE))
            replies = [Reply(f"{error.message} Hoặc bấm “Không cần”.", (decline,))]
            send(dispatcher, replies)
            await record_turn(
                tracker.get_slot(HANDOFF_SLOT), handoff_data.latest_citizen_line(tracker), replies
            )
            return {PHONE_SLOT: None, REJECTED_SLOT: True}


class ActionAskHandoffPhone(AskLoopSlot):
    """Asks the phone number for the call back."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_handoff_phone"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The question with "Không cần"."""
        return render_handoff.phone_question()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Asks (unless an error message just did), and records the question for staff."""
        events = await super().run(dispatcher, tracker, domain)
        if not tracker.get_slot(REJECTED_SLOT):
            await record_turn(tracker.get_slot(HANDOFF_SLOT), None, self.prompt(tracker))
        return events


class ActionHandoffCallback(BotAction):
    """Leaves the number with the office (``POST /api/v1/handoffs/{id}/callback``)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_handoff_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Says when staff will call (the intake's message), or gives the hotline.

        A citizen who declines ("Không cần") leaves the staff queue at once (the handoff is
        withdrawn), so nobody claims a conversation whose citizen has gone. Every turn is
        recorded in the handoff's transcript.
        """
        phone = tracker.get_slot(PHONE_SLOT)
        handoff_id = str(tracker.get_slot(HANDOFF_SLOT) or "")
        said = handoff_data.latest_citizen_line(tracker)
        cleared: list[EventType] = [SlotSet(PHONE_SLOT, None), SlotSet(HANDOFF_SLOT, None)]
        if phone in (None, render_handoff.DECLINE) or not handoff_id.isdigit():
            replies = render_handoff.callback_declined()
            send(dispatcher, replies)
            await record_turn(handoff_id, said, replies)
            await _withdraw(handoff_id)
            return cleared
        await record_turn(handoff_id, said, [])
        try:
            receipt = await intake_access.request_callback(int(handoff_id), str(phone))
        except IntakeRejected as error:
            problem = error.errors[0].message if error.errors else ""
            replies = [Reply(f"{problem} {render_handoff.CALLBACK_FAILED}".strip())]
            send(dispatcher, replies)
            await record_turn(handoff_id, None, replies)
            return cleared
        except IntakeError as error:
            logger.warning("call back not stored (%s)", type(error).__name__)
            send(dispatcher, [Reply(render_handoff.CALLBACK_FAILED)])
            return cleared
        replies = render_handoff.callback_noted(receipt.message)
        send(dispatcher, replies)
        await record_turn(handoff_id, None, replies)
        if receipt.handoff_status == "claimed":  # a person owns it already: stay silent
            return [SlotSet(PHONE_SLOT, None), ConversationPaused()]
        return cleared


async def _withdraw(handoff_id: str, reason: WithdrawReason = "cancel") -> None:
    """Takes a declined handoff off the staff queue; a failure is logged (it expires later)."""
    if not handoff_id.isdigit():
        return
    try:
        await intake_access.withdraw_handoff(int(handoff_id), reason)
    except IntakeError as error:
        logger.warning("handoff %s not withdrawn (%s)", handoff_id, type(error).__name__)


async def leave_handoff(tracker: Tracker, reason: WithdrawReason) -> None:
    """"hủy" / "bắt đầu lại": the conversation's handoff leaves the staff queue at once.

    While a person owns the conversation the pause gate has withdrawn it already (repeating is
    harmless); outside office hours, while the assistant asks for a call-back number, only this
    takes it off the queue, so nobody claims a conversation whose citizen has gone.
    """
    await _withdraw(str(tracker.get_slot(HANDOFF_SLOT) or ""), reason)


# ---------------------------------------------------------------------- person → bot
def continue_dossier(
    tracker: Tracker,
    proc: Procedure,
    fields: Mapping[str, Any],
    answers: Mapping[str, Any],
) -> list[EventType]:
    """The slots of a dossier of ``proc`` holding ``fields`` and ``answers``; then the form.

    The same procedure's dossier keeps its id and photos; another procedure starts a new one.
    Values of fields the procedure does not have are dropped.
    """
    known = {item.id for item in proc.fields}
    all_answers = tracker.get_slot(ANSWERS_SLOT)
    merged = dict(all_answers) if isinstance(all_answers, Mapping) else {}
    mine = answers_for(merged, proc.id)
    mine.update({str(k): v for k, v in answers.items() if v is not None})
    merged[proc.id] = mine
    same = tracker.get_slot(PROCEDURE_SLOT) == proc.id and tracker.get_slot(DOSSIER_SLOT)
    events: list[EventType] = [
        SlotSet("procedure", proc.id),
        SlotSet(PROCEDURE_SLOT, proc.id),
        SlotSet(FIELDS_SLOT, {k: v for k, v in fields.items() if k in known}),
        SlotSet(ANSWERS_SLOT, merged),
        SlotSet(EDITING_SLOT, None),
        SlotSet(FAILURES_SLOT, {}),
        SlotSet(CONFIRMED_SLOT, False),
        SlotSet(REQUESTED_SLOT, None),
    ]
    if not same:
        events.append(SlotSet(DOSSIER_SLOT, uuid.uuid4().hex))
    return [*events, FollowupAction(DOSSIER_FORM)]


def _labels(proc: Procedure, ids: Sequence[Any]) -> list[str]:
    labels = {item.id: item.display_label for item in proc.fields}
    return [labels[str(i)] for i in ids if str(i) in labels]


def _mapping(value: object) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def taken_back(event: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
    """``handoff_returned`` / ``handoff_expired``: the assistant takes the conversation back.

    The entities of the triggered intent carry the event's values (``resume``,
    ``procedure_id``, ``fields``, ``answers``, ``corrected``, ``staff_name``).
    """
    latest = conversation.latest(tracker)
    events: list[EventType] = [SlotSet(HANDOFF_SLOT, None)]
    if event == "handoff_expired":
        send(dispatcher, render_handoff.expired())
        return events
    staff_name = latest.entity("staff_name")
    staff = str(staff_name) if staff_name else None
    proc = catalog_access.procedure(latest.entity("procedure_id"))
    if latest.entity("resume") == "continue_form" and proc is not None:
        corrected = latest.entity("corrected")
        labels = _labels(proc, corrected if isinstance(corrected, list) else [])
        send(dispatcher, render_handoff.hand_back_to_form(proc, staff, labels))
        fields, answers = _mapping(latest.entity("fields")), _mapping(latest.entity("answers"))
        return [*events, *continue_dossier(tracker, proc, fields, answers)]
    send(dispatcher, render_handoff.handed_back_at_the_end(staff))
    return [*events, FollowupAction(RATING_FORM)]


async def caller_code(
    code: str, explicit: bool, tracker: Tracker, dispatcher: CollectingDispatcher
) -> list[EventType] | None:
    """Redeems a caller's code and continues the dossier prepared on the phone.

    Args:
        code: the code recognised in the message (check character right).
        explicit: the citizen said it is a code ("mã …"): an unknown code is then said so;
            otherwise the message is handled as usual.

    Returns:
        The events (slots and the dossier form), or None when the message was no known code.
    """
    try:
        prepared = await intake_access.redeem_code(
            code, conversation_channel(tracker), tracker.sender_id
        )
    except CodeNotFound:
        if not explicit:
            return None
        send(dispatcher, render_handoff.code_not_found(code))
        return []
    except CodeUnavailable as error:
        send(dispatcher, render_handoff.code_unavailable(error.message))
        return []
    except IntakeError as error:
        logger.warning("caller code not looked up (%s)", type(error).__name__)
        send(dispatcher, [Reply(render_handoff.CODE_LOOKUP_FAILED)])
        return []
    proc = catalog_access.procedure(prepared.procedure_id)
    if proc is None:
        send(dispatcher, [Reply(NOT_IN_CATALOG)])
        return []
    send(dispatcher, render_handoff.code_ready(proc, prepared.note))
    return continue_dossier(tracker, proc, prepared.fields, prepared.answers)


class ActionCallerCode(BotAction):
    """``action_caller_code``: a message that is only a caller's code, at any point.

    The channels give it the intent ``EXTERNAL_caller_code`` (``connectors.common.pause``); the
    forms reject it (``NEVER_AN_ANSWER``), so a code sent in the middle of a question is
    redeemed here: the form being filled makes way for the dossier prepared on the phone. A
    code that cannot be used is said so, and the form asks its question again.
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_caller_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Redeems the code and continues the prepared dossier."""
        latest = conversation.latest(tracker)
        code = caller_code_in(latest.text) if latest.intent == CALLER_CODE_INTENT else None
        if code is None:
            return []
        events = await caller_code(code, True, tracker, dispatcher) or []
        redeemed = any(isinstance(e, dict) and e.get("event") == "followup" for e in events)
        if redeemed and (tracker.active_loop or {}).get("name"):
            return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), *events]
        return events
