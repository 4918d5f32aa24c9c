"""A durable outbox: no dossier is lost while the intake API is down.

`submit_durably` writes the submission to the outbox *before* it tries the intake, so a crash at
any point leaves it on disk; `OutboxWorker` delivers what is still pending once the intake is back
and calls back so the citizen receives the receipt code on their channel. The dossier id is the
Idempotency-Key, so a delivery repeated after a crash never creates a second dossier.

Works with SQLAlchemy 1.4 (the bot's pin) and 2.x; SQLite file by default, PostgreSQL by URL.
Several workers may share one database: an item is claimed with a lease before it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from backend_client.client import IntakeClient
from backend_client.exceptions import FieldError, IntakeRejected, IntakeUnavailable
from backend_client.models import DossierSubmission, Receipt

__all__ = [
    "Delivered",
    "Outbox",
    "OutboxItem",
    "OutboxWorker",
    "Queued",
    "Rejected",
    "submit_durably",
]

logger = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
REJECTED = "rejected"

_metadata = sa.MetaData()
_outbox = sa.Table(
    "outbox",
    _metadata,
    sa.Column("dossier_id", sa.String(64), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False, default=0.0),
    sa.Column("claimed_until", sa.Float, nullable=False, default=0.0),
    sa.Column("last_error", sa.Text),
    sa.Column("receipt_code", sa.String(32)),
    sa.Column("receipt_status", sa.String(32)),
    sa.Column("notified", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("delivered_at", sa.Float),
)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One stored submission and what happened to it."""

    submission: DossierSubmission
    state: str
    attempts: int
    last_error: str | None
    receipt_code: str | None
    notified: bool


@dataclass(frozen=True, slots=True)
class Delivered:
    """The intake accepted the dossier at once."""

    receipt: Receipt


@dataclass(frozen=True, slots=True)
class Queued:
    """The intake is unreachable; the dossier waits in the outbox and will be delivered."""

    dossier_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """The intake refused some fields; the citizen must correct them."""

    errors: list[FieldError]


# While `submit_durably` sends an item itself, workers leave it alone for this long.
_SENDER_HOLD_SECONDS = 120.0


def _retry_delay(attempts: int) -> float:
    """Seconds before the next delivery attempt: 5 s, 10 s, 20 s … capped at 5 minutes."""
    return float(min(300, 5 * 2 ** max(0, attempts - 1)))


class Outbox:
    """The outbox table. All methods are blocking; the async helpers run them in a thread."""

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        """Opens (and creates if needed) the outbox database.

        Args:
            url: a SQLAlchemy URL, e.g. "sqlite:///var/outbox.db".
            clock: returns the current time in seconds (tests pass a fake).
        """
        parsed = make_url(url)
        database = parsed.database
        if parsed.drivername.startswith("sqlite") and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        self._engine: Engine = sa.create_engine(url, future=True, pool_pre_ping=True)
        self._clock = clock
        _metadata.create_all(self._engine)

    def close(self) -> None:
        """Releases the database connections."""
        self._engine.dispose()

    def put(self, submission: DossierSubmission, *, hold: float = 0.0) -> None:
        """Stores a submission once; storing the same dossier again changes nothing.

        Args:
            submission: the dossier.
            hold: seconds during which workers leave the new item alone (the caller is sending
                it itself), so the citizen is not told the receipt twice.
        """
        with self._engine.begin() as conn:
            exists = conn.execute(
                sa.select(_outbox.c.dossier_id).where(
                    _outbox.c.dossier_id == submission.dossier_id
                )
            ).first()
            if exists is None:
                conn.execute(
                    _outbox.insert().values(
                        dossier_id=submission.dossier_id,
                        payload=submission.to_json(),
                        state=PENDING,
                        attempts=0,
                        next_attempt_at=self._clock() + hold,
                        claimed_until=0.0,
                        notified=False,
                        created_at=self._clock(),
                    )
                )

    def get(self, dossier_id: str) -> OutboxItem | None:
        """Returns the stored item, or None."""
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(_outbox).where(_outbox.c.dossier_id == dossier_id)
            ).mappings().first()
        return None if row is None else self._item(row)

    def claim_due(self, limit: int = 20, lease: float = 60.0) -> list[OutboxItem]:
        """Claims pending items whose retry time has come, so no other worker sends them now."""
        now = self._clock()
        claimed: list[OutboxItem] = []
        with self._engine.begin() as conn:
            rows = conn.execute(
                sa.select(_outbox.c.dossier_id)
                .where(_outbox.c.state == PENDING)
                .where(_outbox.c.next_attempt_at <= now)
                .where(_outbox.c.claimed_until <= now)
                .order_by(_outbox.c.created_at)
                .limit(limit)
            ).all()
        for (dossier_id,) in rows:
            with self._engine.begin() as conn:
                result = conn.execute(
                    _outbox.update()
                    .where(_outbox.c.dossier_id == dossier_id)
                    .where(_outbox.c.state == PENDING)
                    .where(_outbox.c.claimed_until <= now)
                    .values(claimed_until=now + lease)
                )
            if result.rowcount == 1:
                item = self.get(dossier_id)
                if item is not None:
                    claimed.append(item)
        return claimed

    def record_delivered(self, dossier_id: str, receipt: Receipt, *, notified: bool) -> None:
        """Marks an item delivered with its receipt code."""
        self._update(
            dossier_id,
            state=DELIVERED,
            receipt_code=receipt.receipt_code,
            receipt_status=receipt.status,
            delivered_at=self._clock(),
            claimed_until=0.0,
            notified=notified,
            last_error=None,
        )

    def record_failure(self, dossier_id: str, error: str) -> None:
        """Counts a failed attempt and schedules the next one with growing delays."""
        item = self.get(dossier_id)
        attempts = (item.attempts if item else 0) + 1
        self._update(
            dossier_id,
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=self._clock() + _retry_delay(attempts),
            claimed_until=0.0,
        )

    def record_rejected(self, dossier_id: str, errors: list[FieldError]) -> None:
        """Marks an item refused by the intake; it is not sent again."""
        text = "; ".join(f"{e.field}: {e.message}" for e in errors)
        self._update(dossier_id, state=REJECTED, last_error=text[:2000], claimed_until=0.0)

    def mark_notified(self, dossier_id: str) -> None:
        """Records that the citizen was told the outcome."""
        self._update(dossier_id, notified=True)

    def unnotified(self) -> list[OutboxItem]:
        """Delivered or rejected items whose citizen has not been told yet."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(_outbox)
                .where(_outbox.c.state.in_([DELIVERED, REJECTED]))
                .where(_outbox.c.notified.is_(False))
                .order_by(_outbox.c.created_at)
            ).mappings().all()
        return [self._item(r) for r in rows]

    def purge_finished(self, before: float) -> int:
        """Deletes delivered or rejected items told to the citizen before ``before`` (UNIX time;
        retention: the dossier is with the intake, its personal data need not stay here)."""
        with self._engine.begin() as conn:
            result = conn.execute(
                _outbox.delete().where(
                    _outbox.c.state.in_([DELIVERED, REJECTED]),
                    _outbox.c.notified.is_(True),
                    sa.func.coalesce(_outbox.c.delivered_at, _outbox.c.created_at) < before,
                )
            )
        return int(result.rowcount or 0)

    def count(self, state: str = PENDING) -> int:
        """How many items are in a state."""
        with self._engine.connect() as conn:
            value = conn.execute(
                sa.select(sa.func.count()).select_from(_outbox).where(_outbox.c.state == state)
            ).scalar_one()
        return int(value)

    def _update(self, dossier_id: str, **values: object) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                _outbox.update().where(_outbox.c.dossier_id == dossier_id).values(**values)
            )

    @staticmethod
    def _item(row: sa.engine.RowMapping) -> OutboxItem:
        return OutboxItem(
            submission=DossierSubmission.from_json(row["payload"]),
            state=row["state"],
            attempts=int(row["attempts"]),
            last_error=row["last_error"],
            receipt_code=row["receipt_code"],
            notified=bool(row["notified"]),
        )


async def submit_durably(
    client: IntakeClient, outbox: Outbox, submission: DossierSubmission
) -> Delivered | Queued | Rejected:
    """Stores the submission, then tries the intake once (with the client's own retries).

    Returns:
        Delivered with the receipt; Queued when the intake is unreachable (the worker delivers
        it later); Rejected with the per-field errors when the intake refused the data.
    """
    await asyncio.to_thread(partial(outbox.put, submission, hold=_SENDER_HOLD_SECONDS))
    try:
        receipt = await client.submit(submission)
    except IntakeUnavailable as exc:
        await asyncio.to_thread(outbox.record_failure, submission.dossier_id, str(exc))
        return Queued(submission.dossier_id, str(exc))
    except IntakeRejected as exc:
        await asyncio.to_thread(outbox.record_rejected, submission.dossier_id, exc.errors)
        await asyncio.to_thread(outbox.mark_notified, submission.dossier_id)
        return Rejected(exc.errors)
    await asyncio.to_thread(
        outbox.record_delivered, submission.dossier_id, receipt, notified=True
    )
    return Delivered(receipt)


OnDelivered = Callable[[DossierSubmission, Receipt], Awaitable[None]]
OnRejected = Callable[[DossierSubmission, list[FieldError]], Awaitable[None]]


class OutboxWorker:
    """Delivers queued dossiers and tells the citizen through the callbacks.

    A callback that fails leaves the item un-notified; it is tried again on the next round, so
    the citizen is told at least once.
    """

    def __init__(
        self,
        client: IntakeClient,
        outbox: Outbox,
        on_delivered: OnDelivered,
        on_rejected: OnRejected | None = None,
        *,
        interval: float = 5.0,
    ) -> None:
        """Creates the worker.

        Args:
            client: the intake client.
            outbox: the outbox to drain.
            on_delivered: tells the citizen the receipt code (on their channel).
            on_rejected: tells the citizen (or staff) that the intake refused the data.
            interval: seconds between rounds in `run_forever`.
        """
        self._client = client
        self._outbox = outbox
        self._on_delivered = on_delivered
        self._on_rejected = on_rejected
        self._interval = interval

    async def run_once(self) -> int:
        """Runs one round: deliver what is due, then notify what is delivered.

        Returns:
            How many dossiers were delivered in this round.
        """
        delivered = 0
        for item in await asyncio.to_thread(self._outbox.claim_due):
            delivered += await self._deliver(item.submission)
        await self._notify_pending()
        return delivered

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Runs rounds until `stop` is set; an unexpected error is logged, not fatal."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                logger.exception("outbox round failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def _deliver(self, submission: DossierSubmission) -> int:
        try:
            receipt = await self._client.submit(submission)
        except IntakeUnavailable as exc:
            await asyncio.to_thread(self._outbox.record_failure, submission.dossier_id, str(exc))
            return 0
        except IntakeRejected as exc:
            await asyncio.to_thread(
                self._outbox.record_rejected, submission.dossier_id, exc.errors
            )
            return 0
        except Exception as exc:
            logger.exception("outbox delivery of %s failed", submission.dossier_id)
            await asyncio.to_thread(self._outbox.record_failure, submission.dossier_id, repr(exc))
            return 0
        await asyncio.to_thread(
            self._outbox.record_delivered, submission.dossier_id, receipt, notified=False
        )
        logger.info("outbox delivered %s as %s", submission.dossier_id, receipt.receipt_code)
        return 1

    async def _notify_pending(self) -> None:
        for item in await asyncio.to_thread(self._outbox.unnotified):
            try:
                if item.state == DELIVERED and item.receipt_code:
                    receipt = Receipt(
                        receipt_code=item.receipt_code,
                        status=PENDING,
                        procedure_id=item.submission.procedure_id,
                    )
                    await self._on_delivered(item.submission, receipt)
                elif item.state == REJECTED and self._on_rejected is not None:
                    errors = [FieldError("", item.last_error or "")]
                    await self._on_rejected(item.submission, errors)
            except Exception:
                logger.exception("telling the citizen about %s failed", item.submission.dossier_id)
                continue
            await asyncio.to_thread(self._outbox.mark_notified, item.submission.dossier_id)
