"""Human handoff: handoffs and their messages, reply templates (a few seeded), call-back
requests, codes made for callers, and the handoff of each webhook delivery.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Short replies staff insert with one click; administrators edit them in the console.
SEED_TEMPLATES = (
    (
        "Chào hỏi",
        "Xin chào ông/bà, tôi là cán bộ BHXH. Tôi đã đọc nội dung trao đổi và sẽ hỗ trợ "
        "ông/bà ngay.",
    ),
    ("Xin chờ", "Ông/bà vui lòng chờ trong giây lát, tôi đang kiểm tra thông tin."),
    (
        "Xin thêm thông tin",
        "Để kiểm tra chính xác, ông/bà vui lòng cho biết mã số BHXH hoặc số CCCD.",
    ),
    (
        "Hẹn gọi lại",
        "Tôi sẽ gọi lại cho ông/bà theo số điện thoại đã để lại, trong giờ làm việc.",
    ),
    (
        "Chuyển lại trợ lý",
        "Tôi chuyển ông/bà lại cho trợ lý để tiếp tục hồ sơ. Khi cần, ông/bà cứ nhắn "
        "“gặp cán bộ”.",
    ),
    (
        "Kết thúc",
        "Cảm ơn ông/bà đã liên hệ BHXH. Nếu cần hỗ trợ thêm, xin gọi tổng đài 1900 9068.",
    ),
)


def upgrade() -> None:
    """Applies this revision."""
    op.create_table(
        "handoff_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("procedure_id", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_channel", sa.String(length=32), nullable=True),
        sa.Column("used_sender_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_handoff_codes_code")),
    )
    with op.batch_alter_table("handoff_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_codes_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("open_key", sa.String(length=170), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("procedure_id", sa.String(length=64), nullable=True),
        sa.Column("province", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("staff_name", sa.String(length=200), nullable=True),
        sa.Column("resume", sa.String(length=16), nullable=True),
        sa.Column("collected", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("corrected", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("open_key", name=op.f("uq_handoffs_open_key")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoffs_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoffs_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_handoffs_sender_id_channel", ["sender_id", "channel"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_handoffs_status"), ["status"], unique=False)

    templates = op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
    )
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # UTC, as UtcDateTime stores it
    op.bulk_insert(
        templates,
        [
            {
                "title": title,
                "text": text,
                "position": position,
                "updated_by": "hệ thống",
                "updated_at": now,
            }
            for position, (title, text) in enumerate(SEED_TEMPLATES, start=1)
        ],
    )

    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_callback_requests_handoff_id_handoffs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
    )
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callback_requests_handoff_id"), ["handoff_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_callback_requests_status"), ["status"], unique=False)

    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=8), nullable=False),
        sa.Column("staff_user", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_key", sa.String(length=200), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("delivery", sa.String(length=12), nullable=True),
        sa.Column("delivery_reason", sa.Text(), nullable=True),
        sa.Column("delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_handoff_messages_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
        sa.UniqueConstraint(
            "handoff_id", "client_key", name=op.f("uq_handoff_messages_handoff_id_client_key")
        ),
    )
    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_messages_handoff_id"), ["handoff_id"], unique=False
        )

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_handoff_id"), ["handoff_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_webhook_deliveries_handoff_id_handoffs"),
            "handoffs",
            ["handoff_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    """Reverts this revision."""
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_webhook_deliveries_handoff_id_handoffs"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_handoff_id"))
        batch_op.drop_column("handoff_id")

    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_messages_handoff_id"))

    op.drop_table("handoff_messages")
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_requests_status"))
        batch_op.drop_index(batch_op.f("ix_callback_requests_handoff_id"))

    op.drop_table("callback_requests")
    op.drop_table("reply_templates")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_status"))
        batch_op.drop_index("ix_handoffs_sender_id_channel")
        batch_op.drop_index(batch_op.f("ix_handoffs_expires_at"))
        batch_op.drop_index(batch_op.f("ix_handoffs_created_at"))

    op.drop_table("handoffs")
    with op.batch_alter_table("handoff_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_codes_created_at"))

    op.drop_table("handoff_codes")
