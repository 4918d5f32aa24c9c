"""Small helpers shared by the validators: context access, separators, message building."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from bhxh_catalog.validators.errors import InvalidValue
from bhxh_catalog.vntext import normalize

__all__ = [
    "Context",
    "clean",
    "context_date",
    "context_int",
    "context_str",
    "example",
    "fail",
    "group_thousands",
    "strip_separators",
    "today",
]

Context = Mapping[str, object]
"""What the caller knows besides the typed text (``birth_date``, ``options``, ``bank``, …)."""

_SEPARATORS = re.compile(r"[\s.\-_/·,]+")
_SPACES = re.compile(r"\s+")


def clean(raw: str) -> str:
    """Returns the text in NFC with repaired look-alikes, single spaces and no outer spaces."""
    return _SPACES.sub(" ", normalize(raw)).strip()


def strip_separators(text: str) -> str:
    """Removes the spaces, dots, dashes, slashes and commas people put inside long numbers."""
    return _SEPARATORS.sub("", text)


def example(context: Context | None, default: str) -> str:
    """Returns the example to show: ``context["example"]`` (from the catalog) or *default*."""
    if context is not None:
        given = context.get("example")
        if isinstance(given, str) and given.strip():
            return given.strip()
    return default


def fail(problem: str, sample: str) -> InvalidValue:
    """Builds the error for *problem* (one or two sentences) followed by ``Ví dụ: sample.``."""
    problem = problem.strip()
    if problem[-1] not in ".?!":
        problem += "."
    ending = "" if sample[-1] in ".?!" else "."
    return InvalidValue(f"{problem} Ví dụ: {sample}{ending}")


def context_date(context: Context | None, key: str) -> date | None:
    """Returns ``context[key]`` when it is a date (an ISO string is accepted too)."""
    if context is None:
        return None
    value = context.get(key)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def context_int(context: Context | None, key: str) -> int | None:
    """Returns ``context[key]`` when it is a whole number (booleans are not numbers here)."""
    if context is None:
        return None
    value = context.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def context_str(context: Context | None, key: str) -> str | None:
    """Returns ``context[key]`` when it is a non-empty string."""
    if context is None:
        return None
    value = context.get(key)
    return value if isinstance(value, str) and value.strip() else None


def today(context: Context | None) -> date:
    """Returns ``context["today"]`` when given (tests, replays), else the system date."""
    return context_date(context, "today") or date.today()


def group_thousands(number: int) -> str:
    """Writes an integer the Vietnamese way, dots between thousands: ``1500000 → 1.500.000``."""
    sign = "-" if number < 0 else ""
    return sign + f"{abs(number):,}".replace(",", ".")
