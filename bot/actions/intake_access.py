"""The one seam between the actions and the intake service (``backend_client``).

Submissions go through the durable outbox (``submit_durably``): the dossier is on disk before
the intake is called, so an outage only delays it (the Rasa server's ``OutboxWorker``, started by
``connectors.intake_events``, delivers it later). Settings come from the environment
(``INTAKE_URL``, ``INTAKE_API_KEY``, ``INTAKE_TIMEOUT``, ``INTAKE_RETRIES``,
``OUTBOX_DATABASE_URL``; see ``backend_client.IntakeSettings``).

Tests replace :func:`open_client` (e.g. with a client on ``httpx.MockTransport``) and
:func:`open_outbox`.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from backend_client import (
    Attachment,
    CallbackReceipt,
    CallerCode,
    CodeNotFound,
    CodeUnavailable,
    Delivered,
    DossierNotFound,
    DossierStatus,
    DossierSubmission,
    FieldError,
    HandoffNotOpen,
    HandoffRequest,
    HandoffTicket,
    IntakeClient,
    IntakeError,
    IntakeRejected,
    IntakeSettings,
    IntakeUnavailable,
    Outbox,
    Queued,
    Receipt,
    Rejected,
    TranscriptLine,
    WithdrawReason,
    submit_durably,
)

__all__ = [
    "Attachment",
    "CallbackReceipt",
    "CallerCode",
    "CodeNotFound",
    "CodeUnavailable",
    "Delivered",
    "DossierNotFound",
    "DossierStatus",
    "DossierSubmission",
    "FieldError",
    "HandoffRequest",
    "HandoffTicket",
    "IntakeError",
    "IntakeRejected",
    "IntakeUnavailable",
    "Queued",
    "Receipt",
    "Rejected",
    "TranscriptLine",
    "WithdrawReason",
    "attach",
    "dossier",
    "dossiers",
    "erase_conversation",
    "hand_off",
    "open_client",
    "open_outbox",
    "rate",
    "record_lines",
    "redeem_code",
    "request_callback",
    "submit",
    "withdraw_handoff",
]

_outboxes: dict[str, Outbox] = {}
_outboxes_lock = threading.Lock()


def settings() -> IntakeSettings:
    """The intake settings of this process (read from the environment)."""
    return IntakeSettings.from_env()


@asynccontextmanager
async def open_client() -> AsyncIterator[IntakeClient]:
    """A client of the intake API, closed on exit."""
    client = IntakeClient.from_settings(settings())
    try:
        yield client
    finally:
        await client.aclose()


def open_outbox() -> Outbox:
    """The outbox of this process (one per database URL, created on first use)."""
    url = settings().outbox_url
    with _outboxes_lock:
        if url not in _outboxes:
            _outboxes[url] = Outbox(url)
        return _outboxes[url]


async def submit(submission: DossierSubmission) -> Delivered | Queued | Rejected:
    """Stores the dossier in the outbox, then sends it (see ``backend_client.submit_durably``).

    Any other failure of the intake (a wrong key, an unexpected answer) leaves the dossier
    pending in the outbox, where the worker keeps trying: the citizen is told it is queued.
    """
    async with open_client() as client:
        try:
            return await submit_durably(client, open_outbox(), submission)
        except IntakeError as error:
            return Queued(submission.dossier_id, f"{type(error).__name__}: {error}")


async def dossiers(sender_id: str, channel: str) -> list[DossierStatus]:
    """The dossiers submitted from one conversation, newest first.

    Raises:
        IntakeError: the intake could not answer.
    """
    async with open_client() as client:
        return await client.list_dossiers(sender_id, channel)


async def erase_conversation(channel: str, sender_id: str) -> list[str]:
    """Erases the intake's data of one conversation; returns the receipt codes of the dossiers
    kept (filed dossiers stay with the office).

    Raises:
        IntakeError: the intake could not do it.
    """
    async with open_client() as client:
        return await client.erase_conversation(channel=channel, sender_id=sender_id)


async def dossier(receipt_code: str) -> DossierStatus:
    """One dossier by its receipt code.

    Raises:
        DossierNotFound: no dossier has this code.
        IntakeError: the intake could not answer.
    """
    async with open_client() as client:
        return await client.get_dossier(receipt_code)


async def attach(
    receipt_code: str, filename: str, content: bytes, content_type: str
) -> dict[str, Any]:
    """Attaches a photo or PDF to a dossier.

    Raises:
        IntakeRejected: the file was refused (type, size).
        IntakeError: the intake could not take it.
    """
    async with open_client() as client:
        return await client.upload_attachment(receipt_code, filename, content, content_type)


async def rate(
    *, channel: str, sender_id: str, score: int, comment: str | None, receipt_code: str | None
) -> None:
    """Stores a citizen's rating (1–5) with the intake service.

    Raises:
        IntakeError: the intake could not store it.
    """
    async with open_client() as client:
        await client.rate(
            channel=channel,
            sender_id=sender_id,
            score=score,
            comment=comment,
            receipt_code=receipt_code,
        )


async def hand_off(request: HandoffRequest) -> HandoffTicket:
    """Hands the conversation to the office (or finds its open handoff).

    Raises:
        IntakeError: the intake could not take it.
    """
    async with open_client() as client:
        return await client.create_handoff(request)


async def request_callback(handoff_id: int, phone: str) -> CallbackReceipt:
    """Leaves the citizen's phone number for a call back.

    Raises:
        IntakeRejected: the number was refused (the validator's message).
        IntakeError: the intake could not take it.
    """
    async with open_client() as client:
        return await client.request_callback(handoff_id, phone)


async def redeem_code(code: str, channel: str, sender_id: str) -> CallerCode:
    """What a hotline staff member prepared for the caller who sends this code.

    Raises:
        CodeNotFound: no such code.
        CodeUnavailable: used by another conversation, or expired (``message`` says which).
        IntakeError: the intake could not answer.
    """
    async with open_client() as client:
        return await client.redeem_code(code, channel, sender_id)


async def record_lines(handoff_id: int, lines: Sequence[TranscriptLine]) -> None:
    """Adds turns said while the handoff waits (citizen and assistant) to its transcript.

    Lines of the citizen are refused once the handoff is over (409): those are dropped, the
    assistant's are kept whatever the status.

    Raises:
        IntakeError: the intake could not take them.
    """
    async with open_client() as client:
        for line in lines:
            if line.author not in ("citizen", "bot") or not (line.text or line.attachments):
                continue
            try:
                await client.post_handoff_message(
                    handoff_id,
                    line.text,
                    attachments=line.attachments,
                    at=line.at,
                    author="bot" if line.author == "bot" else "citizen",
                )
            except HandoffNotOpen:
                continue


async def withdraw_handoff(handoff_id: int, reason: WithdrawReason = "cancel") -> None:
    """Takes the handoff off the staff queue (the citizen declined or cancelled).

    Raises:
        IntakeError: the intake could not be told (the handoff then expires by itself).
    """
    async with open_client() as client:
        await client.withdraw_handoff(handoff_id, reason)
