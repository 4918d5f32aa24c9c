"""Where and how to submit (step by step per way), and "Nộp hồ sơ ngay".

"Nộp hồ sơ ngay" starts the generic data-collection form (:mod:`bot.actions.submission_form`)
for the procedure of the conversation.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bhxh_catalog.vntext import fold
from bot.actions import (
    catalog_access,
    clock,
    conversation,
    dossier,
    render_dossier,
    render_procedure,
)
from bot.actions.base import BotAction
from bot.actions.catalog_access import Procedure, SubmissionChannel
from bot.actions.conversation import LatestMessage
from bot.actions.dossier import DossierState
from bot.actions.eligibility import answers_for
from bot.actions.procedure_info import ProcedureAction
from bot.actions.question_loop import REJECTED_SLOT
from bot.actions.replies import Reply, send
from bot.actions.submission_form import (
    CONFIRMED_SLOT,
    DOSSIER_SLOT,
    FIELDS_SLOT,
    PROCEDURE_SLOT,
    new_dossier_id,
)
from bot.actions.submit import HISTORY_SLOT, recent_submissions

__all__ = ["ActionStartSubmission", "ActionWhereToSubmit", "channel_asked", "known_values"]

# After these actions, values typed earlier belong to another dossier (or were withdrawn).
_FORGET_AFTER = frozenset({"action_submit_dossier", "action_cancel"})

# Words that name a way to submit in a typed question ("làm trên VssID thế nào?").
_CHANNEL_WORDS = (
    ("vssid", "vssid"),
    ("dich vu cong", "online_portal"),
    ("truc tuyen", "online_portal"),
    ("online", "online_portal"),
    ("buu dien", "post"),
    ("buu chinh", "post"),
    ("truc tiep", "in_person"),
    ("den co quan", "in_person"),
    ("cong ty", "employer"),
    ("don vi", "employer"),
)


def channel_asked(proc: Procedure, message: LatestMessage) -> SubmissionChannel | None:
    """The way to submit the citizen asks about: a button's kind, else words of the message."""
    channels = {channel.kind: channel for channel in proc.submission.channels}
    chosen = message.entity("answer")
    if isinstance(chosen, str) and chosen in channels:
        return channels[chosen]
    if message.is_payload:
        return None
    text = fold(message.text)
    for words, kind in _CHANNEL_WORDS:
        if words in text and kind in channels:
            return channels[kind]
    return None


class ActionWhereToSubmit(ProcedureAction):
    """Where to submit and the ways; the steps of one way when the citizen picked it."""

    INTENT = "ask_where_to_submit"

    def name(self) -> str:
        """Action name in the domain."""
        return "action_where_to_submit"

    def answer(self, proc: Procedure, tracker: Tracker) -> list[Reply]:
        """The chosen way step by step, the only way, or the list of ways."""
        channel = channel_asked(proc, conversation.latest(tracker))
        if channel is None and len(proc.submission.channels) == 1:
            channel = proc.submission.channels[0]
        if channel is not None:
            return render_procedure.submission_channel(proc, channel)
        return render_procedure.submission_overview(proc)


class ActionStartSubmission(BotAction):
    """"Nộp hồ sơ ngay": starts (or resumes) the dossier of the procedure; the form collects it.

    A new dossier gets a new id and the values the conversation already holds (eligibility
    answers, identifiers typed earlier). The same procedure again resumes the dossier under way.
    A procedure without fields in the catalog cannot be taken by the assistant: the ways to
    submit are shown instead.
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_start_submission"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Prepares the form's slots (the form asks which procedure when none is known)."""
        proc = catalog_access.procedure(conversation.procedure_id(tracker))
        if proc is None:
            return [SlotSet(PROCEDURE_SLOT, None), SlotSet(REJECTED_SLOT, False)]
        events: list[EventType] = [
            SlotSet("procedure", proc.id),
            SlotSet(REJECTED_SLOT, False),
            SlotSet(CONFIRMED_SLOT, False),
        ]
        if not proc.fields:
            send(dispatcher, render_procedure.submission_soon(proc))
            return [*events, SlotSet(PROCEDURE_SLOT, None)]
        under_way = tracker.get_slot(FIELDS_SLOT)
        if (
            tracker.get_slot(PROCEDURE_SLOT) == proc.id
            and tracker.get_slot(DOSSIER_SLOT)
            and isinstance(under_way, dict)
            and under_way
        ):
            send(dispatcher, render_dossier.resume(proc))
            return events
        state = DossierState(
            proc, answers_for(tracker.get_slot("eligibility_answers"), proc.id), {}
        )
        filled = dossier.prefill(state, known_values(tracker), clock.today())
        reused = [(item, filled[item.id]) for item in proc.fields if item.id in filled]
        earlier = [
            sent for sent in recent_submissions(tracker.get_slot(HISTORY_SLOT), clock.today())
            if sent["procedure"] == proc.id
        ]
        if earlier:
            send(dispatcher, render_dossier.sent_before(proc, earlier[-1]))
        send(dispatcher, render_dossier.intro(proc, reused))
        return [
            *events,
            SlotSet(PROCEDURE_SLOT, proc.id),
            SlotSet(FIELDS_SLOT, filled),
            SlotSet("submission_editing", None),
            SlotSet("submission_failures", {}),
            SlotSet(DOSSIER_SLOT, new_dossier_id()),
        ]


def known_values(tracker: Tracker) -> dict[str, list[object]]:
    """Values the citizen typed since the last dossier was sent or cancelled, by entity kind."""
    found: dict[str, list[object]] = {}
    for event in reversed(list(tracker.events)):
        if event.get("event") == "action" and event.get("name") in _FORGET_AFTER:
            break
        if event.get("event") != "user":
            continue
        for entity in (event.get("parse_data") or {}).get("entities") or []:
            kind, value = entity.get("entity"), entity.get("value")
            if isinstance(kind, str) and value is not None:
                found.setdefault(kind, []).append(value)
    return found
