"""What the office receives with a handoff: why, the transcript, the procedure, the data.

Read from the rasa-sdk tracker: the last :data:`MAX_LINES` messages (the citizen's, the
assistant's, and replies staff sent earlier), the procedure meant, the dossier's fields collected
so far and the eligibility answers, and the reason (``asked``, ``misunderstood``,
``field_failures``, ``needs_staff``, ``complaint``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker

from backend_client.transcript import shown_text
from bot.actions import catalog_access, conversation
from bot.actions.eligibility import answers_for
from bot.actions.intake_access import Attachment, HandoffRequest, TranscriptLine
from bot.actions.render_dossier import MAX_ERRORS
from bot.actions.submission_form import FAILURES_SLOT, FIELDS_SLOT, FORM, PROCEDURE_SLOT
from bot.actions.submit import conversation_channel

__all__ = [
    "MAX_LINES",
    "OFFERED_SLOT",
    "citizen_line",
    "collected",
    "handoff_request",
    "latest_citizen_line",
    "reason_of",
    "transcript",
]

MAX_LINES = 50
OFFERED_SLOT = "handoff_offered"
OFFER_ACTION = "action_offer_human"
_EXTERNAL = "EXTERNAL: "


def _at(event: Mapping[str, Any]) -> str | None:
    stamp = event.get("timestamp")
    if not isinstance(stamp, int | float):
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.utc).isoformat()


def _attachments(metadata: object) -> tuple[Attachment, ...]:
    items = metadata.get("attachments") if isinstance(metadata, Mapping) else None
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        inner = item.get("payload")
        details: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
        url = item.get("url") or details.get("url")
        name = item.get("name") or details.get("name")
        found.append(
            Attachment(
                str(item.get("type") or "file"),
                str(url) if url else None,
                str(name) if name else None,
            )
        )
    return tuple(found)


def _titles(event: Mapping[str, Any]) -> dict[str, str]:
    """Button payload → title, of one bot message."""
    data = event.get("data")
    buttons = data.get("buttons") if isinstance(data, Mapping) else None
    return {
        str(button.get("payload")): str(button.get("title"))
        for button in (buttons if isinstance(buttons, list) else [])
        if isinstance(button, Mapping) and button.get("payload")
    }


def citizen_line(
    event: Mapping[str, Any], titles: Mapping[str, str]
) -> TranscriptLine | None:
    """One citizen message as staff read it (a button shows its title); None when unseen.

    A message the channel sent on the citizen's behalf without showing it (the web chat's
    greeting on opening the page: metadata ``hidden``) and the intake's events are left out.
    """
    text = str(event.get("text") or "")
    if text.startswith(_EXTERNAL):
        return None
    metadata = event.get("metadata")
    details: Mapping[str, Any] = metadata if isinstance(metadata, Mapping) else {}
    if details.get("hidden"):
        return None
    files = _attachments(details)
    title = details.get("title")
    shown = shown_text(
        text, title if isinstance(title, str) else None, titles, with_files=bool(files)
    )
    if not shown and not files:
        return None
    return TranscriptLine("citizen", shown, _at(event), files)


def transcript(tracker: Tracker, limit: int = MAX_LINES) -> tuple[TranscriptLine, ...]:
    """The conversation's last ``limit`` messages, in the words the citizen saw.

    A button pressed shows its title (given by the channel, or of any button the assistant had
    shown), never its payload.
    """
    lines: list[TranscriptLine] = []
    titles: dict[str, str] = {}
    for event in tracker.events:
        kind = event.get("event")
        if kind == "bot" and event.get("text"):
            metadata = event.get("metadata")
            staff = isinstance(metadata, Mapping) and bool(metadata.get("staff_name"))
            lines.append(TranscriptLine("staff" if staff else "bot", event["text"], _at(event)))
            titles.update(_titles(event))
        elif kind == "user":
            line = citizen_line(event, titles)
            if line is not None:
                lines.append(line)
    return tuple(lines[-limit:])


def latest_citizen_line(tracker: Tracker) -> TranscriptLine | None:
    """The citizen's latest message as staff read it (for the turns of a waiting handoff)."""
    titles: dict[str, str] = {}
    latest: Mapping[str, Any] | None = None
    for event in tracker.events:
        if event.get("event") == "bot":
            titles.update(_titles(event))
        elif event.get("event") == "user":
            latest = event
    return citizen_line(latest, titles) if latest is not None else None


def _procedure_id(tracker: Tracker) -> str | None:
    for candidate in (tracker.get_slot(PROCEDURE_SLOT), conversation.procedure_id(tracker)):
        if catalog_access.procedure(candidate) is not None:
            return str(candidate)
    return None


def collected(tracker: Tracker, procedure_id: str | None) -> dict[str, Any]:
    """The dossier's fields given so far (only those of ``procedure_id``'s dossier)."""
    if procedure_id is None or tracker.get_slot(PROCEDURE_SLOT) != procedure_id:
        return {}
    fields = tracker.get_slot(FIELDS_SLOT)
    if not isinstance(fields, Mapping):
        return {}
    return {str(k): v for k, v in fields.items() if v is not None and not isinstance(v, dict)}


def _province(procedure_id: str | None, fields: Mapping[str, Any]) -> str | None:
    proc = catalog_access.procedure(procedure_id)
    if proc is None:
        return None
    for item in proc.fields:
        value = fields.get(item.id)
        if item.type == "province" and isinstance(value, str) and value:
            return value
    return None


def _last_action(tracker: Tracker) -> str | None:
    """The last action run (``action_listen`` and the offer itself not counted)."""
    for event in reversed(list(tracker.events)):
        if event.get("event") == "user":
            return None
        if event.get("event") == "action" and event.get("name") not in (
            "action_listen",
            OFFER_ACTION,
        ):
            return str(event.get("name"))
    return None


def offer_reason(tracker: Tracker) -> str:
    """Why the assistant offers a person now: a verdict that needs staff, or misunderstandings."""
    if _last_action(tracker) == "action_eligibility_verdict":
        return "needs_staff"
    return "misunderstood"


def reason_of(tracker: Tracker) -> str:
    """Why the conversation is handed over now."""
    latest = conversation.latest(tracker)
    if latest.intent == "complain":
        return "complaint"
    offered = tracker.get_slot(OFFERED_SLOT)
    if conversation.previous_bot_action(tracker) == OFFER_ACTION and isinstance(offered, str):
        return offered
    failures = tracker.get_slot(FAILURES_SLOT)
    in_form = (tracker.active_loop or {}).get("name") == FORM
    if (
        in_form
        and isinstance(failures, Mapping)
        and any(isinstance(count, int) and count >= MAX_ERRORS for count in failures.values())
    ):
        return "field_failures"
    return "asked"


def handoff_request(tracker: Tracker, reason: str) -> HandoffRequest:
    """The handoff of this conversation, ready to send."""
    procedure_id = _procedure_id(tracker)
    fields = collected(tracker, procedure_id)
    answers = (
        answers_for(tracker.get_slot("eligibility_answers"), procedure_id)
        if procedure_id is not None
        else {}
    )
    return HandoffRequest(
        channel=conversation_channel(tracker),
        sender_id=tracker.sender_id,
        reason=reason,
        procedure_id=procedure_id,
        province=_province(procedure_id, fields),
        transcript=transcript(tracker),
        collected=fields,
        answers={k: v for k, v in answers.items() if not isinstance(v, dict | list)},
    )
