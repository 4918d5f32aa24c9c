"""What became of each notification for the citizen: the bot's answer ``{"delivered",
"reason"}`` (``citizen_notified``, ``citizen_reason``) and the status change it reports
(``status_event_id``).

Existing rows are filled in: a status notification is linked to its history entry (same dossier,
status and time as its payload); a row the bot took is counted as told (as the console showed
it until now), with a note; a row that failed for good as not told.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOLD_BEFORE = "Gửi trước khi hệ thống ghi nhận câu trả lời của trợ lý; coi như đã báo."
FAILED_BEFORE = "Không gửi được thông báo tới trợ lý; người dân chưa được báo."

deliveries = sa.table(
    "webhook_deliveries",
    sa.column("id", sa.Integer()),
    sa.column("event", sa.String()),
    sa.column("dossier_id", sa.Integer()),
    sa.column("status_event_id", sa.Integer()),
    sa.column("payload", sa.Text()),
    sa.column("state", sa.String()),
    sa.column("citizen_notified", sa.Boolean()),
    sa.column("citizen_reason", sa.Text()),
)
status_events = sa.table(
    "status_events",
    sa.column("id", sa.Integer()),
    sa.column("dossier_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    """Applies this revision."""
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_event_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("citizen_notified", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("citizen_reason", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_status_event_id"), ["status_event_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_webhook_deliveries_status_event_id_status_events"),
            "status_events",
            ["status_event_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        deliveries.update()
        .where(deliveries.c.state == "delivered")
        .values(citizen_notified=True, citizen_reason=TOLD_BEFORE)
    )
    op.execute(
        deliveries.update()
        .where(deliveries.c.state == "failed")
        .values(citizen_notified=False, citizen_reason=FAILED_BEFORE)
    )
    if not op.get_context().as_sql:
        _link_status_events(op.get_bind())


def _utc_naive(moment: datetime) -> datetime:
    """A time comparable across back ends (SQLite gives naive UTC, PostgreSQL aware)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _payload_key(dossier_id: int, payload: str) -> tuple[int, str, datetime] | None:
    try:
        body = json.loads(payload)
        return dossier_id, str(body["status"]), _utc_naive(datetime.fromisoformat(body["at"]))
    except (ValueError, KeyError, TypeError):
        return None


def _link_status_events(connection: sa.Connection) -> None:
    """Links every status notification to the history entry its payload reports."""
    events = {
        (dossier_id, status, _utc_naive(at)): event_id
        for event_id, dossier_id, status, at in connection.execute(
            sa.select(
                status_events.c.id,
                status_events.c.dossier_id,
                status_events.c.status,
                status_events.c.at,
            )
        )
    }
    links = []
    for delivery_id, dossier_id, payload in connection.execute(
        sa.select(deliveries.c.id, deliveries.c.dossier_id, deliveries.c.payload).where(
            deliveries.c.event == "status_changed", deliveries.c.dossier_id.is_not(None)
        )
    ):
        key = _payload_key(dossier_id, payload)
        if key is not None and key in events:
            links.append({"delivery": delivery_id, "status_event": events[key]})
    if links:
        connection.execute(
            deliveries.update()
            .where(deliveries.c.id == sa.bindparam("delivery"))
            .values(status_event_id=sa.bindparam("status_event")),
            links,
        )


def downgrade() -> None:
    """Reverts this revision."""
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_webhook_deliveries_status_event_id_status_events"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_status_event_id"))
        batch_op.drop_column("citizen_reason")
        batch_op.drop_column("citizen_notified")
        batch_op.drop_column("status_event_id")
