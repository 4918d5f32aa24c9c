"""Human handoff: the assistant hands a conversation to the office, staff answer and hand it back.

Lifecycle: ``waiting`` → ``claimed`` (one staff member owns it) → ``returned`` (to the assistant
at a chosen point) or ``closed``. A waiting handoff that nobody claims within
``HANDOFF_TIMEOUT_MINUTES`` becomes ``expired`` (see :mod:`intake_service.handoff_expiry`); one
whose citizen leaves a number for a call back is ``closed``; a waiting or claimed one the
citizen cancels ("hủy", "bắt đầu lại") is ``withdrawn``. While a handoff is waiting or claimed
the assistant stays silent in that conversation; there is at most one such handoff per
conversation (the unique ``open_key``).

Every change the bot must know about is queued in the webhook outbox in the same transaction
(``handoff_claimed``, ``handoff_returned``, ``handoff_closed``, ``handoff_expired``); a staff
reply is sent at once (``staff_message``) and the bot's answer is stored with the message. A
withdrawal sends nothing: the bot asked for it.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from intake_service.catalog_fields import CatalogFields
from intake_service.db import Database
from intake_service.dossiers import LOCAL_TZ, SubmissionRejected
from intake_service.models import (
    CallbackRequest,
    Handoff,
    HandoffMessage,
    User,
    WebhookDelivery,
    utcnow,
)
from intake_service.office_hours import OfficeHours, describe_moment
from intake_service.schemas import AttachmentRef, HandoffCreate, HandoffMessageIn
from intake_service.webhooks import SendResult, answer_reason, enqueue_event, send_now

__all__ = [
    "CALLBACK_OUTCOMES",
    "CLAIMED",
    "CLOSED",
    "EXPIRED",
    "HOTLINE",
    "NOTE",
    "OPEN_STATUSES",
    "REASON_LABELS",
    "RESUME_LABELS",
    "RETURNED",
    "STATUS_LABELS",
    "WAITING",
    "WITHDRAWN",
    "HandoffConflict",
    "HandoffError",
    "HandoffNotFound",
    "HandoffService",
    "OfficeAnswer",
    "delivery_outcome",
    "open_key",
    "reason_label",
    "staff_name",
    "withdrawal_note",
]

WAITING = "waiting"
CLAIMED = "claimed"
RETURNED = "returned"
CLOSED = "closed"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"
OPEN_STATUSES = frozenset({WAITING, CLAIMED})
CALLBACK_OUTCOMES = {
    "reached": "Đã gọi được",
    "no_answer": "Không liên lạc được",
    "wrong_number": "Sai số điện thoại",
}
"""What came of a call back (kept at the start of its note)."""
NOTE = "note"
"""The author of an internal note (``handoff_messages.author``): staff only, never the bot."""
HOTLINE = "1900 9068"

STATUS_LABELS = {
    WAITING: "Đang chờ cán bộ",
    CLAIMED: "Cán bộ đang hỗ trợ",
    RETURNED: "Đã chuyển lại trợ lý",
    CLOSED: "Đã kết thúc",
    EXPIRED: "Quá thời gian chờ",
    WITHDRAWN: "Người dân đã hủy yêu cầu",
}
REASON_LABELS = {
    "asked": "Người dân muốn gặp cán bộ",
    "misunderstood": "Trợ lý không hiểu câu hỏi",
    "field_failures": "Nhập thông tin chưa được",
    "needs_staff": "Cần cán bộ xem xét điều kiện",
    "complaint": "Phản ánh, khiếu nại",
}
RESUME_LABELS = {
    "continue_form": "Tiếp tục thu thập hồ sơ",
    "end": "Kết thúc cuộc trò chuyện",
}
# Recent claims used to estimate the wait told to the citizen.
_WAIT_SAMPLE = 20
_WAIT_MIN_SAMPLES = 3


class HandoffError(Exception):
    """An operation on a handoff is not possible; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HandoffNotFound(HandoffError):
    """No handoff has this id."""

    def __init__(self) -> None:
        super().__init__("Không tìm thấy cuộc trò chuyện này.")


class HandoffConflict(HandoffError):
    """The handoff is not in a state that allows the operation (claimed by someone else, …)."""


@dataclass(frozen=True)
class OfficeAnswer:
    """What the assistant tells the citizen when the handoff is made (or looked up again)."""

    office_open: bool
    expected_wait_minutes: int | None
    message: str


def open_key(channel: str, sender_id: str) -> str:
    """The value that makes an open handoff unique per conversation."""
    return f"{channel} {sender_id}"


def reason_label(reason: str) -> str:
    """Why the assistant handed the conversation over, in Vietnamese."""
    return REASON_LABELS.get(reason, reason)


def staff_name(user: User) -> str:
    """The name the citizen sees for a staff member."""
    return user.full_name.strip() or user.username


def withdrawal_note(moment: datetime) -> str:
    """What staff read when the citizen cancelled: "Người dân đã hủy yêu cầu hỗ trợ lúc 14:05."."""
    return f"Người dân đã hủy yêu cầu hỗ trợ lúc {moment.astimezone(LOCAL_TZ):%H:%M}."


def _back_with_assistant(handoff: Handoff) -> str:
    return f"Cuộc trò chuyện đã trở lại với trợ lý ({STATUS_LABELS[handoff.status].lower()})."


def delivery_outcome(result: SendResult, timeout: float) -> tuple[bool, str | None]:
    """Reads the bot's answer to a ``staff_message`` event.

    Returns:
        ``(True, note)`` when the bot says it delivered the message (``note``: the bot's
        reason, e.g. "Đã gửi bằng thẻ HUMAN_AGENT …", or None), else ``(False, reason)`` with
        a Vietnamese reason for the console.
    """
    given = answer_reason(result.body)
    if result.status_code is None:
        if result.timed_out:
            return False, f"Trợ lý không trả lời trong {timeout:g} giây; tin nhắn có thể chưa tới."
        return False, "Không kết nối được với trợ lý; tin nhắn chưa được gửi."
    if result.error is not None:
        return False, given or f"Trợ lý báo lỗi (HTTP {result.status_code})."
    delivered = result.body.get("delivered")
    if delivered is True:
        return True, given
    if delivered is False:
        return False, given or "Kênh không nhận tin nhắn (không rõ lý do)."
    return False, "Trợ lý không xác nhận đã chuyển tin nhắn."


def _attachments(items: list[AttachmentRef]) -> list[dict[str, Any]]:
    return [item.model_dump(exclude_none=True) for item in items]


@dataclass
class HandoffService:
    """Handoff operations on one database.

    Args:
        db: the database.
        catalog: the seam to the procedure catalog (validators, field definitions).
        hours: the office hours.
        timeout: how long a handoff may wait for a staff member.
        bot_url: the bot's events endpoint (staff replies are posted there at once).
        bot_secret: the HMAC key of the events.
        reply_timeout: seconds a staff reply waits for the bot's answer.
        transport: httpx transport of the staff replies (tests); the network by default.
        clock: the current time (tests move it forward).
        notify: called after events are queued (wakes the webhook worker).
    """

    db: Database
    catalog: CatalogFields
    hours: OfficeHours
    timeout: timedelta
    bot_url: str
    bot_secret: str
    reply_timeout: float = 5.0
    transport: httpx.AsyncBaseTransport | None = None
    clock: Callable[[], datetime] = utcnow
    notify: Callable[[], None] = field(default=lambda: None)

    # ------------------------------------------------------------------ create
    def create(self, payload: HandoffCreate) -> tuple[Handoff, bool]:
        """Opens a handoff, or returns the conversation's open one.

        Returns:
            The handoff and whether this call created it.
        """
        existing = self.active(payload.channel, payload.sender_id)
        if existing is not None:
            return existing, False
        now = self.clock()
        handoff = Handoff(
            channel=payload.channel,
            sender_id=payload.sender_id,
            open_key=open_key(payload.channel, payload.sender_id),
            reason=payload.reason,
            procedure_id=payload.procedure_id,
            province=self._province(payload.province),
            status=WAITING,
            collected=dict(payload.collected),
            answers=dict(payload.answers),
            corrected=[],
            created_at=now,
            expires_at=now + self.timeout,
            messages=[
                HandoffMessage(
                    author=entry.author,
                    text=entry.text,
                    at=entry.at or now,
                    attachments=_attachments(entry.attachments),
                )
                for entry in payload.transcript
            ],
        )
        try:
            with self.db.transaction() as session:
                session.add(handoff)
        except IntegrityError:
            # Another request opened one for this conversation at the same moment.
            existing = self.active(payload.channel, payload.sender_id)
            if existing is None:
                raise
            return existing, False
        return self.get(handoff.id), True

    def _province(self, name: str | None) -> str | None:
        if not name or not name.strip():
            return None
        return self.catalog.current_province(name) or name.strip()[:64]

    def office_answer(self, handoff: Handoff) -> OfficeAnswer:
        """What to tell the citizen now: the expected wait, or that the office is closed."""
        now = self.clock()
        if handoff.status == CLAIMED:
            name = handoff.staff_name or "cán bộ"
            return OfficeAnswer(
                True, 0, f"Cán bộ {name} đang hỗ trợ ông/bà; xin nhắn tiếp tại đây."
            )
        if self.hours.is_open(now):
            minutes = self.expected_wait_minutes(now)
            return OfficeAnswer(
                True,
                minutes,
                f"Cán bộ sẽ trả lời ông/bà trong khoảng {minutes} phút. Trong lúc chờ, ông/bà "
                "cứ nhắn thêm tại đây; trợ lý tạm dừng trả lời.",
            )
        opening = self.hours.next_opening(now)
        when = f" từ {describe_moment(opening, self.hours.tz)}" if opening else ""
        return OfficeAnswer(
            False,
            None,
            f"Hiện đã ngoài giờ làm việc của cán bộ ({self.hours.describe()}). Ông/bà có thể "
            f"để lại số điện thoại, cán bộ sẽ gọi lại{when}. Nếu cần gấp, xin gọi tổng đài "
            f"{HOTLINE}.",
        )

    def expected_wait_minutes(self, now: datetime) -> int:
        """The median wait of recent claims, between 1 minute and the timeout."""
        limit = max(1, math.ceil(self.timeout.total_seconds() / 60))
        with self.db.session() as session:
            rows = session.execute(
                select(Handoff.created_at, Handoff.claimed_at)
                .where(
                    Handoff.claimed_at.is_not(None),
                    Handoff.created_at >= now - timedelta(days=7),
                )
                .order_by(Handoff.claimed_at.desc())
                .limit(_WAIT_SAMPLE)
            ).all()
        waits = sorted(
            (claimed - created).total_seconds() / 60
            for created, claimed in rows
            if claimed is not None
        )
        if len(waits) < _WAIT_MIN_SAMPLES:
            return limit
        return max(1, min(limit, math.ceil(waits[len(waits) // 2])))

    # -------------------------------------------------------------------- read
    def get(self, handoff_id: int) -> Handoff:
        """A handoff with its messages.

        Raises:
            HandoffNotFound: no such handoff.
        """
        with self.db.session() as session:
            handoff = session.scalar(
                select(Handoff)
                .where(Handoff.id == handoff_id)
                .options(selectinload(Handoff.messages))
            )
        if handoff is None:
            raise HandoffNotFound()
        return handoff

    def active(self, channel: str, sender_id: str) -> Handoff | None:
        """The conversation's waiting or claimed handoff, if any."""
        with self.db.session() as session:
            return session.scalar(
                select(Handoff)
                .where(Handoff.open_key == open_key(channel, sender_id))
                .options(selectinload(Handoff.messages))
            )

    def open_handoffs(self) -> list[Handoff]:
        """Waiting (oldest first) then claimed handoffs (without their messages)."""
        with self.db.session() as session:
            rows = session.scalars(
                select(Handoff)
                .where(Handoff.status.in_(OPEN_STATUSES))
                .order_by(Handoff.created_at, Handoff.id)
                .limit(500)
            )
            handoffs = list(rows)
        return sorted(handoffs, key=lambda h: h.status != WAITING)

    def last_citizen_words(self, handoff_ids: list[int]) -> dict[int, str]:
        """The latest text the citizen wrote in each of these handoffs."""
        if not handoff_ids:
            return {}
        latest = (
            select(func.max(HandoffMessage.id))
            .where(
                HandoffMessage.handoff_id.in_(handoff_ids),
                HandoffMessage.author == "citizen",
                HandoffMessage.text != "",
            )
            .group_by(HandoffMessage.handoff_id)
        )
        with self.db.session() as session:
            rows = session.execute(
                select(HandoffMessage.handoff_id, HandoffMessage.text).where(
                    HandoffMessage.id.in_(latest)
                )
            ).all()
        return {handoff_id: text for handoff_id, text in rows}

    def recent(self, limit: int = 20) -> list[Handoff]:
        """The handoffs that ended most recently."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Handoff)
                    .where(Handoff.status.not_in(OPEN_STATUSES))
                    .order_by(Handoff.closed_at.desc(), Handoff.id.desc())
                    .limit(limit)
                )
            )

    def earlier(self, handoff: Handoff, limit: int = 10) -> list[Handoff]:
        """The conversation's other handoffs (same channel and sender), newest first."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Handoff)
                    .where(
                        Handoff.channel == handoff.channel,
                        Handoff.sender_id == handoff.sender_id,
                        Handoff.id != handoff.id,
                    )
                    .order_by(Handoff.created_at.desc(), Handoff.id.desc())
                    .limit(limit)
                )
            )

    def search(self, text: str, limit: int = 30) -> list[Handoff]:
        """Past and open conversations whose sender id is ``text`` or whose messages contain
        it (staff search the inbox), newest first."""
        words = text.strip()
        if not words:
            return []
        pattern = "%" + words.replace("\\", "").replace("%", "").replace("_", " ") + "%"
        said = select(HandoffMessage.handoff_id).where(HandoffMessage.text.ilike(pattern))
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Handoff)
                    .where(or_(Handoff.sender_id == words, Handoff.id.in_(said)))
                    .order_by(Handoff.created_at.desc(), Handoff.id.desc())
                    .limit(limit)
                )
            )

    def staff_names(self, usernames: set[str]) -> dict[str, str]:
        """The names the citizen reads for these staff accounts (:func:`staff_name`)."""
        if not usernames:
            return {}
        with self.db.session() as session:
            users = session.scalars(select(User).where(User.username.in_(sorted(usernames))))
            return {user.username: staff_name(user) for user in users}

    def notices(self, handoff_id: int) -> list[WebhookDelivery]:
        """The events told to the citizen for this handoff (claimed, returned, closed, expired),
        oldest first, with whether the bot could tell the citizen."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(WebhookDelivery)
                    .where(WebhookDelivery.handoff_id == handoff_id)
                    .order_by(WebhookDelivery.id)
                )
            )

    def messages_after(self, handoff_id: int, after: int) -> tuple[Handoff, list[HandoffMessage]]:
        """The handoff and its messages with an id above ``after`` (for the live transcript)."""
        with self.db.session() as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise HandoffNotFound()
            messages = list(
                session.scalars(
                    select(HandoffMessage)
                    .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.id > after)
                    .order_by(HandoffMessage.id)
                    .limit(500)
                )
            )
        return handoff, messages

    # ------------------------------------------------------- citizen's side
    def add_message(
        self, handoff_id: int, message: HandoffMessageIn, client_key: str | None = None
    ) -> tuple[HandoffMessage, bool]:
        """Stores what the citizen wrote while a person owns the conversation (or, ``from: bot``,
        what the assistant said meanwhile: kept whatever the status).

        Args:
            handoff_id: the handoff.
            message: the text (and attachments).
            client_key: the sender's Idempotency-Key: the same key gives the same message.

        Returns:
            The message and whether this call stored it.

        Raises:
            HandoffNotFound: no such handoff.
            HandoffConflict: the conversation is back with the assistant.
            SubmissionRejected: the message is empty.
        """
        if not message.text.strip() and not message.attachments:
            raise SubmissionRejected([("text", "Tin nhắn trống: cần nội dung hoặc tệp đính kèm.")])
        try:
            with self.db.transaction() as session:
                handoff = session.get(Handoff, handoff_id)
                if handoff is None:
                    raise HandoffNotFound()
                known = self._by_client_key(session, handoff_id, client_key)
                if known is not None:
                    return known, False
                if handoff.status not in OPEN_STATUSES and message.author != "bot":
                    raise HandoffConflict(_back_with_assistant(handoff))
                stored = HandoffMessage(
                    handoff_id=handoff_id,
                    author=message.author,
                    text=message.text,
                    at=message.at or self.clock(),
                    attachments=_attachments(message.attachments),
                    client_key=client_key,
                )
                session.add(stored)
            return stored, True
        except IntegrityError:
            with self.db.session() as session:
                known = self._by_client_key(session, handoff_id, client_key)
            if known is None:
                raise
            return known, False

    @staticmethod
    def _by_client_key(
        session: Session, handoff_id: int, client_key: str | None
    ) -> HandoffMessage | None:
        if not client_key:
            return None
        return session.scalar(
            select(HandoffMessage).where(
                HandoffMessage.handoff_id == handoff_id, HandoffMessage.client_key == client_key
            )
        )

    def add_callback(
        self, handoff_id: int, phone: str, note: str
    ) -> tuple[CallbackRequest, Handoff, str]:
        """Records a number for a call back; a waiting handoff is then closed.

        Returns:
            The request, the handoff after it, and what to tell the citizen.

        Raises:
            HandoffNotFound: no such handoff.
            SubmissionRejected: the phone number is not valid (validator's message).
        """
        number, problem = self.catalog.read_value("phone", phone)
        if problem is not None:
            raise SubmissionRejected([("phone", problem)])
        now = self.clock()
        with self.db.transaction() as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise HandoffNotFound()
            request = CallbackRequest(
                handoff_id=handoff_id,
                channel=handoff.channel,
                sender_id=handoff.sender_id,
                phone=str(number),
                note=note.strip(),
                status="open",
                created_at=now,
            )
            session.add(request)
            session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status == WAITING)
                .values(status=CLOSED, open_key=None, closed_at=now, closed_by="callback")
            )
        handoff = self.get(handoff_id)
        message = (
            f"Đã ghi nhận số {request.phone}. Cán bộ sẽ gọi lại cho ông/bà trong giờ làm việc "
            f"({self.hours.describe()}). Nếu cần gấp, xin gọi tổng đài {HOTLINE}."
        )
        if handoff.status == CLAIMED:
            message = f"Đã ghi nhận số {request.phone}; cán bộ đang hỗ trợ ông/bà đã nhận được."
        return request, handoff, message

    def withdraw(self, handoff_id: int, at: datetime | None = None) -> tuple[Handoff, bool]:
        """The citizen cancelled ("hủy", "bắt đầu lại"): the handoff leaves the queue at once.

        A waiting or claimed handoff becomes ``withdrawn`` by a conditional UPDATE, so a claim
        at the same moment either comes first (its staff member then reads the withdrawal in
        the transcript and can no longer reply) or is refused. The transcript gets a line for
        staff (:func:`withdrawal_note`). No event goes to the bot: it asked for this.

        Args:
            handoff_id: the handoff.
            at: when the citizen cancelled (timezone-aware); now when absent or later than now.

        Returns:
            The handoff after it, and whether this call withdrew it (False: an earlier call did).

        Raises:
            HandoffNotFound: no such handoff.
            HandoffConflict: it had ended otherwise (returned, closed, expired).
        """
        now = self.clock()
        moment = min(at, now) if at is not None else now
        with self.db.transaction() as session:
            result = session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status.in_(OPEN_STATUSES))
                .values(status=WITHDRAWN, open_key=None, closed_at=moment, closed_by="citizen")
            )
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise HandoffNotFound()
            withdrawn = getattr(result, "rowcount", 0) == 1
            if not withdrawn and handoff.status != WITHDRAWN:
                raise HandoffConflict(_back_with_assistant(handoff))
            if withdrawn:
                session.add(
                    HandoffMessage(
                        handoff_id=handoff_id,
                        author="system",
                        text=withdrawal_note(moment),
                        at=moment,
                        attachments=[],
                    )
                )
        return self.get(handoff_id), withdrawn

    # ---------------------------------------------------------- staff's side
    def claim(self, handoff_id: int, user: User) -> Handoff:
        """Gives a waiting handoff to a staff member; two staff cannot claim the same one.

        Raises:
            HandoffNotFound: no such handoff.
            HandoffConflict: it is claimed by someone else, or no longer waiting.
        """
        now = self.clock()
        name = staff_name(user)
        with self.db.transaction() as session:
            result = session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status == WAITING)
                .values(status=CLAIMED, claimed_by=user.username, staff_name=name, claimed_at=now)
            )
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise HandoffNotFound()
            if getattr(result, "rowcount", 0) != 1:
                if handoff.status == CLAIMED and handoff.claimed_by == user.username:
                    return self.get(handoff_id)
                raise HandoffConflict(self._not_claimable(handoff))
            enqueue_event(
                session,
                "handoff_claimed",
                {**self._common(handoff, now), "staff_name": name},
                handoff_id=handoff.id,
            )
        self.notify()
        return self.get(handoff_id)

    @staticmethod
    def _not_claimable(handoff: Handoff) -> str:
        if handoff.status == CLAIMED:
            return (
                f"Cán bộ {handoff.staff_name or handoff.claimed_by} đã nhận cuộc trò chuyện này."
            )
        return f"Cuộc trò chuyện không còn chờ cán bộ ({STATUS_LABELS[handoff.status].lower()})."

    @staticmethod
    def _common(handoff: Handoff, now: datetime) -> dict[str, object]:
        return {
            "handoff_id": handoff.id,
            "channel": handoff.channel,
            "sender_id": handoff.sender_id,
            "procedure_id": handoff.procedure_id,
            "at": now.isoformat(),
        }

    @staticmethod
    def _owned(session: Session, handoff_id: int, user: User) -> Handoff:
        handoff = session.get(Handoff, handoff_id, with_for_update=True)
        if handoff is None:
            raise HandoffNotFound()
        if handoff.status != CLAIMED:
            raise HandoffConflict(
                f"Cuộc trò chuyện không do cán bộ phụ trách nữa "
                f"({STATUS_LABELS[handoff.status].lower()})."
            )
        if handoff.claimed_by != user.username and user.role != "admin":
            raise HandoffConflict(
                f"Cuộc trò chuyện này do cán bộ {handoff.staff_name or handoff.claimed_by} "
                "phụ trách."
            )
        return handoff

    async def reply(self, handoff_id: int, user: User, text: str) -> HandoffMessage:
        """Sends a staff reply to the citizen through the bot and records what happened.

        The ``staff_message`` event is posted at once (short timeout); the bot answers
        ``{"delivered": true}`` or ``{"delivered": false, "reason": …}``. A refused or lost
        reply is stored as ``failed`` with its reason, never dropped.

        Raises:
            HandoffNotFound: no such handoff.
            HandoffConflict: the staff member does not own the conversation.
            SubmissionRejected: the reply is empty.
        """
        message, payload = await asyncio.to_thread(self._start_reply, handoff_id, user, text)
        delivered: bool
        reason: str | None
        if not self.bot_secret:
            delivered, reason = False, "Chưa cấu hình kết nối tới trợ lý (BOT_WEBHOOK_SECRET)."
        else:
            result = await send_now(
                self.bot_url, self.bot_secret, payload, self.reply_timeout, self.transport
            )
            delivered, reason = delivery_outcome(result, self.reply_timeout)
        return await asyncio.to_thread(self._finish_reply, message.id, delivered, reason)

    def _start_reply(
        self, handoff_id: int, user: User, text: str
    ) -> tuple[HandoffMessage, dict[str, object]]:
        text = text.strip()
        if not text:
            raise SubmissionRejected([("text", "Tin nhắn trống.")])
        now = self.clock()
        with self.db.transaction() as session:
            handoff = self._owned(session, handoff_id, user)
            message = HandoffMessage(
                handoff_id=handoff_id,
                author="staff",
                staff_user=user.username,
                text=text,
                at=now,
                attachments=[],
                event_id=str(uuid.uuid4()),
                delivery="pending",
            )
            session.add(message)
            session.flush()
            payload: dict[str, object] = {
                "event": "staff_message",
                "event_id": message.event_id,
                **self._common(handoff, now),
                "message_id": message.id,
                "text": text,
                "staff_name": staff_name(user),
            }
        return message, payload

    def _finish_reply(
        self, message_id: int, delivered: bool, reason: str | None
    ) -> HandoffMessage:
        with self.db.transaction() as session:
            message = session.get(HandoffMessage, message_id)
            assert message is not None
            message.delivery = "delivered" if delivered else "failed"
            message.delivery_reason = reason
            message.delivery_at = self.clock()
        return message

    def fail_stale_replies(self) -> int:
        """Marks replies left ``pending`` by a restart as failed (so staff can send them again)."""
        cutoff = self.clock() - timedelta(seconds=self.reply_timeout + 60)
        with self.db.transaction() as session:
            result = session.execute(
                update(HandoffMessage)
                .where(HandoffMessage.delivery == "pending", HandoffMessage.at < cutoff)
                .values(
                    delivery="failed",
                    delivery_reason="Không rõ kết quả gửi (máy chủ đã khởi động lại); "
                    "xin gửi lại nếu cần.",
                    delivery_at=self.clock(),
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def add_note(self, handoff_id: int, user: User, text: str) -> HandoffMessage:
        """An internal note on the conversation: staff read it, the citizen never does.

        Any staff member may write one, on any handoff (also a finished one).

        Raises:
            HandoffNotFound: no such handoff.
            SubmissionRejected: the note is empty.
        """
        text = text.strip()
        if not text:
            raise SubmissionRejected([("note", "Ghi chú trống.")])
        with self.db.transaction() as session:
            if session.get(Handoff, handoff_id) is None:
                raise HandoffNotFound()
            note = HandoffMessage(
                handoff_id=handoff_id,
                author=NOTE,
                staff_user=user.username,
                text=text,
                at=self.clock(),
                attachments=[],
            )
            session.add(note)
        return note

    def colleagues(self, user: User) -> list[User]:
        """The active accounts a conversation can be handed to (everyone but ``user``)."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(User)
                    .where(User.active.is_(True), User.username != user.username)
                    .order_by(User.full_name, User.username)
                )
            )

    def transfer(self, handoff_id: int, user: User, to_username: str) -> Handoff:
        """Hands a claimed conversation to a colleague, who owns it from then on.

        The citizen is told who helps now (a ``handoff_claimed`` event with the new name) and
        the transcript says who passed it to whom.

        Raises:
            HandoffNotFound: no such handoff.
            HandoffConflict: not owned by ``user``, or the colleague cannot take it.
        """
        now = self.clock()
        with self.db.transaction() as session:
            handoff = self._owned(session, handoff_id, user)
            colleague = session.scalar(select(User).where(User.username == to_username))
            if colleague is None or not colleague.active:
                raise HandoffConflict("Không tìm thấy cán bộ này (hoặc tài khoản đã bị khóa).")
            if colleague.username == handoff.claimed_by:
                raise HandoffConflict("Cuộc trò chuyện đã do cán bộ này phụ trách.")
            before = handoff.staff_name or handoff.claimed_by or ""
            name = staff_name(colleague)
            handoff.claimed_by = colleague.username
            handoff.staff_name = name
            session.add(
                HandoffMessage(
                    handoff_id=handoff_id,
                    author="system",
                    text=f"Cán bộ {before} đã chuyển cuộc trò chuyện cho cán bộ {name}.",
                    at=now,
                    attachments=[],
                )
            )
            enqueue_event(
                session,
                "handoff_claimed",
                {**self._common(handoff, now), "staff_name": name},
                handoff_id=handoff.id,
            )
        self.notify()
        return self.get(handoff_id)

    def correct(self, handoff_id: int, user: User, values: Mapping[str, str]) -> list[str]:
        """Corrects the collected data with the shared validators.

        Args:
            handoff_id: the handoff.
            user: the staff member who owns it.
            values: text typed for the procedure's fields; an empty text removes the value.

        Returns:
            The ids of the fields whose value changed.

        Raises:
            HandoffConflict: the staff member does not own the conversation, or it has no
                procedure.
            SubmissionRejected: some values are invalid (the validators' messages).
        """
        with self.db.transaction() as session:
            handoff = self._owned(session, handoff_id, user)
            procedure = handoff.procedure_id or ""
            known = {info.id for info in self.catalog.field_infos(procedure)}
            if not known:
                raise HandoffConflict("Chọn thủ tục trước khi sửa thông tin hồ sơ.")
            typed = {k: v.strip() for k, v in values.items() if k in known}
            checked = self.catalog.check_values(
                procedure, {k: v for k, v in typed.items() if v}, {}
            )
            if checked.errors:
                raise SubmissionRejected(checked.errors)
            collected = dict(handoff.collected)
            changed = []
            for name, text in typed.items():
                if text and collected.get(name) != checked.fields.get(name):
                    collected[name] = checked.fields[name]
                    changed.append(name)
                elif not text and name in collected:
                    del collected[name]
                    changed.append(name)
            if changed:
                handoff.collected = collected
                handoff.corrected = sorted(set(handoff.corrected) | set(changed))
        return changed

    def set_procedure(self, handoff_id: int, user: User, procedure_id: str) -> None:
        """Sets (or changes) the procedure the conversation is about.

        Raises:
            HandoffConflict: the staff member does not own the conversation.
            SubmissionRejected: the procedure is not in the catalog.
        """
        if procedure_id not in dict(self.catalog.procedures()):
            raise SubmissionRejected([("procedure_id", "Thủ tục không có trong danh mục.")])
        with self.db.transaction() as session:
            handoff = self._owned(session, handoff_id, user)
            handoff.procedure_id = procedure_id

    def hand_back(
        self, handoff_id: int, user: User, resume: str, procedure_id: str | None = None
    ) -> Handoff:
        """Returns the conversation to the assistant at a chosen point.

        Args:
            handoff_id: the handoff.
            user: the staff member who owns it.
            resume: ``continue_form`` (the assistant goes on collecting the dossier) or
                ``end`` (it closes the conversation politely).
            procedure_id: the procedure to continue with (default: the handoff's).

        Raises:
            HandoffConflict: not owned, or nothing to continue with.
            SubmissionRejected: unknown resume point or procedure.
        """
        if resume not in RESUME_LABELS:
            raise SubmissionRejected([("resume", "Chọn điểm tiếp tục cho trợ lý.")])
        if procedure_id and procedure_id not in dict(self.catalog.procedures()):
            raise SubmissionRejected([("procedure_id", "Thủ tục không có trong danh mục.")])
        with self.db.transaction() as session:
            handoff = self._owned(session, handoff_id, user)
            procedure = procedure_id or handoff.procedure_id
            if resume == "continue_form" and not procedure:
                raise HandoffConflict("Chọn thủ tục để trợ lý tiếp tục thu thập hồ sơ.")
            handoff.resume = resume
            handoff.procedure_id = procedure
            details = {
                "resume": resume,
                "fields": dict(handoff.collected),
                "answers": dict(handoff.answers),
                "corrected": list(handoff.corrected),
            }
            self._end_by_staff(session, handoff, user, RETURNED, "handoff_returned", details)
        self.notify()
        return self.get(handoff_id)

    def close(self, handoff_id: int, user: User) -> Handoff:
        """Ends the conversation without the assistant saying anything more.

        Raises:
            HandoffConflict: the staff member does not own the conversation.
        """
        with self.db.transaction() as session:
            handoff = self._owned(session, handoff_id, user)
            self._end_by_staff(session, handoff, user, CLOSED, "handoff_closed", {})
        self.notify()
        return self.get(handoff_id)

    def _end_by_staff(
        self,
        session: Session,
        handoff: Handoff,
        user: User,
        status: str,
        event: str,
        details: Mapping[str, object],
    ) -> None:
        """Ends an owned handoff and queues the event that tells the bot (in the transaction)."""
        now = self.clock()
        handoff.status = status
        handoff.open_key = None
        handoff.closed_at = now
        handoff.closed_by = user.username
        payload = {
            **self._common(handoff, now),
            **details,
            "staff_name": handoff.staff_name or staff_name(user),
        }
        enqueue_event(session, event, payload, handoff_id=handoff.id)

    # ------------------------------------------------------------------ expiry
    def expire_due(self) -> int:
        """Expires the waiting handoffs whose time is up and tells the bot (``handoff_expired``).

        Safe with several processes: each row moves with a conditional UPDATE.

        Returns:
            How many handoffs expired.
        """
        now = self.clock()
        expired = 0
        with self.db.transaction() as session:
            due = session.scalars(
                select(Handoff.id)
                .where(Handoff.status == WAITING, Handoff.expires_at <= now)
                .order_by(Handoff.expires_at)
                .limit(100)
            ).all()
            for handoff_id in due:
                result = session.execute(
                    update(Handoff)
                    .where(Handoff.id == handoff_id, Handoff.status == WAITING)
                    .values(status=EXPIRED, open_key=None, closed_at=now, closed_by="timeout")
                )
                if getattr(result, "rowcount", 0) != 1:
                    continue
                handoff = session.get(Handoff, handoff_id)
                assert handoff is not None
                enqueue_event(
                    session,
                    "handoff_expired",
                    self._common(handoff, now),
                    handoff_id=handoff_id,
                )
                expired += 1
        if expired:
            self.notify()
        return expired

    # --------------------------------------------------------------- callbacks
    def callbacks(self, status: str = "open", limit: int = 200) -> list[CallbackRequest]:
        """Call-back requests, oldest first for open ones, newest first otherwise."""
        query = select(CallbackRequest).where(CallbackRequest.status == status)
        order = CallbackRequest.created_at if status == "open" else CallbackRequest.done_at.desc()
        with self.db.session() as session:
            return list(session.scalars(query.order_by(order).limit(limit)))

    def open_callbacks(self) -> int:
        """How many call-back requests wait for a call."""
        with self.db.session() as session:
            count = session.scalar(
                select(func.count())
                .select_from(CallbackRequest)
                .where(CallbackRequest.status == "open")
            )
        return int(count or 0)

    def complete_callback(
        self, callback_id: int, user: User, note: str, outcome: str = "reached"
    ) -> list[CallbackRequest]:
        """Marks a call back as done with its outcome; the same number's other open requests
        (a citizen who asked several times) are done with it.

        Raises:
            HandoffError: no such request, or an unknown outcome.
        """
        if outcome not in CALLBACK_OUTCOMES:
            raise HandoffError("Chọn kết quả cuộc gọi.")
        words = CALLBACK_OUTCOMES[outcome] + (f": {note.strip()}" if note.strip() else "")
        now = self.clock()
        with self.db.transaction() as session:
            request = session.get(CallbackRequest, callback_id)
            if request is None:
                raise HandoffError("Không tìm thấy yêu cầu gọi lại.")
            same = list(
                session.scalars(
                    select(CallbackRequest).where(
                        CallbackRequest.phone == request.phone, CallbackRequest.status == "open"
                    )
                )
            )
            for item in same or [request]:
                item.status = "done"
                item.done_by = user.username
                item.done_at = now
                item.done_note = words
        return same

    def callback_topics(self, handoff_ids: list[int]) -> dict[int, tuple[str | None, str]]:
        """The procedure and the reason of the handoffs the call backs came from."""
        if not handoff_ids:
            return {}
        with self.db.session() as session:
            rows = session.execute(
                select(Handoff.id, Handoff.procedure_id, Handoff.reason).where(
                    Handoff.id.in_(handoff_ids)
                )
            ).all()
        return {handoff_id: (procedure, reason) for handoff_id, procedure, reason in rows}
