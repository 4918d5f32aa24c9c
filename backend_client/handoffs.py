"""Typed values of the human handoff part of the intake API (docs/contracts.md "Human handoff").

The bot hands a conversation to the office (:class:`HandoffRequest` → :class:`HandoffTicket`),
relays what the citizen writes while a person owns it (:class:`RelayedMessage`), leaves a phone
number for a call back (:class:`CallbackReceipt`), reads a handoff back (:class:`HandoffView`),
withdraws it when the citizen cancels (:data:`WithdrawReason`) and redeems the codes hotline
staff make for callers (:class:`CallerCode`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from backend_client.models import jsonable

__all__ = [
    "Attachment",
    "CallbackReceipt",
    "CallerCode",
    "HandoffRequest",
    "HandoffTicket",
    "HandoffView",
    "RelayedMessage",
    "TranscriptLine",
    "WithdrawReason",
]

Author = Literal["citizen", "bot", "staff"]
WithdrawReason = Literal["cancel", "restart"]
"""Why the citizen left a handoff: "hủy" (``cancel``) or "bắt đầu lại" (``restart``)."""
MAX_TEXT = 4000
MAX_ATTACHMENTS = 10


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file or place the citizen sent, kept by reference (``type``: image, file, location…)."""

    type: str
    url: str | None = None
    name: str | None = None

    def body(self) -> dict[str, str]:
        """The JSON form (absent values left out)."""
        values = {"type": self.type[:32], "url": self.url, "name": (self.name or None)}
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    """One message of the conversation before the handoff."""

    author: Author
    text: str
    at: str | None = None
    attachments: tuple[Attachment, ...] = ()

    def body(self) -> dict[str, Any]:
        """The JSON form (``from`` is the author)."""
        line: dict[str, Any] = {"from": self.author, "text": self.text[:MAX_TEXT]}
        if self.at:
            line["at"] = self.at
        if self.attachments:
            line["attachments"] = [item.body() for item in self.attachments[:MAX_ATTACHMENTS]]
        return line


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    """A conversation handed to the office: why, what it is about, what was said and collected.

    ``reason`` is one of ``asked``, ``misunderstood``, ``field_failures``, ``needs_staff``,
    ``complaint`` (other snake_case ids are shown as is).
    """

    channel: str
    sender_id: str
    reason: str
    procedure_id: str | None = None
    province: str | None = None
    transcript: tuple[TranscriptLine, ...] = ()
    collected: Mapping[str, Any] = field(default_factory=dict)
    answers: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """The JSON body of ``POST /api/v1/handoffs``."""
        return {
            "channel": self.channel,
            "sender_id": self.sender_id,
            "reason": self.reason,
            "procedure_id": self.procedure_id,
            "province": self.province,
            "transcript": [line.body() for line in self.transcript],
            "collected": jsonable(dict(self.collected)),
            "answers": jsonable(dict(self.answers)),
        }


@dataclass(frozen=True, slots=True)
class HandoffTicket:
    """The intake's answer to a handoff: its id and what to tell the citizen.

    Attributes:
        handoff_id: the handoff (the same one when the conversation already had one open).
        status: ``waiting`` or, for an open one, ``claimed``.
        office_open: whether staff answer now (else the citizen may ask for a call back).
        expected_wait_minutes: the expected wait inside office hours.
        message: what to tell the citizen (Vietnamese).
        created: whether this call opened it (False: the conversation's open one).
    """

    handoff_id: int
    status: str
    office_open: bool
    expected_wait_minutes: int | None
    message: str
    created: bool = True

    @classmethod
    def from_api(cls, data: Mapping[str, Any], created: bool = True) -> HandoffTicket:
        """Builds the ticket from the intake's JSON answer."""
        wait = data.get("expected_wait_minutes")
        return cls(
            handoff_id=int(data["handoff_id"]),
            status=str(data.get("status") or "waiting"),
            office_open=bool(data.get("office_open")),
            expected_wait_minutes=int(wait) if isinstance(wait, int | float) else None,
            message=str(data.get("message") or ""),
            created=created,
        )


@dataclass(frozen=True, slots=True)
class HandoffView:
    """A handoff as the intake has it (with the data as corrected by staff)."""

    handoff_id: int
    status: str
    channel: str
    sender_id: str
    reason: str
    procedure_id: str | None
    staff_name: str | None
    resume: str | None
    collected: Mapping[str, Any]
    answers: Mapping[str, Any]
    corrected: tuple[str, ...]

    @property
    def is_open(self) -> bool:
        """Whether a person still owns (or is about to own) the conversation."""
        return self.status in ("waiting", "claimed")

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> HandoffView:
        """Builds the view from the intake's JSON answer."""
        return cls(
            handoff_id=int(data["handoff_id"]),
            status=str(data["status"]),
            channel=str(data.get("channel") or ""),
            sender_id=str(data.get("sender_id") or ""),
            reason=str(data.get("reason") or ""),
            procedure_id=data.get("procedure_id") or None,
            staff_name=data.get("staff_name") or None,
            resume=data.get("resume") or None,
            collected=dict(data.get("collected") or {}),
            answers=dict(data.get("answers") or {}),
            corrected=tuple(str(name) for name in data.get("corrected") or []),
        )


@dataclass(frozen=True, slots=True)
class RelayedMessage:
    """A citizen's message stored with the handoff (shown in the console)."""

    message_id: int
    handoff_id: int

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> RelayedMessage:
        """Builds it from the intake's JSON answer."""
        return cls(message_id=int(data["message_id"]), handoff_id=int(data["handoff_id"]))


@dataclass(frozen=True, slots=True)
class CallbackReceipt:
    """A phone number left for a call back, and what to tell the citizen."""

    callback_id: int
    handoff_id: int
    handoff_status: str
    phone: str
    message: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> CallbackReceipt:
        """Builds it from the intake's JSON answer."""
        return cls(
            callback_id=int(data["callback_id"]),
            handoff_id=int(data["handoff_id"]),
            handoff_status=str(data.get("handoff_status") or ""),
            phone=str(data.get("phone") or ""),
            message=str(data.get("message") or ""),
        )


@dataclass(frozen=True, slots=True)
class CallerCode:
    """What a hotline staff member prepared on the phone for the caller who sends this code.

    ``fields`` and ``answers`` are plain values already checked by the shared validators
    (dates as ISO strings); ``note`` is an optional message from the staff member.
    """

    code: str
    procedure_id: str
    procedure_name: str
    fields: Mapping[str, Any]
    answers: Mapping[str, Any]
    note: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> CallerCode:
        """Builds it from the intake's JSON answer."""
        return cls(
            code=str(data["code"]),
            procedure_id=str(data["procedure_id"]),
            procedure_name=str(data.get("procedure_name") or data["procedure_id"]),
            fields=dict(data.get("fields") or {}),
            answers=dict(data.get("answers") or {}),
            note=data.get("note") or None,
        )
