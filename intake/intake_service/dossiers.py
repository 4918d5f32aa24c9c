"""Dossier operations: submit (idempotent), read, list, search, change status, attach files.

This is the one place that writes dossiers; the API and the console both call it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from intake_service import receipt, statuses
from intake_service.attachments import AttachmentStore, RejectedFile, clean_filename
from intake_service.catalog_fields import CatalogFields, CheckedSubmission
from intake_service.db import Database
from intake_service.due_dates import FINISHED_STATUSES, DueDates
from intake_service.models import (
    Attachment,
    Dossier,
    DossierIdentifier,
    Rating,
    StatusEvent,
    WebhookDelivery,
    utcnow,
)
from intake_service.pii import identifier_digest, identifier_entries, search_digests
from intake_service.schemas import DossierCreate, RatingCreate
from intake_service.webhooks import enqueue_status_changed

__all__ = [
    "LOCAL_TZ",
    "PAPER_CHANNELS",
    "DossierFilter",
    "DossierService",
    "IdempotencyConflict",
    "NotFound",
    "SubmissionRejected",
]

# Dossiers handed in on paper (recorded by staff); every other channel counts as electronic.
PAPER_CHANNELS = frozenset({"counter", "post"})
LOCAL_TZ = timezone(timedelta(hours=7), "ICT")


class SubmissionRejected(ValueError):
    """Some fields are wrong; ``errors`` lists ``(field, Vietnamese message)`` pairs."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors))
        self.errors = list(errors)


class IdempotencyConflict(ValueError):
    """The Idempotency-Key was already used with a different body."""


class NotFound(LookupError):
    """No dossier has this receipt code."""


@dataclass(frozen=True)
class DossierFilter:
    """What the console's list, export and statistics are restricted to.

    Attributes:
        procedure: procedure id.
        status: status value.
        province: current province name.
        channel: channel name.
        date_from: first day (local time) of the submission date range.
        date_to: last day (local time) of the range, inclusive.
        query: a receipt code, a CCCD, CMND, mã số BHXH or BHYT card number, a phone number
            or a full name.
        not_notified: only dossiers whose latest status change has not reached the citizen.
        overdue: only unfinished dossiers past their due date (:mod:`intake_service.due_dates`).
        new_documents: only dossiers "Cần bổ sung thông tin" that got files since.
    """

    procedure: str = ""
    status: str = ""
    province: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""
    not_notified: bool = False
    overdue: bool = False
    new_documents: bool = False


def local_day_start(day: date) -> datetime:
    """The UTC instant at which a Vietnamese calendar day starts."""
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(timezone.utc)


def _new_documents_dossiers() -> Select[Any]:
    """The ids of the dossiers "Cần bổ sung thông tin" with a file uploaded after the request."""
    asked = (
        select(StatusEvent.dossier_id, func.max(StatusEvent.at).label("asked_at"))
        .where(StatusEvent.status == statuses.NEEDS_INFO)
        .group_by(StatusEvent.dossier_id)
        .subquery()
    )
    return (
        select(Dossier.id)
        .join(asked, asked.c.dossier_id == Dossier.id)
        .join(Attachment, Attachment.dossier_id == Dossier.id)
        .where(Dossier.status == statuses.NEEDS_INFO, Attachment.uploaded_at > asked.c.asked_at)
    )


def _not_notified_dossiers() -> Select[Any]:
    """The ids of the dossiers whose latest status notification did not reach the citizen.

    The bot said the platform refused it, or the bot never took it (the attempts ran out).
    A later status change the citizen was told about clears the dossier.
    """
    latest = (
        select(func.max(WebhookDelivery.id))
        .where(WebhookDelivery.event == "status_changed")
        .group_by(WebhookDelivery.dossier_id)
    )
    return select(WebhookDelivery.dossier_id).where(
        WebhookDelivery.id.in_(latest), WebhookDelivery.citizen_notified.is_(False)
    )


def _fingerprint(payload: DossierCreate) -> str:
    canonical = json.dumps(
        payload.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class DossierService:
    """Dossier operations on one database.

    Args:
        db: the database.
        catalog: the seam to the procedure catalog.
        store: where attachment bytes go.
        secret_key: keys the identifier search hashes.
        notify: called after a status change is committed (wakes the webhook worker).
        max_attachments: attachments allowed per dossier.
    """

    db: Database
    catalog: CatalogFields
    store: AttachmentStore
    secret_key: str
    notify: Callable[[], None] = field(default=lambda: None)
    max_attachments: int = 30
    due_dates: DueDates | None = None

    # ----------------------------------------------------------------- submit
    def submit(
        self, payload: DossierCreate, idempotency_key: str | None, actor: str
    ) -> tuple[Dossier, bool]:
        """Stores a new dossier, or returns the one already made with this Idempotency-Key.

        Args:
            payload: the request body.
            idempotency_key: the client's key; the same key and body give the same dossier.
            actor: who submits (``bot`` or a staff user name).

        Returns:
            The dossier and whether it was created by this call.

        Raises:
            IdempotencyConflict: the key was used before with another body.
            SubmissionRejected: the procedure, a field or the province is wrong.
        """
        fingerprint = _fingerprint(payload)
        if idempotency_key:
            existing = self._by_idempotency_key(idempotency_key, fingerprint)
            if existing is not None:
                return existing, False
        checked = self.catalog.check_submission(
            payload.procedure_id, payload.fields, payload.answers, payload.province
        )
        if checked.errors:
            raise SubmissionRejected(checked.errors)
        for _ in range(8):
            try:
                return self._insert(payload, checked, idempotency_key, fingerprint, actor), True
            except IntegrityError:
                if idempotency_key:
                    existing = self._by_idempotency_key(idempotency_key, fingerprint)
                    if existing is not None:
                        return existing, False
                # Otherwise the receipt code collided: draw another one.
        raise RuntimeError("could not draw a free receipt code")

    def _by_idempotency_key(self, key: str, fingerprint: str) -> Dossier | None:
        with self.db.session() as session:
            dossier = session.scalar(
                select(Dossier).where(Dossier.idempotency_key == key).options(*self._loads())
            )
        if dossier is not None and dossier.request_hash != fingerprint:
            raise IdempotencyConflict(key)
        return dossier

    def _insert(
        self,
        payload: DossierCreate,
        checked: CheckedSubmission,
        idempotency_key: str | None,
        fingerprint: str,
        actor: str,
    ) -> Dossier:
        now = utcnow()
        with self.db.transaction() as session:
            dossier = Dossier(
                receipt_code=receipt.new_code(),
                procedure_id=payload.procedure_id,
                status=statuses.RECEIVED,
                channel=payload.channel,
                sender_id=payload.sender_id,
                electronic=payload.channel not in PAPER_CHANNELS,
                province=checked.province,
                office=checked.office,
                fields=checked.fields,
                answers=checked.answers,
                consent=payload.consent.model_dump(mode="json") if payload.consent else None,
                idempotency_key=idempotency_key or None,
                request_hash=fingerprint,
                created_by=actor,
                created_at=now,
                updated_at=now,
                attachments=[],
            )
            dossier.history.append(
                StatusEvent(status=statuses.RECEIVED, at=now, actor=actor, note=None)
            )
            for field_type, value in checked.searchable:
                for kind, text in identifier_entries(field_type, value):
                    dossier.identifiers.append(
                        DossierIdentifier(
                            kind=kind, digest=identifier_digest(self.secret_key, kind, text)
                        )
                    )
            session.add(dossier)
        return dossier

    # ------------------------------------------------------------------- read
    @staticmethod
    def _loads() -> tuple[Any, ...]:
        return (selectinload(Dossier.history), selectinload(Dossier.attachments))

    def get(self, code: str) -> Dossier:
        """The dossier with this receipt code (typed in any spacing or case).

        Raises:
            NotFound: no such dossier (or not a well-formed code).
        """
        normalized = receipt.normalize(code)
        if normalized is None:
            raise NotFound(code)
        with self.db.session() as session:
            dossier = session.scalar(
                select(Dossier).where(Dossier.receipt_code == normalized).options(*self._loads())
            )
        if dossier is None:
            raise NotFound(code)
        return dossier

    def for_conversation(
        self, sender_id: str, channel: str | None, limit: int = 50
    ) -> list[Dossier]:
        """The dossiers of one conversation, newest first."""
        query = select(Dossier).where(Dossier.sender_id == sender_id)
        if channel:
            query = query.where(Dossier.channel == channel)
        query = query.order_by(Dossier.created_at.desc(), Dossier.id.desc()).limit(limit)
        with self.db.session() as session:
            return list(session.scalars(query))

    def filtered(self, flt: DossierFilter) -> Select[Dossier]:
        """The query selecting the dossiers that match a console filter."""
        query = select(Dossier)
        if flt.procedure:
            query = query.where(Dossier.procedure_id == flt.procedure)
        if flt.status:
            query = query.where(Dossier.status == flt.status)
        if flt.province:
            query = query.where(Dossier.province == flt.province)
        if flt.channel:
            query = query.where(Dossier.channel == flt.channel)
        if flt.not_notified:
            query = query.where(Dossier.id.in_(_not_notified_dossiers()))
        if flt.overdue:
            query = query.where(self._overdue())
        if flt.new_documents:
            query = query.where(Dossier.id.in_(_new_documents_dossiers()))
        if flt.date_from:
            query = query.where(Dossier.created_at >= local_day_start(flt.date_from))
        if flt.date_to:
            query = query.where(
                Dossier.created_at < local_day_start(flt.date_to + timedelta(days=1))
            )
        text = flt.query.strip()
        if text:
            code = receipt.normalize(text)
            digests = search_digests(self.secret_key, text)
            conditions = []
            if code:
                conditions.append(Dossier.receipt_code == code)
            if digests:
                matching = select(DossierIdentifier.dossier_id).where(
                    DossierIdentifier.digest.in_(digests)
                )
                conditions.append(Dossier.id.in_(matching))
            conditions.append(Dossier.sender_id == text)
            query = query.where(or_(*conditions))
        return query

    def _overdue(self) -> ColumnElement[bool]:
        """Unfinished dossiers submitted before their procedure's overdue day."""
        dates = self.due_dates
        cutoffs = (
            {pid: dates.overdue_before(pid) for pid, _ in self.catalog.procedures()}
            if dates is not None
            else {}
        )
        conditions = [
            and_(Dossier.procedure_id == pid, Dossier.created_at < local_day_start(day))
            for pid, day in cutoffs.items()
            if day is not None
        ]
        if not conditions:
            return false()
        return and_(Dossier.status.not_in(sorted(FINISHED_STATUSES)), or_(*conditions))

    def due(self, dossier: Dossier) -> date | None:
        """The day the dossier is due (submission day plus the processing time), if known."""
        if self.due_dates is None:
            return None
        submitted = dossier.created_at.astimezone(LOCAL_TZ).date()
        return self.due_dates.due(dossier.procedure_id, submitted)

    def is_overdue(self, dossier: Dossier) -> bool:
        """Past its due date and not finished."""
        if self.due_dates is None:
            return False
        submitted = dossier.created_at.astimezone(LOCAL_TZ).date()
        return self.due_dates.is_overdue(dossier.procedure_id, submitted, dossier.status)

    def with_new_documents(self, dossier_ids: list[int]) -> set[int]:
        """Which of these dossiers "Cần bổ sung thông tin" got files since that request."""
        if not dossier_ids:
            return set()
        with self.db.session() as session:
            rows = session.scalars(
                select(Dossier.id).where(
                    Dossier.id.in_(dossier_ids), Dossier.id.in_(_new_documents_dossiers())
                )
            )
            return set(rows)

    def search(
        self, flt: DossierFilter, offset: int = 0, limit: int = 50
    ) -> tuple[list[Dossier], int]:
        """One page of matching dossiers (newest first) and the total count."""
        query = self.filtered(flt)
        with self.db.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(Dossier.created_at.desc(), Dossier.id.desc())
                .offset(offset)
                .limit(limit)
            )
            return list(rows), total

    # ----------------------------------------------------------------- status
    def change_status(self, code: str, new_status: str, note: str | None, actor: str) -> Dossier:
        """Moves a dossier to a new status, records it and queues the bot notification.

        Raises:
            NotFound: no such dossier.
            statuses.TransitionError: the lifecycle does not allow it (message in Vietnamese).
        """
        normalized = receipt.normalize(code)
        note = (note or "").strip() or None
        with self.db.transaction() as session:
            dossier = self._locked(session, normalized)
            statuses.check_transition(dossier.status, new_status, note)
            now = utcnow()
            event = StatusEvent(status=new_status, at=now, actor=actor, note=note)
            dossier.history.append(event)
            dossier.status = new_status
            dossier.updated_at = now
            session.flush()
            if dossier.channel not in PAPER_CHANNELS:
                enqueue_status_changed(session, dossier, event)
        self.notify()
        return self.get(dossier.receipt_code)

    @staticmethod
    def _locked(session: Session, code: str | None) -> Dossier:
        if code is None:
            raise NotFound("")
        query = select(Dossier).where(Dossier.receipt_code == code).with_for_update()
        dossier = session.scalar(query.options(selectinload(Dossier.history)))
        if dossier is None:
            raise NotFound(code)
        return dossier

    # ------------------------------------------------------------ attachments
    def attach(
        self, code: str, filename: str | None, data: bytes, actor: str
    ) -> tuple[Attachment, bool]:
        """Attaches a file; the same file twice gives the first attachment back.

        Raises:
            NotFound: no such dossier.
            attachments.RejectedFile: wrong type, empty, too large, or too many files.
        """
        content_type = self.store.check(data)
        normalized = receipt.normalize(code)
        digest = hashlib.sha256(data).hexdigest()
        with self.db.transaction() as session:
            dossier = self._locked(session, normalized)
            existing = session.scalar(
                select(Attachment).where(
                    Attachment.dossier_id == dossier.id, Attachment.sha256 == digest
                )
            )
            if existing is not None:
                return existing, False
            count = session.scalar(select(func.count()).where(Attachment.dossier_id == dossier.id))
            if (count or 0) >= self.max_attachments:
                raise RejectedFile(
                    f"Hồ sơ đã có {self.max_attachments} tệp đính kèm, không nhận thêm."
                )
            self.store.save(data)
            attachment = Attachment(
                dossier_id=dossier.id,
                filename=clean_filename(filename, content_type),
                content_type=content_type,
                size=len(data),
                sha256=digest,
                uploaded_by=actor,
            )
            session.add(attachment)
            dossier.updated_at = utcnow()
            session.flush()
        return attachment, True

    def attachment(self, attachment_id: int) -> tuple[Attachment, str]:
        """An attachment and the receipt code of its dossier.

        Raises:
            NotFound: no such attachment.
        """
        with self.db.session() as session:
            row = session.execute(
                select(Attachment, Dossier.receipt_code)
                .join(Dossier, Dossier.id == Attachment.dossier_id)
                .where(Attachment.id == attachment_id)
            ).first()
        if row is None:
            raise NotFound(str(attachment_id))
        return row[0], row[1]

    # ---------------------------------------------------------------- ratings
    def rate(self, payload: RatingCreate, idempotency_key: str | None) -> Rating:
        """Stores a citizen's rating (once per Idempotency-Key).

        Raises:
            SubmissionRejected: the receipt code is given but unknown.
        """
        dossier_id: int | None = None
        code: str | None = None
        if payload.receipt_code:
            try:
                dossier = self.get(payload.receipt_code)
            except NotFound:
                raise SubmissionRejected(
                    [("receipt_code", "Không tìm thấy hồ sơ có mã này.")]
                ) from None
            dossier_id, code = dossier.id, dossier.receipt_code
        with self.db.session() as session:
            if idempotency_key:
                existing = session.scalar(
                    select(Rating).where(Rating.idempotency_key == idempotency_key)
                )
                if existing is not None:
                    return existing
            rating = Rating(
                dossier_id=dossier_id,
                receipt_code=code,
                channel=payload.channel,
                sender_id=payload.sender_id,
                score=payload.score,
                comment=(payload.comment or "").strip(),
                idempotency_key=idempotency_key or None,
            )
            session.add(rating)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                existing = session.scalar(
                    select(Rating).where(Rating.idempotency_key == idempotency_key)
                )
                if existing is None:
                    raise
                return existing
            return rating
