"""Consent to the processing of personal data, asked before the first question of a dossier.

Nghị định 13/2023/NĐ-CP and Luật 91/2025/QH15 (issue 17): before any personal data is
collected the citizen reads what is collected, why, by whom, for how long and their rights
(``catalog/data/privacy.yaml``, read through ``bhxh_catalog.privacy``), and agrees explicitly —
a button "Đồng ý" or a typed "đồng ý" / "dong y" / "ok đồng ý" / "tôi đồng ý"; silence or anything
else is not consent. Without it the dossier does not start and the citizen is shown the other
ways to submit (office, post, Cổng Dịch vụ công, VssID, 1900 9068, "Gặp nhân viên").

**The hook in ``submission_form``** (the only places the form knows of consent):

* :func:`gate` in ``ValidateSubmissionForm.next_slot``, right after the dossier id is made and
  before anything is pre-filled: ``ASK`` → requested slot :data:`CONSENT_SLOT`; ``STOP`` (refused
  for this dossier) → the form ends, nothing is sent; ``PASS`` → the dossier goes on;
* :func:`read_answer` in ``ValidateSubmissionForm.run`` when the requested slot is
  :data:`CONSENT_SLOT` (photos sent before consent are not kept either);
* :class:`ActionAskSubmissionConsent` asks it (``action_ask_submission_consent``).

**What is recorded** — slot :data:`RECORD_SLOT` (``privacy_consent``), sent with every dossier
to the intake service (``consent`` of the dossier) and kept in the tracker's events:
``{"status": "given"|"refused"|"withdrawn", "version", "at" (UTC ISO 8601), "channel", "how"
("button"/"typed"), "notice_sha256"}`` (+ ``"dossier_id"`` of a refusal). Consent given once
holds for the conversation's later dossiers while the notice's version is the same; a new version
is asked again; "xóa dữ liệu của tôi" withdraws it (:mod:`bot.actions.privacy`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bhxh_catalog.privacy import PrivacyNotice, load_privacy_notice
from bhxh_catalog.vntext import fold
from bot.actions.conversation import LatestMessage
from bot.actions.question_loop import ANSWER_INTENTS, AskLoopSlot, Decision, Outcome
from bot.actions.replies import Button, Reply, payload, send

__all__ = [
    "CONSENT_SLOT",
    "NO",
    "RECORD_SLOT",
    "YES",
    "ActionAskSubmissionConsent",
    "Gate",
    "consent_for_dossier",
    "gate",
    "given",
    "notice",
    "notice_url",
    "read_answer",
    "refused_for",
    "typed_answer",
]

CONSENT_SLOT = "submission_consent"
RECORD_SLOT = "privacy_consent"
NOTICE_URL_ENV = "PRIVACY_NOTICE_URL"
DEFAULT_NOTICE_URL = "http://127.0.0.1:8000/privacy"
YES, NO = "consent_yes", "consent_no"
GIVEN, REFUSED, WITHDRAWN = "given", "refused", "withdrawn"

_YES_PHRASES = frozenset(
    {
        "dong y",
        "ok dong y",
        "oke dong y",
        "okay dong y",
        "toi dong y",
        "em dong y",
        "dong y a",
        "vang dong y",
        "vang toi dong y",
        "co dong y",
        "co toi dong y",
        "dong y nhe",
        "dong y het",
        "toi dong y a",
        "chau dong y",
    }
)
_NO = re.compile(r"(?<!\w)(?:(?:khong|ko|k|chua) dong y|tu choi|khong chap nhan)(?!\w)")
_NO_PHRASES = frozenset({"khong", "ko", "k", "thoi", "khong a", "khong muon", "toi khong"})


def notice(environ: Mapping[str, str] | None = None) -> PrivacyNotice:
    """The privacy notice, stating the retention periods configured for this system."""
    return load_privacy_notice(os.environ if environ is None else environ)


def notice_url(environ: Mapping[str, str] | None = None) -> str:
    """Where the full notice is (``$PRIVACY_NOTICE_URL``; the intake service serves it)."""
    env = os.environ if environ is None else environ
    return env.get(NOTICE_URL_ENV, "").strip() or DEFAULT_NOTICE_URL


def _record(slots: Mapping[str, Any]) -> dict[str, Any]:
    value = slots.get(RECORD_SLOT)
    return dict(value) if isinstance(value, Mapping) else {}


def given(slots: Mapping[str, Any]) -> bool:
    """Consent is recorded for the current version of the notice (and not withdrawn)."""
    record = _record(slots)
    return record.get("status") == GIVEN and record.get("version") == notice().version


def refused_for(slots: Mapping[str, Any], dossier_id: object) -> bool:
    """The citizen refused consent for this very dossier (a new dossier asks again)."""
    record = _record(slots)
    return record.get("status") == REFUSED and record.get("dossier_id") == dossier_id


class Gate(Enum):
    """What the dossier form does about consent."""

    PASS = "pass"  # consent given: the dossier goes on
    ASK = "ask"  # ask (requested slot CONSENT_SLOT)
    STOP = "stop"  # refused for this dossier: the form ends, nothing is sent


def gate(slots: Mapping[str, Any], dossier_id: object) -> Gate:
    """The form's hook, called before the first step of a dossier (and anything pre-filled)."""
    if given(slots):
        return Gate.PASS
    if refused_for(slots, dossier_id):
        return Gate.STOP
    return Gate.ASK


def consent_for_dossier(slots: Mapping[str, Any]) -> dict[str, Any] | None:
    """What is sent with a dossier: the record of the consent given, or None."""
    return _record(slots) if given(slots) else None


def typed_answer(text: str) -> bool | None:
    """True for a typed "đồng ý", False for a typed refusal, None for anything else."""
    folded = " ".join(fold(text).replace(",", " ").replace(".", " ").replace("!", " ").split())
    if not folded:
        return None
    if _NO.search(folded) or folded in _NO_PHRASES:
        return False
    if "khong" in folded.split() or "?" in text:
        return None  # "đồng ý không?" asks, it does not agree
    if folded in _YES_PHRASES or folded.startswith(("dong y ", "ok dong y ", "toi dong y ")):
        return True
    return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def consent_buttons() -> tuple[Button, ...]:
    """"Đồng ý", "Không đồng ý"."""
    return (
        Button("Đồng ý", payload("inform", answer=YES)),
        Button("Không đồng ý", payload("inform", answer=NO)),
    )


def refusal_replies() -> list[Reply]:
    """What a refusal is answered: nothing was kept; the other ways to submit."""
    return [
        Reply(
            notice().render("refused", notice_url()),
            (
                Button("Nơi nộp hồ sơ", payload("ask_where_to_submit")),
                Button("Gặp nhân viên", payload("request_human")),
            ),
        )
    ]


def read_answer(
    slots: dict[str, Any],
    message: LatestMessage,
    channel: str,
    dossier_id: object,
    dispatcher: CollectingDispatcher,
) -> Outcome:
    """Reads the answer to the notice and records it in ``slots[RECORD_SLOT]``.

    Returns:
        ACCEPT when consent was given or refused (the form goes on, or ends); ERROR (with the
        buttons again) for an answer that is neither; REJECT for a side question (the rules
        answer it, the form asks again).
    """
    button = message.entity("answer")
    if message.is_payload and button in (YES, NO):
        answer: bool | None = button == YES
        how = "button"
    else:
        answer = None if message.is_payload else typed_answer(message.text)
        how = "typed"
    if answer is None:
        if message.intent in ANSWER_INTENTS or (not message.is_payload and len(message.text) < 25):
            send(dispatcher, [Reply(notice().render("unclear"), consent_buttons())])
            return Outcome(Decision.ERROR)
        return Outcome(Decision.REJECT)
    current = notice()
    url = notice_url()
    record: dict[str, Any] = {
        "status": GIVEN if answer else REFUSED,
        "version": current.version,
        "at": _now(),
        "channel": channel,
        "how": how,
        "notice_sha256": current.fingerprint(url),
    }
    if not answer:
        record["dossier_id"] = dossier_id
    slots[RECORD_SLOT] = record
    if answer:
        send(dispatcher, [Reply(current.render("accepted"))])
    else:
        send(dispatcher, refusal_replies())
    return Outcome(Decision.ACCEPT)


def withdrawn(slots: Mapping[str, Any], channel: str) -> dict[str, Any]:
    """The record after the citizen withdrew consent (``xóa dữ liệu của tôi``)."""
    record = _record(slots)
    return {
        "status": WITHDRAWN,
        "version": record.get("version") or notice().version,
        "at": _now(),
        "channel": channel,
        "how": "typed",
    }


class ActionAskSubmissionConsent(AskLoopSlot):
    """``action_ask_submission_consent``: the short notice, then the question with buttons."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_submission_consent"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The notice (one message) and "Ông/bà có đồng ý …?" with "Đồng ý" / "Không đồng ý"."""
        current = notice()
        url = notice_url()
        return [
            Reply(current.render("short", url)),
            Reply(current.render("question", url), consent_buttons()),
        ]
