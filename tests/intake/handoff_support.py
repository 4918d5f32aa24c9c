"""Helpers of the handoff tests: a movable clock, an app builder, a real fake bot server."""

from __future__ import annotations

import http.server
import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from intake_service.app import create_app
from intake_service.webhooks import DeliveryPolicy, verify_signature

from .conftest import API_KEY, FAST_POLICY, WEBHOOK_SECRET, BotStub, make_settings

# Monday 23 November 2026, 09:00 in Vietnam: the office is open.
MONDAY_9AM = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
# A Monday 09:00 seventy years later: no other test's handoffs are near it.
FAR_MONDAY_9AM = MONDAY_9AM + timedelta(weeks=52 * 70)
# Sunday 22 November 2026, 10:00 in Vietnam: the office is closed.
SUNDAY_10AM = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)
BOT = {"X-API-Key": API_KEY}


class Clock:
    """A clock the test moves by hand (the service reads it for every handoff operation)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Moves the time forward (``minutes=11``, ``hours=25``…)."""
        self.now += timedelta(**delta)


def build_app_client(
    tmp_path: Path,
    database_url: str,
    *,
    bot: BotStub | None = None,
    clock: Callable[[], datetime] | None = None,
    policy: DeliveryPolicy = FAST_POLICY,
    expiry_poll_seconds: float = 3600.0,
    **env: str,
) -> Any:
    """A TestClient on a fresh app with a fake clock and a mock bot (run it inside ``with``)."""
    from fastapi.testclient import TestClient

    transport = httpx.MockTransport(bot.handler) if bot else None
    app = create_app(
        make_settings(tmp_path, database_url, **env),
        webhook_transport=transport,
        webhook_policy=policy,
        clock=clock or (lambda: datetime.now(timezone.utc)),
        expiry_poll_seconds=expiry_poll_seconds,
    )
    return TestClient(app, base_url="http://testserver")


def handoff_payload(**overrides: Any) -> dict[str, Any]:
    """A handoff of a Zalo conversation about "Hưởng BHXH một lần"."""
    payload: dict[str, Any] = {
        "channel": "zalo",
        "sender_id": f"zalo:{uuid.uuid4().hex[:10]}",
        "reason": "asked",
        "procedure_id": "huong_bhxh_mot_lan",
        "province": "Bình Dương",
        "transcript": [
            {"from": "bot", "text": "Ông/bà cho biết số CCCD.", "at": None},
            {"from": "citizen", "text": "cho tôi gặp nhân viên", "at": None},
        ],
        "collected": {"ho_ten": "Nguyễn Văn An", "so_cccd": "056075001234"},
        "answers": {"ly_do": "dinh_cu"},
    }
    payload.update(overrides)
    return payload


def open_handoff(client: Any, **overrides: Any) -> dict[str, Any]:
    """Creates a handoff through the API and returns the 201 body."""
    response = client.post("/api/v1/handoffs", json=handoff_payload(**overrides), headers=BOT)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def events(bot: BotStub, name: str, handoff_id: int | None = None) -> list[httpx.Request]:
    """The requests of one event kind the fake bot received (for one handoff)."""
    found = []
    for request in bot.requests:
        body = json.loads(request.content)
        if body.get("event") == name and handoff_id in (None, body.get("handoff_id")):
            found.append(request)
    return found


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Waits until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


class FakeBot:
    """A real HTTP server standing in for the bot's events endpoint.

    It checks the signature of every event, records the bodies, and answers ``staff_message``
    events with ``answer`` (``{"delivered": true}`` by default) after ``delay`` seconds.
    """

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.bad_signatures = 0
        self.answer: dict[str, Any] = {"delivered": True}
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
                answer = bot.answer if body.get("event") == "staff_message" else {"ok": True}
                data = json.dumps(answer).encode()
                self.send_response(bot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/intake/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self, name: str) -> list[dict[str, Any]]:
        """The bodies of one event kind received so far."""
        return [body for body in self.received if body.get("event") == name]

    def close(self) -> None:
        """Stops the server."""
        self.server.shutdown()
        self.server.server_close()
