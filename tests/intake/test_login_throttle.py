"""One attacker cannot lock the staff out (issue 17, item 8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from intake_service.db import Database
from intake_service.login_throttle import MAX_USER_DELAY_SECONDS, DatabaseLoginThrottle

from .conftest import ADMIN, STAFF, build_client, make_settings, prepare_database
from .test_console import csrf_of


@pytest.fixture
def own_db(tmp_path: Path) -> str:
    """A database of this test alone (failed sign-ins are kept in the database)."""
    url = f"sqlite:///{tmp_path / 'throttle.db'}"
    prepare_database(url)
    return url


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_every_process_counts_the_same_failures(own_db):
    clock = Clock()
    db = Database(own_db)
    try:
        first = DatabaseLoginThrottle(db, 5, 900, clock)
        second = DatabaseLoginThrottle(db, 5, 900, clock)  # another service process
        for throttle in (first, second, first, second, first):
            throttle.record_failure("ip:203.0.113.9")
        assert second.retry_after("ip:203.0.113.9") == 900
        clock.now += timedelta(seconds=901)
        assert first.retry_after("ip:203.0.113.9") == 0
    finally:
        db.dispose()


def test_a_user_name_is_slowed_down_never_locked(own_db):
    clock = Clock()
    db = Database(own_db)
    try:
        throttle = DatabaseLoginThrottle(db, 5, 900, clock)
        key = "user:victim-slow"
        for _ in range(5):
            throttle.record_failure(key)
        assert throttle.retry_after(key) == 2
        for _ in range(20):
            throttle.record_failure(key)
        assert throttle.retry_after(key) == MAX_USER_DELAY_SECONDS  # a minute at most
        clock.now += timedelta(seconds=MAX_USER_DELAY_SECONDS)
        assert throttle.retry_after(key) == 0
        throttle.reset(key)
        assert throttle.retry_after(key) == 0
    finally:
        db.dispose()


def _login(client, user, xff=None):
    token = csrf_of(client.get("/console/login").text)
    headers = {"X-Forwarded-For": xff} if xff else {}
    return client.post(
        "/console/login",
        data={"username": user[0], "password": user[1], "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )


def test_behind_the_proxy_the_attackers_address_is_blocked_not_the_office(
    tmp_path: Path, own_db
):
    settings = replace(make_settings(tmp_path, own_db), trusted_proxies=("testclient",))
    with build_client(settings) as client:
        for _ in range(5):
            wrong = _login(client, (ADMIN[0], "doan-sai-2026"), xff="203.0.113.50")
            assert wrong.status_code == 401
        assert _login(client, STAFF, xff="203.0.113.50").status_code == 429  # the attacker
        client.cookies.clear()
        assert _login(client, STAFF, xff="198.51.100.7").status_code == 303  # a colleague
        client.cookies.clear()
        slowed = _login(client, ADMIN, xff="198.51.100.8")  # the admin: a short wait, not 15 min
        assert slowed.status_code == 429
        assert int(slowed.headers["Retry-After"]) <= 2


def test_a_forwarded_for_header_from_anyone_else_is_ignored(tmp_path: Path, own_db):
    with build_client(make_settings(tmp_path, own_db)) as client:  # no trusted proxy
        for number in range(5):
            _login(client, ("nobody-here", "doan-sai-2026"), xff=f"192.0.2.{number}")
        assert _login(client, ("nobody-else", "x"), xff="192.0.2.99").status_code == 429
