"""Typed values exchanged with the intake API (see docs/contracts.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["DossierStatus", "DossierSubmission", "Receipt", "StatusChange", "jsonable"]


def jsonable(value: Any) -> Any:
    """Turns dates and nested containers into JSON-ready values (dates as ISO strings)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class DossierSubmission:
    """A dossier the bot submits.

    `dossier_id` is created once when the citizen starts the form and stays the same for every
    retry and for the outbox, so it doubles as the Idempotency-Key.
    """

    dossier_id: str
    procedure_id: str
    channel: str
    sender_id: str
    fields: dict[str, Any]
    answers: dict[str, Any] = field(default_factory=dict)
    province: str | None = None
    consent: dict[str, Any] | None = None
    """The citizen's consent to the processing of their data (bot/actions/consent.py)."""

    def body(self) -> dict[str, Any]:
        """Returns the JSON body of `POST /api/v1/dossiers`."""
        body = {
            "procedure_id": self.procedure_id,
            "channel": self.channel,
            "sender_id": self.sender_id,
            "fields": jsonable(self.fields),
            "answers": jsonable(self.answers),
            "province": self.province,
        }
        if self.consent is not None:
            body["consent"] = jsonable(self.consent)
        return body

    def to_json(self) -> str:
        """Serialises the whole submission (for the outbox)."""
        return json.dumps({"dossier_id": self.dossier_id, **self.body()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> DossierSubmission:
        """Reads a submission written by `to_json`."""
        data = json.loads(text)
        return cls(
            dossier_id=data["dossier_id"],
            procedure_id=data["procedure_id"],
            channel=data["channel"],
            sender_id=data["sender_id"],
            fields=data.get("fields") or {},
            answers=data.get("answers") or {},
            consent=data.get("consent"),
            province=data.get("province"),
        )


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the intake answers to a submission."""

    receipt_code: str
    status: str
    procedure_id: str
    processing_time: str | None = None
    created_at: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Receipt:
        """Builds a receipt from the intake's JSON answer."""
        return cls(
            receipt_code=str(data["receipt_code"]),
            status=str(data["status"]),
            procedure_id=str(data.get("procedure_id", "")),
            processing_time=data.get("processing_time"),
            created_at=data.get("created_at"),
        )


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of a dossier's status history."""

    status: str
    at: str
    actor: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DossierStatus:
    """A dossier as the bot may show it to the citizen."""

    receipt_code: str
    procedure_id: str
    status: str
    status_label: str
    history: tuple[StatusChange, ...] = ()

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> DossierStatus:
        """Builds the status from the intake's JSON answer."""
        history = tuple(
            StatusChange(
                status=str(h.get("status", "")),
                at=str(h.get("at", "")),
                actor=h.get("actor"),
                note=h.get("note"),
            )
            for h in data.get("history") or []
        )
        return cls(
            receipt_code=str(data["receipt_code"]),
            procedure_id=str(data.get("procedure_id", "")),
            status=str(data["status"]),
            status_label=str(data.get("status_label") or data["status"]),
            history=history,
        )
