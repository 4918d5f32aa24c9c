"""Database tables of the intake service (SQLAlchemy 2 typed models).

The schema is created and changed only by the Alembic migrations in ``migrations/``; a test
checks that these models and the migrations agree. Times are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from intake_service.crypto import EncryptedJSON

__all__ = [
    "Attachment",
    "AuditEntry",
    "Base",
    "CallbackRequest",
    "Dossier",
    "DossierIdentifier",
    "Handoff",
    "HandoffCode",
    "HandoffMessage",
    "Rating",
    "ReplyTemplate",
    "StatusEvent",
    "User",
    "UtcDateTime",
    "WebhookDelivery",
    "utcnow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Converts aware times to UTC; naive times are taken as UTC already."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attaches UTC to what the database returns."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable migration names)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class User(Base):
    """A staff member who signs in to the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="staff")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Incremented when the password changes or the account is disabled: ends old sessions.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # A generated password (bootstrap, "tạo tự động", reset): the console asks for a new one
    # before anything else.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # A staff account of one province sees only that province's dossiers (issue 17); None:
    # every province (administrators always).
    province: Mapped[str | None] = mapped_column(String(64), default=None)


class Dossier(Base):
    """One submitted dossier (hồ sơ) with its data fields and current status."""

    __tablename__ = "dossiers"
    __table_args__ = (Index("ix_dossiers_sender_id_channel", "sender_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    procedure_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    channel: Mapped[str] = mapped_column(String(32), index=True)
    sender_id: Mapped[str] = mapped_column(String(128))
    electronic: Mapped[bool] = mapped_column(Boolean, default=True)
    province: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    office: Mapped[str | None] = mapped_column(String(128), default=None)
    # the personal data: encrypted at rest (intake_service.crypto; identifiers are searchable
    # through the keyed digests of DossierIdentifier)
    fields: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(), default=dict)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # the citizen's consent to the processing of their data, as the bot recorded it:
    # {"status", "version", "at", "channel", "how", "notice_sha256"} (issue 17)
    consent: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON(), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_by: Mapped[str] = mapped_column(String(64), default="bot")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    history: Mapped[list[StatusEvent]] = relationship(
        back_populates="dossier",
        order_by="(StatusEvent.at, StatusEvent.id)",
        cascade="all, delete-orphan",
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="dossier", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    identifiers: Mapped[list[DossierIdentifier]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan"
    )


class StatusEvent(Base):
    """One entry of a dossier's status history: what, when, who, why."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, default=None)

    dossier: Mapped[Dossier] = relationship(back_populates="history")


class DossierIdentifier(Base):
    """A keyed hash of an identifier found in a dossier (CCCD, mã số BHXH, …) for exact search."""

    __tablename__ = "dossier_identifiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), index=True)

    dossier: Mapped[Dossier] = relationship(back_populates="identifiers")


class Attachment(Base):
    """A file (photo or PDF) attached to a dossier; the bytes live under var/attachments."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("dossier_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="attachments")


class WebhookDelivery(Base):
    """An event waiting to be pushed to the bot (the durable outbox of status notifications).

    ``state`` is about reaching the bot: ``pending``, ``delivered`` (it answered 2xx) or
    ``failed`` (the attempts ran out). ``citizen_notified`` is about reaching the citizen, as the
    bot's answer ``{"delivered", "reason"}`` says: None while unknown, True when the citizen was
    told (``citizen_reason`` may say how: "Đã gửi bằng thẻ ACCOUNT_UPDATE …"), False when the
    platform refused it or the bot never got it (``citizen_reason`` says why).
    """

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(32))
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id", ondelete="SET NULL"), index=True, default=None
    )
    status_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_events.id", ondelete="SET NULL"), index=True, default=None
    )
    handoff_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoffs.id", ondelete="SET NULL"), index=True, default=None
    )
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    citizen_notified: Mapped[bool | None] = mapped_column(Boolean, default=None)
    citizen_reason: Mapped[str | None] = mapped_column(Text, default=None)


class AuditEntry(Base):
    """One staff action worth keeping (sign-in, viewing personal data, status change, export)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    """One failed sign-in, counted by every service process (``intake_service.login_throttle``).

    ``key`` is ``ip:<address>`` or ``user:<name>``; rows older than the window are deleted.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


class Rating(Base):
    """A citizen's rating (1–5) of the help received, with an optional comment."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id", ondelete="SET NULL"), index=True, default=None
    )
    receipt_code: Mapped[str | None] = mapped_column(String(16), default=None)
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Handoff(Base):
    """A conversation the assistant handed to the office (human handoff).

    ``open_key`` is ``channel + " " + sender_id`` while the handoff is waiting or claimed and
    NULL afterwards: its unique constraint keeps one open handoff per conversation.
    """

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_sender_id_channel", "sender_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128))
    open_key: Mapped[str | None] = mapped_column(String(170), unique=True, default=None)
    reason: Mapped[str] = mapped_column(String(32))
    procedure_id: Mapped[str | None] = mapped_column(String(64), default=None)
    province: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(12), index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    staff_name: Mapped[str | None] = mapped_column(String(200), default=None)
    resume: Mapped[str | None] = mapped_column(String(16), default=None)
    collected: Mapped[dict[str, Any]] = mapped_column(default=dict)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    corrected: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[str | None] = mapped_column(String(64), default=None)

    messages: Mapped[list[HandoffMessage]] = relationship(
        back_populates="handoff", order_by="HandoffMessage.id", cascade="all, delete-orphan"
    )


class HandoffMessage(Base):
    """One message of a handed-off conversation (citizen, assistant or staff).

    Staff replies carry the state of their delivery to the citizen: ``pending``, then
    ``delivered`` or ``failed`` with the reason the bot (or the channel) gave.
    """

    __tablename__ = "handoff_messages"
    __table_args__ = (UniqueConstraint("handoff_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(8))
    staff_user: Mapped[str | None] = mapped_column(String(64), default=None)
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    client_key: Mapped[str | None] = mapped_column(String(200), default=None)
    event_id: Mapped[str | None] = mapped_column(String(36), default=None)
    delivery: Mapped[str | None] = mapped_column(String(12), default=None)
    delivery_reason: Mapped[str | None] = mapped_column(Text, default=None)
    delivery_at: Mapped[datetime | None] = mapped_column(default=None)

    handoff: Mapped[Handoff] = relationship(back_populates="messages")


class ReplyTemplate(Base):
    """A short reply staff insert with one click (edited by administrators)."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallbackRequest(Base):
    """A phone number a citizen left so that staff call back (usually outside office hours)."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoffs.id", ondelete="SET NULL"), index=True, default=None
    )
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_by: Mapped[str | None] = mapped_column(String(64), default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_note: Mapped[str | None] = mapped_column(Text, default=None)


class HandoffCode(Base):
    """A short code a staff member reads to a caller: the assistant continues from it."""

    __tablename__ = "handoff_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    procedure_id: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    used_channel: Mapped[str | None] = mapped_column(String(32), default=None)
    used_sender_id: Mapped[str | None] = mapped_column(String(128), default=None)
