"""Status changes reach the bot as signed webhooks, from a durable outbox with retries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from intake_service.db import Database
from intake_service.models import WebhookDelivery, utcnow
from intake_service.webhooks import (
    BotAnswer,
    DeliveryPolicy,
    WebhookWorker,
    read_answer,
    sign,
    verify_signature,
)

from .conftest import (
    STAFF,
    WEBHOOK_SECRET,
    BotStub,
    build_client,
    make_settings,
    submit,
    wait_for,
)


def receipt_code_of(request: httpx.Request) -> object:
    """The receipt code an event sent to the bot names; None for other kinds of events.

    The test database is shared, so handoff events left by other tests may arrive here too.
    """
    return json.loads(request.content).get("receipt_code")


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = '{"event":"status_changed","note":"Xin bổ sung"}'.encode()
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sign("s3cret", body) == f"sha256={expected}"
    assert verify_signature("s3cret", body, f"sha256={expected}")
    assert not verify_signature("s3cret", body + b" ", f"sha256={expected}")
    assert not verify_signature("s3cret", body, None)


def test_status_change_is_pushed_signed_to_the_bot(
    tmp_path: Path, database_url: str, bot: BotStub
) -> None:
    with build_client(make_settings(tmp_path, database_url), bot) as client:
        created = submit(client, channel="messenger", sender_id="messenger:42")
        code = created["receipt_code"]
        response = client.post(
            f"/api/v1/dossiers/{code}/status",
            json={"status": "needs_info", "note": "Xin gửi ảnh giấy ra viện."},
            auth=STAFF,
        )
        assert response.status_code == 200
        wait_for(lambda: any(receipt_code_of(r) == code for r in bot.requests))
    request = next(r for r in bot.requests if receipt_code_of(r) == code)
    assert str(request.url) == "http://bot.test/webhooks/intake/events"
    assert verify_signature(WEBHOOK_SECRET, request.content, request.headers["X-Intake-Signature"])
    event = json.loads(request.content)
    assert event["event"] == "status_changed"
    assert event["status"] == "needs_info"
    assert event["status_label"] == "Cần bổ sung thông tin"
    assert event["note"] == "Xin gửi ảnh giấy ra viện."
    assert (event["channel"], event["sender_id"]) == ("messenger", "messenger:42")
    assert event["at"]
    assert request.headers["X-Intake-Event-Id"] == event["event_id"]


def test_bot_outage_is_retried_until_delivered(
    tmp_path: Path, sqlite_url: str, bot: BotStub
) -> None:
    bot.failures_per_event = 3
    with build_client(make_settings(tmp_path, sqlite_url), bot) as client:
        code = submit(client)["receipt_code"]
        client.post(f"/api/v1/dossiers/{code}/status", json={"status": "in_review"}, auth=STAFF)

        def delivered() -> bool:
            with Database(sqlite_url).transaction() as session:
                rows = session.scalars(select(WebhookDelivery)).all()
                return any(
                    r.state == "delivered" and json.loads(r.payload).get("receipt_code") == code
                    for r in rows
                )

        wait_for(delivered)
    attempts = [r for r in bot.requests if receipt_code_of(r) == code]
    assert len(attempts) == 4
    # the same event every time; only its signed sent_at is new for each attempt (issue 17:
    # the bot refuses old captures and de-duplicates on the body's event_id)
    bodies = [json.loads(r.content) for r in attempts]
    assert len({b["event_id"] for b in bodies}) == 1
    assert len({json.dumps({**b, "sent_at": None}, sort_keys=True) for b in bodies}) == 1
    assert all(b["sent_at"] for b in bodies)


def test_pending_notifications_survive_a_restart(tmp_path: Path, sqlite_url: str) -> None:
    down = BotStub(failures_per_event=10**6)
    slow = DeliveryPolicy(base_delay=0.05, max_delay=0.05, poll_seconds=0.05, max_attempts=1000)
    with build_client(make_settings(tmp_path, sqlite_url), down, slow) as client:
        code = submit(client)["receipt_code"]
        client.post(f"/api/v1/dossiers/{code}/status", json={"status": "in_review"}, auth=STAFF)
        wait_for(lambda: any(receipt_code_of(r) == code for r in down.requests))
    # The service restarts with the bot back online: the queued event is delivered.
    back = BotStub()
    with build_client(make_settings(tmp_path, sqlite_url), back):
        wait_for(lambda: any(receipt_code_of(r) == code for r in back.requests))


def add_due_delivery(db: Database, number: int) -> int:
    """A status notification of the made-up dossier ``HS-TEST-000<number>``, due now; its id."""
    with db.transaction() as session:
        delivery = WebhookDelivery(
            event_id=f"00000000-0000-0000-0000-00000000000{number}",
            event="status_changed",
            payload=f'{{"event":"status_changed","receipt_code":"HS-TEST-000{number}"}}',
            next_attempt_at=utcnow() - timedelta(seconds=1),
        )
        session.add(delivery)
        session.flush()
        return delivery.id


def run_worker(db: Database, bot: Callable[[httpx.Request], httpx.Response], rounds: int) -> None:
    """Runs delivery rounds against a mock bot (3 attempts at most, no delay)."""
    policy = DeliveryPolicy(base_delay=0.0, max_delay=0.0, max_attempts=3)
    worker = WebhookWorker(db, "http://bot.test/hook", "k", policy, httpx.MockTransport(bot))

    async def run() -> None:
        for _ in range(rounds):
            await worker.deliver_due()

    asyncio.run(run())


def test_worker_gives_up_after_max_attempts_and_can_be_retried(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    delivery_id = add_due_delivery(db, 0)
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    run_worker(db, refuse, rounds=5)
    with db.session() as session:
        row = session.get(WebhookDelivery, delivery_id)
    assert row is not None
    assert (row.state, row.attempts) == ("failed", 3)
    assert "ConnectError" in (row.last_error or "")
    assert row.citizen_notified is False
    assert "sau 3 lần gửi" in (row.citizen_reason or "")
    assert len(calls) == 3


def test_a_row_is_claimed_by_one_worker_only(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    add_due_delivery(db, 1)
    first = WebhookWorker(db, "http://x", "k")
    second = WebhookWorker(db, "http://x", "k")
    claimed = first._claim_due()
    assert any(p.endswith('"HS-TEST-0001"}') for _, p in claimed)
    assert not any(p.endswith('"HS-TEST-0001"}') for _, p in second._claim_due())


def test_backoff_grows_and_is_capped() -> None:
    policy = DeliveryPolicy(base_delay=2.0, max_delay=60.0)
    delays = [policy.delay(n) for n in range(1, 10)]
    assert 1.6 <= delays[0] <= 2.4
    assert delays[3] > delays[1]
    assert max(delays) <= 72.0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"delivered": True}, BotAnswer(True, None)),
        (
            {"delivered": True, "reason": "Đã gửi bằng mẫu tin ZBS."},
            BotAnswer(True, "Đã gửi bằng mẫu tin ZBS."),
        ),
        (
            {"delivered": False, "reason": " Zalo từ chối mẫu tin ZBS. "},
            BotAnswer(False, "Zalo từ chối mẫu tin ZBS."),
        ),
        (
            {"delivered": False},
            BotAnswer(False, "Kênh không nhận tin nhắn (trợ lý không cho biết lý do)."),
        ),
    ],
)
def test_the_bots_answer_says_whether_the_citizen_was_told(
    body: dict[str, object], expected: BotAnswer
) -> None:
    assert read_answer(body) == expected


@pytest.mark.parametrize("body", [None, {"ok": True}, {"delivered": "yes"}])
def test_an_answer_that_does_not_say_counts_as_told_with_a_note(
    body: dict[str, object] | None,
) -> None:
    answer = read_answer(body)
    assert answer.delivered
    assert "phiên bản cũ" in (answer.reason or "")


def test_a_duplicate_is_told_with_a_note() -> None:
    answer = read_answer({"delivered": True, "duplicate": True})
    assert answer.delivered
    assert "lần gửi trước" in (answer.reason or "")


def test_a_refusal_is_final_at_the_first_answer(sqlite_url: str) -> None:
    refusal = {"delivered": False, "reason": "Người dân đã chặn OA."}
    requests: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=refusal)

    db = Database(sqlite_url)
    delivery_id = add_due_delivery(db, 3)
    run_worker(db, refuse, rounds=3)
    with db.session() as session:
        row = session.get(WebhookDelivery, delivery_id)
    assert row is not None
    assert (row.state, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert (row.citizen_notified, row.citizen_reason) == (False, "Người dân đã chặn OA.")
    assert len([r for r in requests if b"HS-TEST-0003" in r.content]) == 1
