"""Personal data in the intake service: erasure on request, retention, the full notice.

*Erasure* (``POST /api/v1/privacy/erasures`` from the bot when a citizen says "xóa dữ liệu của
tôi"; the console's "Xóa dữ liệu của một người dân" for staff): what the service keeps of one
conversation goes — its handoffs with their transcripts, call-back requests, finished
notifications, the conversation id on caller codes; ratings keep their score for the
statistics but lose the conversation id and the comment. **Filed dossiers stay** with the office
(their receipt codes are returned: the citizen is told). Every erasure is written to the audit
log (who, when, which conversation, what went): the proof that the request was honoured.

*Retention* (:func:`purge_expired`, run by :class:`RetentionWorker` every hour in each service
process and by ``python -m intake_service purge``): handoffs ended more than
``HANDOFF_RETENTION_DAYS`` (180) ago with their transcripts, call-back requests done that long
ago, caller codes expired that long ago, and notifications to the bot finished more than
``WEBHOOK_RETENTION_DAYS`` (30) ago. Dossiers follow the office's archival rules, not this job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, delete, or_, select, update
from sqlalchemy.orm import Session

from bhxh_catalog.privacy import RetentionPeriods
from intake_service import audit
from intake_service.db import Database
from intake_service.models import (
    CallbackRequest,
    Dossier,
    Handoff,
    HandoffCode,
    Rating,
    WebhookDelivery,
    utcnow,
)

__all__ = ["Erasure", "Purged", "RetentionWorker", "erase_conversation", "purge_expired"]

log = logging.getLogger(__name__)
ERASED_SENDER = "erased"
FINISHED = ("delivered", "failed")


def _rows(session: Session, statement: Executable) -> int:
    """Runs a bulk DELETE/UPDATE; returns how many rows it touched."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount or 0)


def masked_conversation(channel: str, sender_id: str) -> str:
    """How the audit log names an erased conversation (never the whole id)."""
    return f"{channel}:…{sender_id[-4:]}" if len(sender_id) > 4 else f"{channel}:…"


@dataclass
class Erasure:
    """What an erasure removed, and the dossiers kept."""

    kept_dossiers: list[str] = field(default_factory=list)
    handoffs: int = 0
    callbacks: int = 0
    ratings: int = 0
    notifications: int = 0

    def summary(self) -> str:
        """One line for the audit log."""
        return (
            f"handoffs={self.handoffs} callbacks={self.callbacks} ratings={self.ratings} "
            f"notifications={self.notifications} kept_dossiers={len(self.kept_dossiers)}"
        )


def _payload_names(sender_id: str) -> str:
    """The text a notification's compact JSON payload carries for this conversation."""
    import json

    return json.dumps({"sender_id": sender_id}, ensure_ascii=False, separators=(",", ":"))[1:-1]


def erase_conversation(
    session: Session, channel: str, sender_id: str, actor: str, ip: str = ""
) -> Erasure:
    """Erases what the service keeps of one conversation (in the caller's transaction)."""
    result = Erasure()
    result.kept_dossiers = list(
        session.scalars(
            select(Dossier.receipt_code)
            .where(Dossier.channel == channel, Dossier.sender_id == sender_id)
            .order_by(Dossier.id)
        )
    )
    handoff_ids = list(
        session.scalars(
            select(Handoff.id).where(Handoff.channel == channel, Handoff.sender_id == sender_id)
        )
    )
    marker = _payload_names(sender_id)
    result.notifications = _rows(
        session,
        delete(WebhookDelivery).where(
            or_(
                WebhookDelivery.handoff_id.in_(handoff_ids),
                WebhookDelivery.payload.contains(marker),
            ),
            WebhookDelivery.state.in_(FINISHED) | WebhookDelivery.handoff_id.in_(handoff_ids),
        )
    )
    for handoff in session.scalars(select(Handoff).where(Handoff.id.in_(handoff_ids))):
        session.delete(handoff)  # its messages go with it (cascade)
        result.handoffs += 1
    result.callbacks = _rows(
        session,
        delete(CallbackRequest).where(
            CallbackRequest.channel == channel, CallbackRequest.sender_id == sender_id
        )
    )
    result.ratings = _rows(
        session,
        update(Rating)
        .where(Rating.channel == channel, Rating.sender_id == sender_id)
        .values(sender_id=ERASED_SENDER, comment="")
    )
    _rows(
        session,
        update(HandoffCode)
        .where(HandoffCode.used_channel == channel, HandoffCode.used_sender_id == sender_id)
        .values(used_sender_id=None)
    )
    audit.record(
        session, actor, "privacy_erasure", masked_conversation(channel, sender_id),
        result.summary(), ip,
    )
    return result


@dataclass
class Purged:
    """What one retention round removed."""

    handoffs: int = 0
    callbacks: int = 0
    codes: int = 0
    notifications: int = 0

    def total(self) -> int:
        """Rows removed."""
        return self.handoffs + self.callbacks + self.codes + self.notifications


def purge_expired(session: Session, periods: RetentionPeriods, now: datetime) -> Purged:
    """Deletes what is past its retention period (in the caller's transaction)."""
    purged = Purged()
    if periods.delivery_days:
        cutoff = now - timedelta(days=periods.delivery_days)
        purged.notifications = _rows(
            session,
            delete(WebhookDelivery).where(
                WebhookDelivery.state.in_(FINISHED), WebhookDelivery.created_at < cutoff
            )
        )
    if periods.handoff_days:
        cutoff = now - timedelta(days=periods.handoff_days)
        old = session.scalars(
            select(Handoff).where(Handoff.closed_at.is_not(None), Handoff.closed_at < cutoff)
        )
        for handoff in old:
            session.delete(handoff)
            purged.handoffs += 1
        purged.callbacks = _rows(
            session,
            delete(CallbackRequest).where(
                CallbackRequest.status != "open",
                or_(CallbackRequest.done_at < cutoff, CallbackRequest.done_at.is_(None)),
                CallbackRequest.created_at < cutoff,
            )
        )
        purged.codes = _rows(
            session,
            delete(HandoffCode).where(HandoffCode.expires_at < cutoff)
        )
    return purged


class RetentionWorker:
    """Runs :func:`purge_expired` every ``interval`` seconds in the app's lifespan.

    Args:
        db: the database.
        periods: the retention periods.
        interval: seconds between two rounds (``INTAKE_PURGE_INTERVAL_SECONDS``, 3600).
    """

    def __init__(self, db: Database, periods: RetentionPeriods, interval: float = 3600.0) -> None:
        self._db = db
        self._periods = periods
        self.interval = interval

    def run_once(self, now: datetime | None = None) -> Purged:
        """One round (blocking)."""
        with self._db.transaction() as session:
            purged = purge_expired(session, self._periods, now or utcnow())
            if purged.total():
                audit.record(
                    session, "system", "retention_purge", "",
                    f"handoffs={purged.handoffs} callbacks={purged.callbacks} "
                    f"codes={purged.codes} notifications={purged.notifications}",
                )
        if purged.total():
            log.info("retention: %d row(s) past their period deleted", purged.total())
        return purged

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until ``stop`` is set; errors are logged, never raised."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.run_once)
            except Exception:  # the worker must survive database hiccups
                log.exception("retention round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
