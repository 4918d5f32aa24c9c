"""A handoff nobody claims in time goes back to the assistant, also across a restart."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from intake_service.db import Database
from intake_service.handoff_expiry import ExpiryWorker
from intake_service.handoffs import HandoffConflict
from intake_service.models import Handoff, User
from intake_service.webhooks import verify_signature

from .conftest import STAFF, WEBHOOK_SECRET, BotStub, wait_for
from .handoff_support import (
    FAR_MONDAY_9AM,
    MONDAY_9AM,
    Clock,
    build_app_client,
    events,
    open_handoff,
)


def staff(database_url: str) -> User:
    with Database(database_url).session() as session:
        user = session.query(User).filter_by(username=STAFF[0]).one()
        session.expunge(user)
        return user


def status_of(database_url: str, handoff_id: int) -> str:
    with Database(database_url).session() as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        return handoff.status


def test_an_unclaimed_handoff_expires_after_the_timeout(
    tmp_path: Path, database_url: str, bot: BotStub
) -> None:
    clock = Clock(MONDAY_9AM)
    with build_app_client(tmp_path, database_url, bot=bot, clock=clock) as client:
        service = client.app.state.services.handoffs
        waiting = open_handoff(client)["handoff_id"]
        claimed = open_handoff(client)["handoff_id"]
        service.claim(claimed, staff(database_url))
        worker = ExpiryWorker(service)
        clock.advance(minutes=9, seconds=59)
        asyncio.run(worker.run_once())
        assert status_of(database_url, waiting) == "waiting"
        clock.advance(seconds=2)
        assert asyncio.run(worker.run_once()) >= 1
        assert status_of(database_url, waiting) == "expired"
        assert status_of(database_url, claimed) == "claimed"  # a person owns it: no timeout
        wait_for(lambda: bool(events(bot, "handoff_expired", waiting)))
        with pytest.raises(HandoffConflict, match="quá thời gian chờ"):
            service.claim(waiting, staff(database_url))
        # The conversation is free again: a new handoff can be opened for it.
        assert not events(bot, "handoff_expired", claimed)
    request = events(bot, "handoff_expired", waiting)[0]
    body = json.loads(request.content)
    assert verify_signature(WEBHOOK_SECRET, request.content, request.headers["X-Intake-Signature"])
    assert request.headers["X-Intake-Event-Id"] == body["event_id"]
    assert body["channel"] == "zalo" and body["sender_id"].startswith("zalo:")


def test_a_handoff_that_ran_out_while_the_service_was_down_expires_at_start(
    tmp_path: Path, sqlite_url: str
) -> None:
    clock = Clock(MONDAY_9AM)
    with build_app_client(tmp_path, sqlite_url, clock=clock) as client:
        handoff_id = open_handoff(client)["handoff_id"]
    clock.advance(minutes=30)
    back = BotStub()
    with build_app_client(tmp_path, sqlite_url, bot=back, clock=clock) as client:
        wait_for(lambda: bool(events(back, "handoff_expired", handoff_id)))
    assert status_of(sqlite_url, handoff_id) == "expired"


def test_the_worker_loop_expires_on_its_own(tmp_path: Path, sqlite_url: str, bot: BotStub) -> None:
    clock = Clock(MONDAY_9AM)
    with build_app_client(
        tmp_path, sqlite_url, bot=bot, clock=clock, expiry_poll_seconds=0.05
    ) as client:
        payload_sender = open_handoff(client)
        handoff_id = payload_sender["handoff_id"]
        clock.advance(minutes=11)
        wait_for(lambda: bool(events(bot, "handoff_expired", handoff_id)))
    assert status_of(sqlite_url, handoff_id) == "expired"


def test_the_timeout_is_configurable(tmp_path: Path, sqlite_url: str) -> None:
    # Two weeks after the far Monday: no recent claims to estimate the wait from.
    clock = Clock(FAR_MONDAY_9AM + timedelta(weeks=2))
    with build_app_client(
        tmp_path, sqlite_url, clock=clock, HANDOFF_TIMEOUT_MINUTES="3"
    ) as client:
        created = open_handoff(client)
        assert created["expected_wait_minutes"] == 3
        assert "khoảng 3 phút" in created["message"]
        clock.advance(minutes=2, seconds=59)
        client.app.state.services.handoffs.expire_due()
        assert status_of(sqlite_url, created["handoff_id"]) == "waiting"
        clock.advance(seconds=1)
        client.app.state.services.handoffs.expire_due()
        assert status_of(sqlite_url, created["handoff_id"]) == "expired"
