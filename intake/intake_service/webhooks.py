"""Signed status notifications to the bot, delivered from a database-backed outbox.

A status change and its notification are written in the same transaction, so a notification
is never lost: if the bot is down, :class:`WebhookWorker` retries with exponential backoff and
jitter until it answers 2xx (or the attempts run out and the row shows as failed in the
console, where an administrator can send it again). Several service processes may run
workers: a row is claimed with a short lease before it is sent.

Body: ``{"event": "status_changed", "event_id", "receipt_code", "procedure_id", "status",
"status_label", "note", "channel", "sender_id", "at", "sent_at"}``; header
``X-Intake-Signature: sha256=<hex HMAC-SHA256(BOT_WEBHOOK_SECRET, raw body)>``. ``sent_at`` is
set for each attempt (:func:`stamped`): the bot refuses an event sent more than
``INTAKE_EVENT_MAX_AGE_SECONDS`` (300) ago and de-duplicates on the body's ``event_id``.

The bot answers 2xx with ``{"delivered": bool, "reason"}``: whether the citizen was told, and
why not (or how, after the platform's reply window closed). The worker records it with the row
(:func:`read_answer`); ``delivered: false`` is final (the platform refused; a retry would not
help) but shows as "not told" in the console. An answer that does not say (older bots) counts as
told, with a note.

The handoff events (``handoff_claimed``, ``handoff_returned``, ``handoff_closed``,
``handoff_expired``) go through the same outbox (:func:`enqueue_event`). A staff reply
(``staff_message``) is sent at once instead (:func:`send_now`): the staff member waits for the
bot's answer and sees it next to the message.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from intake_service.db import Database
from intake_service.models import Dossier, StatusEvent, WebhookDelivery, utcnow
from intake_service.statuses import label

__all__ = [
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "BotAnswer",
    "DeliveryPolicy",
    "SendResult",
    "WebhookWorker",
    "answer_reason",
    "encode_event",
    "enqueue_event",
    "enqueue_status_changed",
    "read_answer",
    "send_now",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Intake-Signature"
EVENT_ID_HEADER = "X-Intake-Event-Id"
log = logging.getLogger(__name__)

NOT_TOLD = "Kênh không nhận tin nhắn (trợ lý không cho biết lý do)."
UNSTATED = "Trợ lý không cho biết đã báo được người dân chưa (phiên bản cũ); coi như đã báo."
DUPLICATE = "Trợ lý đã nhận thông báo này ở lần gửi trước; coi như đã báo."


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard the worker tries.

    Attributes:
        max_attempts: attempts before a notification is marked failed.
        base_delay: delay after the first failure, in seconds; doubled after each failure.
        max_delay: ceiling of the delay, in seconds.
        lease_seconds: how long a claimed row is reserved for one attempt.
        poll_seconds: how often the worker looks for due rows when nobody wakes it.
        timeout_seconds: HTTP timeout of one attempt.
        batch_size: rows claimed per round.
    """

    max_attempts: int = 30
    base_delay: float = 2.0
    max_delay: float = 15 * 60.0
    lease_seconds: float = 60.0
    poll_seconds: float = 1.0
    timeout_seconds: float = 5.0
    batch_size: int = 20

    def delay(self, attempts: int) -> float:
        """Seconds to wait after ``attempts`` failures (with ±20 % jitter)."""
        raw = min(self.base_delay * 2.0 ** max(attempts - 1, 0), self.max_delay)
        return raw * random.uniform(0.8, 1.2)


def sign(secret: str, body: bytes) -> str:
    """The value of the signature header for a raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Checks a signature header in constant time (what the bot's receiver does)."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header or "")


def stamped(payload: Mapping[str, object]) -> bytes:
    """The body of one delivery attempt: the event with ``sent_at`` (now, UTC), signed with it.

    The bot drops an event whose ``sent_at`` is more than a few minutes away from its clock, and
    an ``event_id`` it has seen (both inside the signed body): a captured request cannot be
    replayed later, nor with another ``X-Intake-Event-Id`` header (issue 17).
    """
    sent_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return encode_event({**payload, "sent_at": sent_at})


def encode_event(payload: Mapping[str, object]) -> bytes:
    """The raw body of an event (compact UTF-8 JSON); the signature covers exactly these bytes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class BotAnswer:
    """What the bot says became of an event for the citizen.

    Attributes:
        delivered: the citizen was told.
        reason: Vietnamese, for staff: why the citizen was not told, how they were (after the
            platform's reply window closed), or why the intake assumes they were; None when
            the bot delivered normally.
    """

    delivered: bool
    reason: str | None = None


def answer_reason(body: Mapping[str, object]) -> str | None:
    """The ``reason`` of the bot's answer, when it gives a non-empty text."""
    reason = body.get("reason")
    return reason.strip() if isinstance(reason, str) and reason.strip() else None


def read_answer(body: Mapping[str, object] | None) -> BotAnswer:
    """Reads the bot's 2xx answer to a queued event.

    Args:
        body: the decoded JSON object, or None when the answer was not one.

    Returns:
        ``delivered: false`` → not told, with the bot's reason; ``delivered: true`` → told,
        with the bot's note if any; anything else (older bots) → told, with a note saying so.
    """
    delivered = body.get("delivered") if body is not None else None
    if body is None or not isinstance(delivered, bool):
        return BotAnswer(True, UNSTATED)
    if not delivered:
        return BotAnswer(False, answer_reason(body) or NOT_TOLD)
    if body.get("duplicate") is True:
        return BotAnswer(True, answer_reason(body) or DUPLICATE)
    return BotAnswer(True, answer_reason(body))


def _json_object(response: httpx.Response) -> dict[str, object] | None:
    """The body of an answer when it is a JSON object, else None."""
    try:
        decoded = response.json()
    except ValueError:
        return None
    return decoded if isinstance(decoded, dict) else None


def enqueue_event(
    session: Session,
    event: str,
    fields: Mapping[str, object],
    *,
    dossier_id: int | None = None,
    handoff_id: int | None = None,
    status_event_id: int | None = None,
) -> WebhookDelivery:
    """Adds an event to the outbox (in the caller's transaction); the worker sends it.

    Args:
        session: the session of the change the event reports.
        event: the event name (``handoff_claimed``, …).
        fields: the body besides ``event`` and ``event_id``.
        dossier_id: the dossier concerned, if any.
        handoff_id: the handoff concerned, if any.
        status_event_id: the status history entry the event tells, if any.
    """
    event_id = str(uuid.uuid4())
    payload = {"event": event, "event_id": event_id, **fields}
    delivery = WebhookDelivery(
        event_id=event_id,
        event=event,
        dossier_id=dossier_id,
        handoff_id=handoff_id,
        status_event_id=status_event_id,
        payload=encode_event(payload).decode(),
        state="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    return delivery


def enqueue_status_changed(
    session: Session, dossier: Dossier, event: StatusEvent
) -> WebhookDelivery:
    """Adds the notification of a status change to the outbox (same transaction as the change).

    Args:
        session: the SQLAlchemy session of the status change.
        dossier: the dossier whose status changed.
        event: the history entry just added.
    """
    fields = {
        "receipt_code": dossier.receipt_code,
        "procedure_id": dossier.procedure_id,
        "status": event.status,
        "status_label": label(event.status),
        "note": event.note,
        "channel": dossier.channel,
        "sender_id": dossier.sender_id,
        "at": event.at.isoformat(),
    }
    return enqueue_event(
        session, "status_changed", fields, dossier_id=dossier.id, status_event_id=event.id
    )


@dataclass(frozen=True)
class SendResult:
    """What the bot answered to an event sent at once.

    Attributes:
        status_code: the HTTP status, or None when the bot could not be reached.
        body: the decoded JSON answer (empty when it was not a JSON object).
        error: why the call failed (network error or non-2xx), or None.
        timed_out: the bot did not answer within the timeout.
    """

    status_code: int | None
    body: dict[str, object]
    error: str | None
    timed_out: bool = False


def _headers(secret: str, body: bytes, event_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(secret, body),
        EVENT_ID_HEADER: event_id,
    }


async def send_now(
    url: str,
    secret: str,
    payload: Mapping[str, object],
    timeout: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SendResult:
    """Sends one signed event and waits (at most ``timeout`` seconds) for the bot's answer.

    Args:
        url: the bot's events endpoint.
        secret: the HMAC key.
        payload: the body, with ``event`` and ``event_id``.
        timeout: seconds for the whole call.
        transport: an httpx transport (tests); the network by default.
    """
    body = stamped(payload)
    headers = _headers(secret, body, str(payload.get("event_id", "")))
    try:
        async with httpx.AsyncClient(transport=transport, timeout=timeout) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.TimeoutException as exc:
        return SendResult(None, {}, f"{type(exc).__name__}: {exc}", timed_out=True)
    except httpx.HTTPError as exc:
        return SendResult(None, {}, f"{type(exc).__name__}: {exc}")
    decoded = _json_object(response) or {}
    if not response.is_success:
        return SendResult(response.status_code, decoded, f"HTTP {response.status_code}")
    return SendResult(response.status_code, decoded, None)


class WebhookWorker:
    """Sends due outbox rows to the bot; run one per process inside the app's lifespan.

    Args:
        db: the database holding the outbox.
        url: the bot's events endpoint.
        secret: the HMAC key.
        policy: retry policy.
        transport: an httpx transport (tests pass a mock; default: the network).
        clock: time source.
    """

    def __init__(
        self,
        db: Database,
        url: str,
        secret: str,
        policy: DeliveryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._url = url
        self._secret = secret
        self.policy = policy or DeliveryPolicy()
        self._transport = transport
        self._clock = clock
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Asks the worker to look at the outbox now (safe from any thread)."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until ``stop`` is set; errors are logged, never raised."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        async with self._client() as client:
            while not stop.is_set():
                try:
                    await self.deliver_due(client)
                except Exception:  # the worker must survive database hiccups
                    log.exception("webhook delivery round failed")
                self._wake.clear()
                waiters = [asyncio.ensure_future(self._wake.wait())]
                waiters.append(asyncio.ensure_future(stop.wait()))
                await asyncio.wait(
                    waiters, timeout=self.policy.poll_seconds, return_when="FIRST_COMPLETED"
                )
                for waiter in waiters:
                    waiter.cancel()

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self._transport, timeout=self.policy.timeout_seconds)

    async def deliver_due(self, client: httpx.AsyncClient | None = None) -> int:
        """Makes one attempt for every due row (claims them first).

        Returns:
            The number of rows attempted.
        """
        claimed = await asyncio.to_thread(self._claim_due)
        if not claimed:
            return 0
        if client is None:
            async with self._client() as own_client:
                for delivery_id, payload in claimed:
                    await self._attempt(own_client, delivery_id, payload)
        else:
            for delivery_id, payload in claimed:
                await self._attempt(client, delivery_id, payload)
        return len(claimed)

    def _claim_due(self) -> list[tuple[int, str]]:
        now = self._clock()
        lease = now + timedelta(seconds=self.policy.lease_seconds)
        claimed: list[tuple[int, str]] = []
        with self._db.transaction() as session:
            rows = session.execute(
                select(WebhookDelivery.id, WebhookDelivery.payload)
                .where(
                    WebhookDelivery.state == "pending",
                    WebhookDelivery.next_attempt_at <= now,
                    or_(
                        WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now
                    ),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(self.policy.batch_size)
            ).all()
            for delivery_id, payload in rows:
                result = session.execute(
                    update(WebhookDelivery)
                    .where(
                        WebhookDelivery.id == delivery_id,
                        WebhookDelivery.state == "pending",
                        or_(
                            WebhookDelivery.locked_until.is_(None),
                            WebhookDelivery.locked_until < now,
                        ),
                    )
                    .values(locked_until=lease)
                )
                if getattr(result, "rowcount", 0) == 1:
                    claimed.append((delivery_id, payload))
        return claimed

    async def _attempt(self, client: httpx.AsyncClient, delivery_id: int, payload: str) -> None:
        stored = json.loads(payload)
        body = stamped(stored)
        headers = _headers(self._secret, body, str(stored.get("event_id", "")))
        status_code: int | None = None
        outcome: BotAnswer | str
        try:
            response = await client.post(self._url, content=body, headers=headers)
            status_code = response.status_code
            if response.is_success:
                outcome = read_answer(_json_object(response))
            else:
                outcome = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        await asyncio.to_thread(self._record, delivery_id, status_code, outcome)

    def _record(self, delivery_id: int, status_code: int | None, outcome: BotAnswer | str) -> None:
        """Stores one attempt: the bot's answer, or the error (``str``) to retry after."""
        now = self._clock()
        with self._db.transaction() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            if delivery is None:
                return
            delivery.attempts += 1
            delivery.locked_until = None
            delivery.last_status_code = status_code
            if isinstance(outcome, BotAnswer):
                self._took(delivery, outcome, now)
                return
            delivery.last_error = outcome
            if delivery.attempts >= self.policy.max_attempts:
                delivery.state = "failed"
                delivery.citizen_notified = False
                delivery.citizen_reason = (
                    f"Trợ lý không nhận thông báo sau {delivery.attempts} lần gửi; "
                    "người dân chưa được báo."
                )
                log.warning("webhook %s failed for good: %s", delivery.event_id, outcome)
            else:
                delay = self.policy.delay(delivery.attempts)
                delivery.next_attempt_at = now + timedelta(seconds=delay)
                log.info(
                    "webhook %s will be retried in %.0fs: %s", delivery.event_id, delay, outcome
                )

    @staticmethod
    def _took(delivery: WebhookDelivery, answer: BotAnswer, now: datetime) -> None:
        """The bot took the event (final, whatever it says about the citizen)."""
        delivery.state = "delivered"
        delivery.delivered_at = now
        delivery.last_error = None
        delivery.citizen_notified = answer.delivered
        delivery.citizen_reason = answer.reason
        if not answer.delivered:
            log.warning(
                "webhook %s: the bot could not tell the citizen: %s",
                delivery.event_id,
                answer.reason,
            )
