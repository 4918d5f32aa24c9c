"""Plain Vietnamese number and date rendering for the engine's own texts (no Babel needed).

The richer, locale-aware rendering for citizens lives in ``bhxh_catalog.formatting``.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

__all__ = ["decimal", "dmy", "percent", "vnd"]


def vnd(amount: int) -> str:
    """Renders an amount of đồng with dots between thousands: ``2340000 → "2.340.000 đ"``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} đ".replace(",", ".")


def dmy(day: date) -> str:
    """Renders a date the Vietnamese way: ``01/07/2025``."""
    return day.strftime("%d/%m/%Y")


def decimal(value: Fraction | float | int) -> str:
    """Renders a number with a decimal comma and no useless zeros: ``1.5 → "1,5"``."""
    number = float(value)
    if number == int(number):
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def percent(rate: Fraction) -> str:
    """Renders a rate as a percentage: ``Fraction(9, 200) → "4,5%"``."""
    return f"{decimal(rate * 100)}%"
