"""Upgrading a database that already holds data: 0002 → 0003 (the outcome of notifications)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from intake_service.db import Database
from intake_service.migrate import current_revision, head_revision, upgrade
from intake_service.models import WebhookDelivery

from .conftest import postgres_unreachable, temporary_postgres_database

AT = datetime(2026, 11, 23, 2, 0, 0, 123456, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet: a SQLite file, then a temporary PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'from-0002.db'}"
        return
    reason = postgres_unreachable()
    if reason:
        pytest.skip(reason)
    with temporary_postgres_database() as url:
        yield url


def insert(connection: sa.Connection, table: str, **values: Any) -> int:
    """Inserts a row into a table as it is at the current revision; its id."""
    reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
    result = connection.execute(reflected.insert().values(**values))
    return int(result.inserted_primary_key[0])


def status_row(connection: sa.Connection, dossier_id: int, status: str, minutes: int) -> int:
    at = AT + timedelta(minutes=minutes)
    return insert(
        connection, "status_events", dossier_id=dossier_id, status=status, at=at, actor="canbo"
    )


def delivery_row(
    connection: sa.Connection, event_id: str, state: str, payload: dict[str, Any], **extra: Any
) -> None:
    insert(
        connection,
        "webhook_deliveries",
        event_id=event_id,
        event=payload["event"],
        payload=json.dumps(payload, ensure_ascii=False),
        state=state,
        attempts=1,
        next_attempt_at=AT,
        created_at=AT,
        **extra,
    )


def status_payload(status: str, minutes: int) -> dict[str, Any]:
    at = AT + timedelta(minutes=minutes)
    return {"event": "status_changed", "status": status, "at": at.isoformat()}


def test_upgrade_from_0002_keeps_and_completes_existing_notifications(
    empty_database_url: str,
) -> None:
    db = Database(empty_database_url)
    try:
        upgrade(db.engine, "0002")
        with db.engine.begin() as connection:
            dossier_id = insert(
                connection,
                "dossiers",
                receipt_code="HS-7K3M-9Q2P",
                procedure_id="huong_bhxh_mot_lan",
                status="approved",
                channel="zalo",
                sender_id="zalo:1",
                electronic=True,
                fields={"so_dien_thoai": "0912345678"},
                answers={},
                created_by="bot",
                created_at=AT,
                updated_at=AT,
            )
            status_row(connection, dossier_id, "received", 0)
            told = status_row(connection, dossier_id, "in_review", 1)
            failed = status_row(connection, dossier_id, "needs_info", 2)
            pending = status_row(connection, dossier_id, "approved", 3)
            for event_id, state, status, minutes in (
                ("e-told", "delivered", "in_review", 1),
                ("e-failed", "failed", "needs_info", 2),
                ("e-pending", "pending", "approved", 3),
            ):
                payload = status_payload(status, minutes)
                delivery_row(connection, event_id, state, payload, dossier_id=dossier_id)
            delivery_row(connection, "e-handoff", "delivered", {"event": "handoff_claimed"})

        upgrade(db.engine)

        assert current_revision(db.engine) == head_revision()
        with db.session() as session:
            rows = {
                row.event_id: row
                for row in session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
            }
    finally:
        db.dispose()
    assert rows["e-told"].status_event_id == told
    assert rows["e-told"].citizen_notified is True
    assert "coi như đã báo" in (rows["e-told"].citizen_reason or "")
    assert rows["e-failed"].status_event_id == failed
    assert rows["e-failed"].citizen_notified is False
    assert "chưa được báo" in (rows["e-failed"].citizen_reason or "")
    assert rows["e-pending"].status_event_id == pending
    assert (rows["e-pending"].citizen_notified, rows["e-pending"].citizen_reason) == (None, None)
    assert (rows["e-handoff"].status_event_id, rows["e-handoff"].citizen_notified) == (None, True)
