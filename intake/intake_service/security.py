"""Passwords (argon2), tokens, API-key comparison and login rate limiting."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "WEAK_PASSWORD_WORDS",
    "LoginThrottle",
    "constant_time_equal",
    "hash_password",
    "new_token",
    "password_problem",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; an unknown user (None) still costs one verification."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


WEAK_PASSWORD_WORDS = (
    "change-me",
    "changeme",
    "change_me",
    "password",
    "matkhau",
    "mat-khau",
    "123456",
    "admin",
    "qwerty",
    "bhxh",
)
"""A password containing one of these (case-insensitive) is refused: the first words tried."""


def password_problem(password: str, username: str = "") -> str | None:
    """A Vietnamese explanation of why a new password is too weak, or None when it is fine.

    The rule (console, ``create-user``, and bootstrap's first administrator): at least
    :data:`MIN_PASSWORD_LENGTH` characters, letters and digits, none of
    :data:`WEAK_PASSWORD_WORDS`, not the user name.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    if not any(c.isdigit() for c in password) or not any(c.isalpha() for c in password):
        return "Mật khẩu cần có cả chữ và số."
    folded = password.lower()
    if username and username.lower() in folded:
        return "Mật khẩu không được chứa tên đăng nhập."
    for word in WEAK_PASSWORD_WORDS:
        if word in folded:
            return f"Mật khẩu không được chứa “{word}” (dễ đoán)."
    return None


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token (API keys, CSRF tokens, generated passwords)."""
    return secrets.token_urlsafe(nbytes)


def new_password() -> str:
    """A random password that the password rules accept (letters and digits, 12 characters)."""
    while True:
        candidate = secrets.token_urlsafe(9)
        if password_problem(candidate) is None:
            return candidate


def constant_time_equal(given: str | None, expected: str) -> bool:
    """Compares secrets without leaking their length of common prefix; empty never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class LoginThrottle:
    """Counts failed sign-ins per key (client address, user name) in a sliding window.

    Args:
        max_failures: failures allowed within the window; the next attempt is refused.
        window_seconds: length of the window.
        clock: time source (tests pass a fake one).
    """

    def __init__(
        self,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_failures
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        return failures

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt is allowed for any of the keys (0 = now)."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self._max:
                    wait = max(wait, failures[0] + self._window - now)
        return int(wait) + 1 if wait > 0 else 0

    def record_failure(self, *keys: str) -> None:
        """Counts one failed attempt against every key."""
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def reset(self, *keys: str) -> None:
        """Forgets the failures of the keys (after a successful sign-in)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
