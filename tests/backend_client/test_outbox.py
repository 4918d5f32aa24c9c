import asyncio

import httpx
import pytest

from backend_client import (
    Delivered,
    DossierSubmission,
    IntakeClient,
    Outbox,
    OutboxWorker,
    Queued,
    Receipt,
    Rejected,
    submit_durably,
)


class FakeIntake:
    """An intake that can be switched off, and that de-duplicates by Idempotency-Key."""

    def __init__(self) -> None:
        self.up = True
        self.dossiers: dict[str, str] = {}
        self.calls = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if not self.up:
            raise httpx.ConnectError("connection refused")
        key = request.headers["Idempotency-Key"]
        code = self.dossiers.setdefault(key, f"HS-{len(self.dossiers) + 1:04d}")
        return httpx.Response(
            201, json={"receipt_code": code, "status": "received", "procedure_id": "p"}
        )


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture
def intake():
    return FakeIntake()


@pytest.fixture
def client(intake):
    return IntakeClient(
        "http://intake", "k", retries=1, transport=httpx.MockTransport(intake.handler),
        sleep=no_sleep,
    )


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'outbox.db'}"


def sub(dossier_id: str) -> DossierSubmission:
    return DossierSubmission(dossier_id, "cap_lai_the_bhyt", "zalo", "zalo:123", {"a": "b"})


async def test_submission_while_the_intake_is_up_is_delivered_at_once(client, intake, db_url):
    outbox = Outbox(db_url)
    outcome = await submit_durably(client, outbox, sub("d1"))
    assert isinstance(outcome, Delivered)
    assert outcome.receipt.receipt_code == "HS-0001"
    assert outbox.count("pending") == 0


async def test_outage_queues_and_the_worker_delivers_once_and_notifies(client, intake, db_url):
    clock = Clock()
    outbox = Outbox(db_url, clock=clock)
    intake.up = False
    outcome = await submit_durably(client, outbox, sub("d1"))
    assert isinstance(outcome, Queued)

    told: list[tuple[str, str]] = []

    async def tell(submission: DossierSubmission, receipt: Receipt) -> None:
        told.append((submission.sender_id, receipt.receipt_code))

    worker = OutboxWorker(client, outbox, tell)
    clock.now += 10
    assert await worker.run_once() == 0  # still down
    intake.up = True
    clock.now += 600
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    assert told == [("zalo:123", "HS-0001")]
    assert list(intake.dossiers) == ["d1"]


async def test_the_outbox_survives_a_restart_of_the_bot(client, intake, db_url):
    intake.up = False
    first = Outbox(db_url)
    await submit_durably(client, first, sub("d1"))
    first.close()

    intake.up = True
    told: list[str] = []

    async def tell(submission: DossierSubmission, receipt: Receipt) -> None:
        told.append(receipt.receipt_code)

    clock = Clock()
    clock.now = 10**10
    reopened = Outbox(db_url, clock=clock)
    await OutboxWorker(client, reopened, tell).run_once()
    assert told == ["HS-0001"]


async def test_a_crash_after_sending_does_not_create_a_duplicate(client, intake, db_url):
    clock = Clock()
    outbox = Outbox(db_url, clock=clock)
    outbox.put(sub("d1"))
    # A worker claimed the item and sent it, then died before recording the receipt.
    [item] = outbox.claim_due(lease=30)
    await client.submit(item.submission)
    clock.now += 31  # the lease ran out
    told: list[str] = []

    async def tell(submission: DossierSubmission, receipt: Receipt) -> None:
        told.append(receipt.receipt_code)

    await OutboxWorker(client, outbox, tell).run_once()
    assert told == ["HS-0001"]
    assert len(intake.dossiers) == 1


async def test_two_workers_never_claim_the_same_item(db_url):
    clock = Clock()
    a = Outbox(db_url, clock=clock)
    b = Outbox(db_url, clock=clock)
    for i in range(6):
        a.put(sub(f"d{i}"))
    claimed_a = {i.submission.dossier_id for i in a.claim_due(limit=4)}
    claimed_b = {i.submission.dossier_id for i in b.claim_due(limit=10)}
    assert claimed_a.isdisjoint(claimed_b)
    assert len(claimed_a | claimed_b) == 6


async def test_rejected_data_is_not_queued(db_url):
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"detail": [{"field": "so_the", "message": "Sai."}]})

    client = IntakeClient("http://intake", "k", transport=httpx.MockTransport(refuse))
    outbox = Outbox(db_url)
    outcome = await submit_durably(client, outbox, sub("d1"))
    assert isinstance(outcome, Rejected)
    assert outcome.errors[0].field == "so_the"
    assert outbox.claim_due() == []


async def test_a_failing_notification_is_retried_on_the_next_round(client, intake, db_url):
    clock = Clock()
    outbox = Outbox(db_url, clock=clock)
    outbox.put(sub("d1"))
    attempts: list[str] = []

    async def flaky(submission: DossierSubmission, receipt: Receipt) -> None:
        attempts.append(receipt.receipt_code)
        if len(attempts) == 1:
            raise RuntimeError("channel down")

    worker = OutboxWorker(client, outbox, flaky)
    await worker.run_once()
    await worker.run_once()
    await worker.run_once()
    assert attempts == ["HS-0001", "HS-0001"]
    assert len(intake.dossiers) == 1


async def test_workers_leave_alone_a_dossier_that_is_being_sent_right_now(db_url):
    clock = Clock()
    outbox = Outbox(db_url, clock=clock)
    started = asyncio.Event()
    release = asyncio.Event()
    intake = FakeIntake()

    async def slow_handler(request: httpx.Request) -> httpx.Response:
        started.set()
        await release.wait()
        return intake.handler(request)

    client = IntakeClient("http://intake", "k", transport=httpx.MockTransport(slow_handler))
    sending = asyncio.create_task(submit_durably(client, outbox, sub("d1")))
    await started.wait()
    assert outbox.claim_due() == []  # the worker does not send it a second time
    release.set()
    assert isinstance(await sending, Delivered)
    clock.now += 10_000
    assert outbox.claim_due() == []
