"""Dossiers already sent: "Hồ sơ của tôi đến đâu rồi?", and events pushed by the intake service.

* ``action_check_status`` — the dossier whose receipt code the citizen typed, else the
  conversation's dossiers (``GET /api/v1/dossiers?sender_id=…&channel=…``) and those still
  waiting in the outbox.
* ``action_intake_event`` — runs on ``EXTERNAL_intake_event``, which ``connectors.intake_events``
  triggers in the citizen's conversation (so the message is in the tracker too). The entity
  ``event`` says what happened: ``status_changed`` (the office changed the status),
  ``dossier_delivered`` (a queued dossier reached the intake: its receipt code),
  ``dossier_rejected`` (the intake refused a queued dossier), and the handoff's
  ``handoff_returned`` / ``handoff_expired`` (:func:`bot.actions.handoff.taken_back`; the other
  handoff events are applied by ``connectors.handoff_events`` while the assistant is paused).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import (
    attachments,
    catalog_access,
    conversation,
    handoff,
    intake_access,
    render_dossier,
    render_status,
)
from bot.actions.base import BotAction
from bot.actions.intake_access import DossierNotFound, IntakeError
from bot.actions.replies import Reply, send
from bot.actions.submit import QUEUED_SLOT, RECEIPT_SLOT, after_upload, conversation_channel

__all__ = ["ActionCheckStatus", "ActionIntakeEvent", "attach_files", "status_replies"]

logger = logging.getLogger(__name__)

HANDED_BACK = frozenset({"handoff_returned", "handoff_expired"})
MAX_FOREIGN_LOOKUPS = 5
LOOKUP_WINDOW_SECONDS = 3600.0
# The outbox keeps the intake's refusal as "fields.so_cccd: <message>; …".
_FIELD_PREFIX = re.compile(r"\b(?:fields|answers)\.\w+:\s*")


def _queued(tracker: Tracker) -> list[dict[str, Any]]:
    value = tracker.get_slot(QUEUED_SLOT)
    return (
        [dict(item) for item in value if isinstance(item, Mapping)]
        if isinstance(value, list)
        else []
    )


def foreign_lookups(tracker: Tracker, own: set[str], now: float) -> set[str]:
    """Receipt codes of other conversations' dossiers this conversation typed in the last
    :data:`LOOKUP_WINDOW_SECONDS` (issue 17: receipt codes could be enumerated)."""
    codes: set[str] = set()
    since = now - LOOKUP_WINDOW_SECONDS
    for event in tracker.events:
        if event.get("event") != "user" or (event.get("timestamp") or 0) < since:
            continue
        typed = render_status.receipt_code_in(str(event.get("text") or ""))
        if typed is not None and typed not in own:
            codes.add(typed)
    return codes


async def _other_dossier(tracker: Tracker, code: str, own: set[str]) -> list[Reply]:
    """A code this conversation did not file: throttled, and never the officer's note."""
    if len(foreign_lookups(tracker, own, time.time()) - {code}) >= MAX_FOREIGN_LOOKUPS:
        return render_status.too_many_lookups()
    return render_status.status_only(await intake_access.dossier(code))


async def status_replies(tracker: Tracker, code: str | None) -> list[Reply]:
    """The status of the dossier ``code``, or of the conversation's dossiers.

    The history and the officer's note are shown only to the conversation that filed the
    dossier; another conversation typing a code sees its status alone, at most
    :data:`MAX_FOREIGN_LOOKUPS` codes an hour (misses included).
    """
    try:
        if code is not None:
            mine = await intake_access.dossiers(tracker.sender_id, conversation_channel(tracker))
            own = {item.receipt_code for item in mine}
            if code not in own:
                return await _other_dossier(tracker, code, own)
            return render_status.one_dossier(await intake_access.dossier(code))
        items = await intake_access.dossiers(tracker.sender_id, conversation_channel(tracker))
        queued = _queued(tracker)
        if len(items) == 1 and not queued:  # one dossier: its history and the officer's note
            return render_status.one_dossier(await intake_access.dossier(items[0].receipt_code))
    except DossierNotFound:
        return render_status.not_found(str(code))
    except IntakeError as error:
        logger.warning("status lookup failed: %s", type(error).__name__)
        return render_status.lookup_failed()
    return render_status.dossier_list(items, queued)


async def attach_files(
    receipt_code: str, files: list[dict[str, object]], dispatcher: CollectingDispatcher
) -> None:
    """Attaches photos sent after the submission to the dossier, and says so."""
    result = await attachments.upload_all(receipt_code, files)
    send(dispatcher, after_upload(result))


class ActionCheckStatus(BotAction):
    """Answers "Hồ sơ của tôi đến đâu rồi?" (or a receipt code typed)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Looks the dossier(s) up with the intake service."""
        code = render_status.receipt_code_in(conversation.latest(tracker).text)
        send(dispatcher, await status_replies(tracker, code))
        return []


def _entity(tracker: Tracker, name: str) -> str | None:
    value = conversation.latest(tracker).entity(name)
    return str(value) if value is not None and value != "" else None


class ActionIntakeEvent(BotAction):
    """Tells the citizen what the intake service reported (``EXTERNAL_intake_event``)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_intake_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Dispatches on the entity ``event``."""
        event = _entity(tracker, "event")
        if event == "status_changed":
            return self._status_changed(tracker, dispatcher)
        if event == "dossier_delivered":
            return await self._delivered(tracker, dispatcher)
        if event == "dossier_rejected":
            return self._rejected(tracker, dispatcher)
        if event in HANDED_BACK:
            return handoff.taken_back(event, tracker, dispatcher)
        logger.info("intake event %r has no message here", event)
        return []

    @staticmethod
    def _status_changed(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
        code = _entity(tracker, "receipt_code") or ""
        status = _entity(tracker, "status") or ""
        send(
            dispatcher,
            render_status.changed(
                code,
                _entity(tracker, "procedure_id") or "",
                status,
                _entity(tracker, "status_label") or status,
                _entity(tracker, "note"),
            ),
        )
        # Photos sent after "cần bổ sung" go to this dossier.
        return [SlotSet(RECEIPT_SLOT, code)] if status == "needs_info" and code else []

    @staticmethod
    async def _delivered(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
        code = _entity(tracker, "receipt_code") or ""
        dossier_id = _entity(tracker, "dossier_id")
        queued = _queued(tracker)
        entry = next((item for item in queued if item.get("dossier_id") == dossier_id), {})
        proc = catalog_access.procedure(
            entry.get("procedure_id") or _entity(tracker, "procedure_id")
        )
        if proc is None:
            send(dispatcher, [Reply(f"Hồ sơ của ông/bà đã được tiếp nhận. Mã hồ sơ: {code}.")])
        else:
            paper_ids = entry.get("paper") or []
            paper = [doc for doc in proc.documents if doc.id in paper_ids]
            lead = Reply("Hệ thống tiếp nhận đã hoạt động lại và đã nhận hồ sơ của ông/bà.")
            send(
                dispatcher,
                [
                    lead,
                    *render_dossier.receipt(
                        proc, code, proc.submission.processing_time.describe(), paper
                    ),
                ],
            )
        files = entry.get("attachments")
        if isinstance(files, list) and files and code:
            await attach_files(code, files, dispatcher)
        remaining = [item for item in queued if item.get("dossier_id") != dossier_id]
        return [SlotSet(QUEUED_SLOT, remaining), SlotSet(RECEIPT_SLOT, code or None)]

    @staticmethod
    def _rejected(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
        dossier_id = _entity(tracker, "dossier_id")
        queued = _queued(tracker)
        entry = next((item for item in queued if item.get("dossier_id") == dossier_id), {})
        procedure_id = str(entry.get("procedure_id") or _entity(tracker, "procedure_id") or "")
        reason = _FIELD_PREFIX.sub("", _entity(tracker, "message") or "").strip()
        send(dispatcher, render_status.rejected_later(procedure_id, reason))
        remaining = [item for item in queued if item.get("dossier_id") != dossier_id]
        return [SlotSet(QUEUED_SLOT, remaining)]
