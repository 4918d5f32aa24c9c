"""The rule every secret of the intake service follows (a copy of the bot's rule).

``INTAKE_API_KEY``, ``INTAKE_SECRET_KEY`` and ``BOT_WEBHOOK_SECRET`` are refused when shorter
than :data:`MIN_SECRET_BYTES` bytes, when they contain a known placeholder (``change-me`` …, the
examples of deploy/), or when they have very few different characters: the service does not
start (issue 17: ``INTAKE_SECRET_KEY=change-me`` let anyone forge a console session). Bootstrap
generates strong ones into ``var/secrets.env``.

The bot applies the same rule in ``connectors/common/secrets.py``; a test keeps the two equal
(the intake imports nothing of the bot).
"""

from __future__ import annotations

__all__ = [
    "MIN_DISTINCT_CHARACTERS",
    "MIN_SECRET_BYTES",
    "PLACEHOLDER_WORDS",
    "secret_problem",
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
