"""Fixtures of the intake service tests: real SQLite and PostgreSQL databases, apps, payloads.

PostgreSQL runs on 127.0.0.1:5432 on these machines; each test session creates a uniquely named
database and drops it at the end. Tests marked for both back ends are skipped on PostgreSQL only
when the server cannot be reached (the skip reason says so).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import random
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from intake_service.app import create_app
from intake_service.bootstrap import create_user
from intake_service.db import Database
from intake_service.migrate import upgrade
from intake_service.settings import Settings, load_settings
from intake_service.webhooks import DeliveryPolicy, verify_signature

with warnings.catch_warnings():
    # Starlette prefers the httpx2 package for its TestClient; the project pins httpx.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

API_KEY = "test-api-key-0123456789-abcdefghijklmn"
SECRET_KEY = "test-session-signing-key-0123456789-abcdef"
WEBHOOK_SECRET = "test-webhook-hmac-key-0123456789-abcdef"
DATA_KEYS = "dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmZ2g="  # a Fernet key (32 bytes, base64)
BOT_URL = "http://bot.test/webhooks/intake/events"
ADMIN = ("quantri", "Giamsat-2026-pass")
STAFF = ("canbo", "Tiepnhan-2026-pass")
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
PROCEDURE = "huong_bhxh_mot_lan"


def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_DSN):
            return None
    except Exception as exc:  # any failure means "not available here"
        return f"PostgreSQL không truy cập được tại 127.0.0.1:5432 ({type(exc).__name__}: {exc})"


@contextlib.contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """Creates a uniquely named database, yields its URL, drops it afterwards."""
    import psycopg

    name = f"intake_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_database(url: str) -> None:
    """Runs the migrations and creates the test accounts."""
    db = Database(url)
    try:
        upgrade(db.engine)
        create_user(db, ADMIN[0], ADMIN[1], "admin", "Quản trị thử")
        create_user(db, STAFF[0], STAFF[1], "staff", "Cán bộ thử")
    finally:
        db.dispose()


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A migrated database with test accounts: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'intake.db'}"
        prepare_database(url)
        yield url
        return
    reason = postgres_unreachable()
    if reason:
        pytest.skip(reason)
    with temporary_postgres_database() as url:
        prepare_database(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database shared by the tests that need only one back end."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite-only') / 'intake.db'}"
    prepare_database(url)
    return url


def make_settings(var_dir: Path, database_url: str, **extra: str) -> Settings:
    """Settings for a test app (no real bot; webhooks go to a mock transport)."""
    env = {
        "INTAKE_VAR_DIR": str(var_dir),
        "INTAKE_DATABASE_URL": database_url,
        "INTAKE_API_KEY": API_KEY,
        "INTAKE_SECRET_KEY": SECRET_KEY,
        "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "INTAKE_DATA_KEYS": DATA_KEYS,
        "BOT_EVENTS_URL": BOT_URL,
        **extra,
    }
    return load_settings(env)


class BotStub:
    """A fake bot endpoint for the webhook worker: records requests, can be made to fail.

    ``failures_per_event`` makes the first N deliveries of every event fail with 503 (counted
    per event, so events left over by other tests in a shared database do not interfere).
    """

    def __init__(self, failures_per_event: int = 0) -> None:
        self.requests: list[httpx.Request] = []
        self.failures_per_event = failures_per_event
        self._seen: dict[str, int] = {}

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answers 503 for the first attempts of each event, then 200."""
        self.requests.append(request)
        event = request.headers.get("X-Intake-Event-Id", "")
        self._seen[event] = self._seen.get(event, 0) + 1
        if self._seen[event] <= self.failures_per_event:
            return httpx.Response(503, text="bot down")
        return httpx.Response(200, json={"ok": True})


FAST_POLICY = DeliveryPolicy(base_delay=0.05, max_delay=0.2, poll_seconds=0.05, max_attempts=5)


@pytest.fixture
def bot() -> BotStub:
    """The fake bot receiving status webhooks."""
    return BotStub()


def build_client(
    settings: Settings, bot: BotStub | None = None, policy: DeliveryPolicy = FAST_POLICY
) -> TestClient:
    """A TestClient on a fresh app instance (the lifespan runs inside ``with``)."""
    transport = httpx.MockTransport(bot.handler) if bot else None
    app = create_app(settings, webhook_transport=transport, webhook_policy=policy)
    _forget_failed_logins(settings.database_url)
    return TestClient(app, base_url="http://testserver")


def _forget_failed_logins(url: str) -> None:
    """Each test app starts with no failed sign-ins, although the database is shared by the
    session (the throttle counts in the database since issue 17)."""
    from sqlalchemy import delete, inspect

    from intake_service.models import LoginFailure

    db = Database(url)
    try:
        if inspect(db.engine).has_table("login_failures"):
            with db.transaction() as session:
                session.execute(delete(LoginFailure))
    finally:
        db.dispose()


@pytest.fixture
def client(tmp_path: Path, database_url: str, bot: BotStub) -> Iterator[TestClient]:
    """An API client on SQLite and on PostgreSQL (parametrised by ``database_url``)."""
    with build_client(make_settings(tmp_path, database_url), bot) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(tmp_path: Path, sqlite_url: str, bot: BotStub) -> Iterator[TestClient]:
    """An API client on the shared SQLite database only."""
    with build_client(make_settings(tmp_path, sqlite_url), bot) as test_client:
        yield test_client


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Waits until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def unique_cccd() -> str:
    """A valid CCCD of a man born in 1975 registered in Khánh Hòa (056), random suffix."""
    return f"056075{random.randrange(10**6):06d}"


def unique_bhxh_code() -> str:
    """A random 10-digit mã số BHXH."""
    return f"79{random.randrange(10**8):08d}"


def make_payload(**overrides: Any) -> dict[str, Any]:
    """A valid submission of "Hưởng BHXH một lần" (reason: emigration, paid in cash)."""
    fields = {
        "ho_ten": "Nguyễn Văn An",
        "ngay_sinh_nguoi_de_nghi": "20/08/1975",
        "so_cccd": unique_cccd(),
        "ma_so_bhxh": unique_bhxh_code(),
        "so_dien_thoai": "0912345678",
        "tinh_nop_ho_so": "Đà Nẵng",
        "hinh_thuc_nhan": "tien_mat",
    }
    fields.update(overrides.pop("fields", {}))
    payload: dict[str, Any] = {
        "procedure_id": PROCEDURE,
        "channel": "zalo",
        "sender_id": f"zalo:{uuid.uuid4().hex[:10]}",
        "fields": fields,
        "answers": {"ly_do": "dinh_cu"},
        "province": None,
    }
    payload.update(overrides)
    return payload


def bot_headers(key: str | None = None) -> dict[str, str]:
    """Headers of a bot request with a fresh (or given) Idempotency-Key."""
    return {"X-API-Key": API_KEY, "Idempotency-Key": key or uuid.uuid4().hex}


def submit(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """Submits a valid dossier and returns the 201 body."""
    response = client.post(
        "/api/v1/dossiers", json=make_payload(**overrides), headers=bot_headers()
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# ----------------------------------------------------------------------------------------------
# A real server process (uvicorn) with a fake bot that receives the signed webhooks.


class FakeBot:
    """A real HTTP server standing in for the bot's events endpoint.

    It checks the signature of every event, records the bodies, and answers ``staff_message``
    events with ``answer`` (``{"delivered": true}`` by default) after ``delay`` seconds. Other
    events get ``event_answers[event]``: a JSON object, or a text sent as is (not JSON); by
    default ``{"ok": true}``, the answer of a bot older than the ``delivered`` field.
    """

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.bad_signatures = 0
        self.answer: dict[str, Any] = {"delivered": True}
        self.event_answers: dict[str, dict[str, Any] | str] = {}
        self.status = 200
        self.delay = 0.0
        bot = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if not verify_signature(WEBHOOK_SECRET, raw, self.headers["X-Intake-Signature"]):
                    bot.bad_signatures += 1
                body = json.loads(raw)
                bot.received.append(body)
                bot.headers.append(dict(self.headers))
                if body.get("event") == "staff_message" and bot.delay:
                    time.sleep(bot.delay)
                answer = bot.answer_to(str(body.get("event")))
                text = isinstance(answer, str)
                data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(bot.status)
                self.send_header("Content-Type", "text/plain" if text else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/intake/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer_to(self, event: str) -> dict[str, Any] | str:
        """What the bot answers to one event kind."""
        if event == "staff_message":
            return self.answer
        return self.event_answers.get(event, {"ok": True})

    def events(self, name: str) -> list[dict[str, Any]]:
        """The bodies of one event kind received so far."""
        return [body for body in self.received if body.get("event") == name]

    def close(self) -> None:
        """Stops the server."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_bot() -> Iterator[FakeBot]:
    """A real HTTP server standing in for the bot (closed after the test)."""
    bot = FakeBot()
    try:
        yield bot
    finally:
        bot.close()


class LiveServer:
    """A running ``python -m intake_service serve`` process."""

    def __init__(self, url: str, process: Any, log_path: Path, bot: FakeBot) -> None:
        self.url = url
        self.process = process
        self.log_path = log_path
        self.bot = bot

    def log(self) -> str:
        """Everything the server wrote to its log so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Bootstraps a fresh var/ directory and runs the real server on a free port."""
    import os
    import subprocess
    import sys

    var_dir = tmp_path_factory.mktemp("live-var")
    port = free_port()
    receiver = FakeBot()
    env = {
        **os.environ,
        "INTAKE_VAR_DIR": str(var_dir),
        "INTAKE_DATABASE_URL": f"sqlite:///{var_dir / 'intake.db'}",
        "INTAKE_API_KEY": API_KEY,
        "INTAKE_ADMIN_USER": ADMIN[0],
        "INTAKE_ADMIN_PASSWORD": ADMIN[1],
        "INTAKE_PORT": str(port),
        "BOT_EVENTS_URL": receiver.url,
        "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    subprocess.run(
        [sys.executable, "-m", "intake_service", "bootstrap"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    log_path = var_dir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "intake_service", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield LiveServer(url, process, log_path, receiver)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        receiver.close()
