"""Helpers of the handoff tests: a movable clock, an app builder, handoffs, their events.

The real HTTP server standing in for the bot (:class:`FakeBot`) is in ``conftest``: the live
server tests use it too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from intake_service.app import create_app
from intake_service.webhooks import DeliveryPolicy

from .conftest import API_KEY, FAST_POLICY, BotStub, make_settings

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
