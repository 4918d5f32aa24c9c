"""The one exception the validators raise for a value a person typed wrongly."""

from __future__ import annotations

__all__ = ["InvalidValue"]


class InvalidValue(ValueError):
    """A typed value cannot be accepted.

    The message is meant for the citizen: polite Vietnamese ("Ông/bà …"), it says what is wrong
    and ends with one correct example (``Ví dụ: …``).

    Args:
        message: the Vietnamese explanation shown to the person.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
