"""After the summary: the dossier goes to the intake service (or waits in the outbox).

``action_submit_dossier`` runs when ``submission_form`` ends. It sets ``submission_outcome``,
which the rules follow:

* ``sent`` — the citizen has a receipt code (or the dossier is queued and the code comes later
  through ``connectors.intake_events``); the rating follows;
* ``refused`` — the intake refused some values: only those are asked again (the form restarts,
  with a new dossier id since nothing was created);
* ``stopped`` — nothing was sent (not eligible, or the form was left).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import (
    attachments,
    clock,
    consent,
    dossier,
    intake_access,
    render_dossier,
    render_loop,
)
from bot.actions.base import BotAction
from bot.actions.dossier import DossierState
from bot.actions.intake_access import Delivered, DossierSubmission, Queued, Rejected
from bot.actions.replies import Reply, send
from bot.actions.submission_form import (
    ANSWERS_SLOT,
    ATTACHMENTS_SLOT,
    CONFIRMED_SLOT,
    DOSSIER_SLOT,
    EDITING_SLOT,
    FAILURES_SLOT,
    FIELDS_SLOT,
    PROCEDURE_SLOT,
    new_dossier_id,
    state_of,
)

__all__ = [
    "HISTORY_SLOT",
    "OUTCOME_SLOT",
    "QUEUED_SLOT",
    "RECEIPT_SLOT",
    "ActionSubmitDossier",
    "after_upload",
    "conversation_channel",
    "recent_submissions",
]

logger = logging.getLogger(__name__)

OUTCOME_SLOT = "submission_outcome"
RECEIPT_SLOT = "submission_receipt"
HISTORY_SLOT = "submission_history"
"""The dossiers sent in the last 30 days: ``[{"procedure", "receipt", "on"}]``."""
REPEAT_WINDOW_DAYS = 30


def recent_submissions(history: object, today: date) -> list[dict[str, str]]:
    """The dossiers of ``history`` sent within the last 30 days (older ones are forgotten)."""
    recent: list[dict[str, str]] = []
    for item in history if isinstance(history, list) else []:
        try:
            sent_on = date.fromisoformat(str(item["on"]))
        except (KeyError, TypeError, ValueError):
            continue
        if (today - sent_on).days <= REPEAT_WINDOW_DAYS:
            recent.append({key: str(item[key]) for key in ("procedure", "receipt", "on")})
    return recent
QUEUED_SLOT = "submission_queued"
SENT, REFUSED, STOPPED = "sent", "refused", "stopped"
DEFAULT_CHANNEL = "rest"


def conversation_channel(tracker: Tracker) -> str:
    """The channel the citizen writes from (``zalo``, ``webchat``, ``rest`` …)."""
    return str(tracker.get_latest_input_channel() or DEFAULT_CHANNEL)


def after_upload(result: attachments.Uploaded) -> list[Reply]:
    """What to say after attaching the citizen's photos and files to a dossier."""
    lines = []
    if result.attached:
        lines.append(f"Tôi đã đính kèm {result.attached} ảnh/tệp vào hồ sơ.")
    if result.already:
        lines.append(
            f"{result.already} ảnh/tệp ông/bà đã gửi trước đó (hồ sơ đã có), tôi không đính kèm "
            "lại."
        )
    if result.failed:
        lines.append(
            f"{result.failed} ảnh/tệp chưa đính kèm được; ông/bà vui lòng gửi lại ảnh "
            "hoặc nộp bản giấy."
        )
    return [Reply(" ".join(lines))] if lines else []


def _cleared() -> list[EventType]:
    """The dossier's slots emptied once it is sent: the next one starts afresh."""
    return [
        SlotSet(PROCEDURE_SLOT, None),
        SlotSet(FIELDS_SLOT, {}),
        SlotSet(EDITING_SLOT, None),
        SlotSet(FAILURES_SLOT, {}),
        SlotSet(CONFIRMED_SLOT, False),
        SlotSet(DOSSIER_SLOT, None),
        SlotSet(ATTACHMENTS_SLOT, []),
    ]


def _files(slots: Mapping[str, Any]) -> list[dict[str, object]]:
    kept = slots.get(ATTACHMENTS_SLOT)
    return [dict(item) for item in kept] if isinstance(kept, list) else []


class ActionSubmitDossier(BotAction):
    """Sends the confirmed dossier; says the receipt, the queue, or what to correct."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_submit_dossier"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Submits through the durable outbox and tells the citizen what happened."""
        state = state_of(tracker.slots)
        if state is None:
            send(dispatcher, [Reply("Ông/bà đã dừng nộp hồ sơ.")])
            return [SlotSet(OUTCOME_SLOT, STOPPED)]
        if not tracker.get_slot(CONFIRMED_SLOT):
            return self._not_sent(state, dispatcher)
        dossier_id = str(tracker.get_slot(DOSSIER_SLOT) or new_dossier_id())
        today = clock.today()
        submission = DossierSubmission(
            dossier_id=dossier_id,
            procedure_id=state.proc.id,
            channel=conversation_channel(tracker),
            sender_id=tracker.sender_id,
            fields=dossier.submitted_fields(state, today),
            answers=dict(state.answers),
            consent=consent.consent_for_dossier(tracker.slots),  # issue 17
        )
        result = await intake_access.submit(submission)
        if isinstance(result, Delivered):
            return await self._delivered(state, result, tracker, dispatcher)
        if isinstance(result, Queued):
            logger.warning("dossier %s queued: %s", dossier_id, result.reason)
            send(dispatcher, render_dossier.queued(state.proc))
            queued = tracker.get_slot(QUEUED_SLOT)
            entry = {
                "dossier_id": dossier_id,
                "procedure_id": state.proc.id,
                "attachments": _files(tracker.slots),
                "paper": [doc.id for doc in dossier.paper_documents(state, today)],
            }
            return [
                *_cleared(),
                SlotSet(QUEUED_SLOT, [*(queued if isinstance(queued, list) else []), entry]),
                SlotSet(OUTCOME_SLOT, SENT),
            ]
        return self._refused(state, result, tracker, dispatcher)

    @staticmethod
    def _not_sent(state: DossierState, dispatcher: CollectingDispatcher) -> list[EventType]:
        result = dossier.verdict(state, clock.today())
        if result.outcome == "not_eligible":
            intro = Reply(
                f"Theo các câu trả lời của ông/bà, hồ sơ {state.proc.short_name} chưa thể nộp."
            )
            send(dispatcher, [intro, *render_loop.verdict(state.proc, result)])
        else:
            send(dispatcher, [Reply("Ông/bà đã dừng nộp hồ sơ.")])
        return [*_cleared(), SlotSet(OUTCOME_SLOT, STOPPED)]

    @staticmethod
    async def _delivered(
        state: DossierState,
        result: Delivered,
        tracker: Tracker,
        dispatcher: CollectingDispatcher,
    ) -> list[EventType]:
        receipt = result.receipt
        today = clock.today()
        processing = receipt.processing_time or state.proc.submission.processing_time.describe()
        send(
            dispatcher,
            render_dossier.receipt(
                state.proc,
                receipt.receipt_code,
                processing,
                dossier.paper_documents(state, today),
            ),
        )
        files = _files(tracker.slots)
        if files:
            uploaded = await attachments.upload_all(receipt.receipt_code, files)
            send(dispatcher, after_upload(uploaded))
        sent = {"procedure": state.proc.id, "receipt": receipt.receipt_code,
                "on": today.isoformat()}
        history = [*recent_submissions(tracker.get_slot(HISTORY_SLOT), today), sent]
        return [
            *_cleared(),
            SlotSet(RECEIPT_SLOT, receipt.receipt_code),
            SlotSet(HISTORY_SLOT, history),
            SlotSet(OUTCOME_SLOT, SENT),
        ]

    @staticmethod
    def _refused(
        state: DossierState,
        result: Rejected,
        tracker: Tracker,
        dispatcher: CollectingDispatcher,
    ) -> list[EventType]:
        """Forgets the refused values so the form asks only them again."""
        fields = dict(state.fields)
        answers = dict(state.answers)
        said: list[tuple[str, str]] = []
        for error in result.errors:
            kind, _, name = error.field.partition(".")
            if kind == "fields" and name in fields:
                item = state.proc.field(name)
                said.append((item.display_label if item else name, error.message))
                fields.pop(name)
            elif kind == "answers" and name in answers:
                question = state.proc.question(name)
                said.append((question.text if question else name, error.message))
                answers.pop(name)
        if not said:
            logger.error("the intake refused dossier of %s: %s", state.proc.id, result.errors)
            send(dispatcher, render_dossier.not_sent(state.proc))
            return [*_cleared(), SlotSet(OUTCOME_SLOT, STOPPED)]
        send(dispatcher, render_dossier.refused(said))
        all_answers = tracker.get_slot(ANSWERS_SLOT)
        kept = dict(all_answers) if isinstance(all_answers, Mapping) else {}
        kept[state.proc.id] = answers
        return [
            SlotSet(FIELDS_SLOT, fields),
            SlotSet(ANSWERS_SLOT, kept),
            SlotSet(CONFIRMED_SLOT, False),
            SlotSet(EDITING_SLOT, None),
            SlotSet(DOSSIER_SLOT, new_dossier_id()),
            SlotSet(OUTCOME_SLOT, REFUSED),
        ]
