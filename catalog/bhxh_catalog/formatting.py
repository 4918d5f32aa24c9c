"""Numbers, amounts and dates written for citizens, with Babel's Vietnamese locale (vi_VN).

Conventions (one choice, used everywhere):

- money: dots between thousands and the đồng sign after a plain space: ``"1.500.000 ₫"``
  (Babel puts a no-break space there; it is replaced by a plain space so texts compare and
  copy predictably across chat channels);
- short dates: ``"20/08/1960"``; long dates: ``"ngày 20 tháng 8 năm 1960"``;
- date and time: ``"14:30 ngày 20/08/2025"``.

Masking of sensitive values lives in :mod:`bhxh_catalog.validators.masking`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal

__all__ = [
    "LOCALE",
    "format_date",
    "format_date_long",
    "format_datetime",
    "format_money",
    "format_number",
]

LOCALE = "vi_VN"
_NO_BREAK_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def format_money(amount: int | float | Decimal) -> str:
    """Writes an amount of đồng: ``1500000 → "1.500.000 ₫"`` (rounded to the đồng)."""
    return format_currency(amount, "VND", locale=LOCALE).translate(_NO_BREAK_SPACES)


def format_number(value: int | float | Decimal) -> str:
    """Writes a number the Vietnamese way: ``1500000 → "1.500.000"``, ``1.5 → "1,5"``."""
    return format_decimal(value, locale=LOCALE).translate(_NO_BREAK_SPACES)


def format_date(day: date) -> str:
    """Writes a date as on Vietnamese forms: ``"20/08/1960"``."""
    return babel_format_date(day, "dd/MM/yyyy", locale=LOCALE)


def format_date_long(day: date) -> str:
    """Writes a date in words: ``"ngày 20 tháng 8 năm 1960"``."""
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def format_datetime(moment: datetime) -> str:
    """Writes a time and date: ``"14:30 ngày 20/08/2025"`` (in the moment's own time zone)."""
    return f"{moment:%H:%M} ngày {format_date(moment.date())}"
