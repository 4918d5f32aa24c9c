"""The rule every shared secret of the bot follows, and the checks made before start-up.

A secret (REST channel key, ``BOT_WEBHOOK_SECRET``, ``INTAKE_API_KEY``, ``RASA_AUTH_TOKEN``,
``TELEGRAM_SECRET_TOKEN`` …) is refused when it is shorter than :data:`MIN_SECRET_BYTES` bytes,
is a known placeholder (``change-me``, ``secret``, the examples of deploy/), or is made of very few
different characters (``aaaa…``). ``bin/start`` generates strong ones (``var/secrets.env``).

The intake service applies the same rule in ``intake_service.secret_rules``; a test keeps the
two copies equal (the intake imports nothing of the bot, and this module only the standard
library).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable, Mapping

__all__ = [
    "BOT_SECRETS",
    "MIN_DISTINCT_CHARACTERS",
    "MIN_SECRET_BYTES",
    "PLACEHOLDER_WORDS",
    "WeakSecrets",
    "bearer_ok",
    "refuse_weak_secrets",
    "secret_problem",
    "weak_secrets",
]

MIN_SECRET_BYTES = 32
MIN_DISTINCT_CHARACTERS = 8
PLACEHOLDER_WORDS = (
    "change-me",
    "change_me",
    "changeme",
    "changethis",
    "replace-me",
    "replaceme",
    "placeholder",
    "example",
    "your-secret",
    "yoursecret",
    "secret-here",
    "password",
    "passw0rd",
    "default",
    "insecure",
)
"""A secret containing one of these (case-insensitive) is a placeholder, whatever its length."""

BOT_SECRETS = (
    "REST_CHANNEL_KEY",
    "BOT_WEBHOOK_SECRET",
    "INTAKE_API_KEY",
    "RASA_AUTH_TOKEN",
    "TELEGRAM_SECRET_TOKEN",
)
"""The bot's secrets checked before a Rasa or action server starts (when they are set)."""


def secret_problem(name: str, value: str | None) -> str | None:
    """Why a secret cannot be used, or None when it follows the rule.

    Args:
        name: the variable, for the message.
        value: the secret; empty or None is "missing".

    Returns:
        E.g. ``"BOT_WEBHOOK_SECRET is a placeholder (change-me)"``; None when fine.
    """
    if not value:
        return f"{name} (missing)"
    folded = value.strip().lower()
    for word in PLACEHOLDER_WORDS:
        if word in folded:
            return f"{name} is a placeholder ({word})"
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        return f"{name} is shorter than {MIN_SECRET_BYTES} bytes"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return f"{name} has fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    return None


def weak_secrets(names: Iterable[str], environ: Mapping[str, str]) -> list[str]:
    """The problems of the secrets that are set but break the rule (unset ones are skipped)."""
    problems = []
    for name in names:
        value = environ.get(name, "")
        if value:
            problem = secret_problem(name, value)
            if problem is not None:
                problems.append(problem)
    return problems


class WeakSecrets(SystemExit):
    """Start-up refused: a secret is set to a weak value (the message names each one)."""


def refuse_weak_secrets(
    names: Iterable[str] = BOT_SECRETS, environ: Mapping[str, str] | None = None
) -> None:
    """Stops the process when one of the secrets is set but weak.

    Raises:
        WeakSecrets: with one line per weak secret and what to do.
    """
    problems = weak_secrets(names, os.environ if environ is None else environ)
    if problems:
        raise WeakSecrets(
            "Refusing to start: "
            + "; ".join(problems)
            + f". Use random values of at least {MIN_SECRET_BYTES} bytes, e.g. "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'` "
            "(bin/start generates them into var/secrets.env)."
        )


def bearer_ok(header: str | None, key: str) -> bool:
    """Whether ``Authorization: Bearer <key>`` carries the key (constant time; empty never)."""
    if not header or not key:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode(), key.encode())
