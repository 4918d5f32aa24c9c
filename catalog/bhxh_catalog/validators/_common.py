"""Small helpers shared by the validators: context access, separators, messages, limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from bhxh_catalog import config
from bhxh_catalog._fmt import decimal, group_thousands
from bhxh_catalog.validators.errors import InvalidValue
from bhxh_catalog.vntext import normalize

__all__ = [
    "Context",
    "check_limits",
    "clean",
    "context_date",
    "context_int",
    "context_number",
    "context_str",
    "example",
    "fail",
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


def _get(context: Context | None, key: str) -> object:
    return None if context is None else context.get(key)


def context_date(context: Context | None, key: str) -> date | None:
    """Returns ``context[key]`` when it is a date (an ISO string is accepted too)."""
    value = _get(context, key)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def context_number(context: Context | None, key: str) -> int | float | None:
    """Returns ``context[key]`` when it is a number (booleans are not numbers here)."""
    value = _get(context, key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def context_int(context: Context | None, key: str) -> int | None:
    """Returns ``context[key]`` when it is a whole number (booleans are not numbers here)."""
    value = context_number(context, key)
    if value is None or not float(value).is_integer():
        return None
    return int(value)


def context_str(context: Context | None, key: str) -> str | None:
    """Returns ``context[key]`` when it is a non-empty string."""
    value = _get(context, key)
    return value if isinstance(value, str) and value.strip() else None


def today(context: Context | None) -> date:
    """Returns ``context["today"]`` when given (tests, replays), else the catalog's today
    (``$BHXH_TODAY`` or the system date, :func:`bhxh_catalog.config.today`)."""
    return context_date(context, "today") or config.today()


def check_limits(
    value: Decimal, context: Context | None, sample: str, subject: str, unit: str
) -> None:
    """Refuses a number outside ``context["min"]`` / ``context["max"]``.

    Args:
        value: the number read.
        context: may carry ``min`` and ``max``.
        sample: the example ending the message.
        subject: how the message names the value ("Số này", "Số tiền").
        unit: written after each limit ("năm", "đồng"); may be empty.

    Raises:
        InvalidValue: the number is outside the limits; the message gives both limits when
            both are set.
    """
    low = context_number(context, "min")
    high = context_number(context, "max")
    if (low is None or value >= Decimal(str(low))) and (
        high is None or value <= Decimal(str(high))
    ):
        return

    def show(limit: float) -> str:
        number = group_thousands(int(limit)) if float(limit).is_integer() else decimal(limit)
        return f"{number} {unit}".rstrip()

    if low is not None and high is not None:
        raise fail(f"{subject} cần từ {show(low)} đến {show(high)}.", sample)
    if low is not None:
        raise fail(f"{subject} cần từ {show(low)} trở lên.", sample)
    assert high is not None
    raise fail(f"{subject} không được lớn hơn {show(high)}.", sample)
