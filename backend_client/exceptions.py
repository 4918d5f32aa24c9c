"""Errors raised by the intake client.

The tree tells a caller what to do next::

    IntakeError
    ├── IntakeRejected      the intake refused the data (HTTP 422): tell the citizen which field
    ├── IntakeConflict      the idempotency key was reused with another body (HTTP 409): a bug
    ├── DossierNotFound     no dossier with that receipt code (HTTP 404 on a lookup)
    ├── HandoffNotFound     no handoff with that id (HTTP 404)
    ├── HandoffNotOpen      the conversation is back with the assistant (HTTP 409 on a message)
    ├── CodeNotFound        no caller code like that (HTTP 404)
    ├── CodeUnavailable     the caller code is used by another conversation or expired (HTTP 410)
    ├── IntakeUnavailable   timeouts, connection errors, 5xx, 429 after the retries: queue it
    └── IntakeProtocolError any other answer (401, 403, 400, a malformed body): a bug or a bad key
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CodeNotFound",
    "CodeUnavailable",
    "DossierNotFound",
    "FieldError",
    "HandoffNotFound",
    "HandoffNotOpen",
    "IntakeConflict",
    "IntakeError",
    "IntakeProtocolError",
    "IntakeRejected",
    "IntakeUnavailable",
]


class IntakeError(Exception):
    """Base class of every error of the intake client."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field the intake refused, with its Vietnamese message for the citizen."""

    field: str
    message: str


class IntakeRejected(IntakeError):
    """The intake refused the dossier's data (HTTP 422)."""

    def __init__(self, errors: list[FieldError]) -> None:
        """Keeps the per-field errors.

        Args:
            errors: the fields the intake refused, in its order.
        """
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors) or "rejected")
        self.errors = errors


class IntakeConflict(IntakeError):
    """The same idempotency key was sent earlier with a different body (HTTP 409)."""


class DossierNotFound(IntakeError):
    """No dossier has the receipt code that was asked for (HTTP 404)."""


class HandoffNotFound(IntakeError):
    """No handoff has the id that was asked for (HTTP 404)."""


class HandoffNotOpen(IntakeError):
    """The handoff is returned, closed or expired: the assistant answers the citizen (HTTP 409)."""


class CodeNotFound(IntakeError):
    """No caller code like the one typed (HTTP 404)."""


class CodeUnavailable(IntakeError):
    """The caller code was used by another conversation, or it expired (HTTP 410).

    ``message`` is the intake's Vietnamese explanation.
    """

    def __init__(self, message: str) -> None:
        """Keeps the intake's explanation.

        Args:
            message: Vietnamese, e.g. "Mã này đã được dùng."
        """
        super().__init__(message)
        self.message = message


class IntakeUnavailable(IntakeError):
    """The intake could not be reached or kept failing (timeouts, 5xx, 429) after retries."""


class IntakeProtocolError(IntakeError):
    """An answer the contract does not allow here (401, 403, 400, malformed JSON, …)."""
