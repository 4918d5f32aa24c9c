"""Failed sign-ins counted in the database, shared by every service process (issue 17, item 8).

Behind nginx every client used to be 127.0.0.1 and each process counted on its own: one attacker
typing wrong passwords locked every staff member out, and two processes doubled the allowance.
Now:

* the client address is the real one (``auth.client_ip``: ``X-Forwarded-For`` is believed only
  from the proxies of ``INTAKE_TRUSTED_PROXIES``);
* failures are rows of ``login_failures``, so every process sees the same count;
* an **address** that failed ``login_max_failures`` times in ``login_window_seconds`` waits until
  the oldest failure leaves the window (it is the attacker's address);
* a **user name** is only slowed down, never locked: after ``login_max_failures`` failures each
  further attempt waits 2, 4, 8 … seconds (at most :data:`MAX_USER_DELAY_SECONDS`) after the
  last failure — the real person gets in after a short wait, an attacker gets a handful of
  guesses per minute.

A successful sign-in forgets the user name's and the address's failures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from intake_service.db import Database
from intake_service.models import LoginFailure, utcnow

__all__ = ["MAX_USER_DELAY_SECONDS", "DatabaseLoginThrottle"]

MAX_USER_DELAY_SECONDS = 60
USER_PREFIX = "user:"


class DatabaseLoginThrottle:
    """The login throttle of the service (same interface as ``security.LoginThrottle``).

    Args:
        db: the database.
        max_failures: failures allowed in the window before waiting.
        window_seconds: length of the window.
        clock: current UTC time (tests pass a fake one).
    """

    def __init__(
        self,
        db: Database,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._max = max_failures
        self._window = timedelta(seconds=window_seconds)
        self._clock = clock

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt is allowed for any of the keys (0 = now)."""
        now = self._clock()
        wait = 0.0
        with self._db.session() as session:
            for key in keys:
                count, oldest, newest = session.execute(
                    select(func.count(), func.min(LoginFailure.at), func.max(LoginFailure.at))
                    .where(LoginFailure.key == key, LoginFailure.at > now - self._window)
                ).one()
                if not count or count < self._max:
                    continue
                if key.startswith(USER_PREFIX):
                    delay = min(2.0 ** (count - self._max + 1), MAX_USER_DELAY_SECONDS)
                    wait = max(wait, (newest + timedelta(seconds=delay) - now).total_seconds())
                else:
                    wait = max(wait, (oldest + self._window - now).total_seconds())
        return math.ceil(wait) if wait > 0 else 0

    def record_failure(self, *keys: str) -> None:
        """Counts one failed attempt against every key (and forgets rows out of the window)."""
        now = self._clock()
        with self._db.transaction() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.at <= now - self._window))
            session.add_all(LoginFailure(key=key[:200], at=now) for key in keys)

    def reset(self, *keys: str) -> None:
        """Forgets the failures of the keys (after a successful sign-in)."""
        with self._db.transaction() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))
