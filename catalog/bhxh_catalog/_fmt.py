"""Plain Vietnamese number and date rendering for the engine's and the validators' own texts.

No Babel needed; the richer, locale-aware rendering for citizens lives in
``bhxh_catalog.formatting``.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

__all__ = ["decimal", "dmy", "group_thousands", "percent", "vnd"]


def group_thousands(number: int) -> str:
    """Writes an integer the Vietnamese way, dots between thousands: ``1500000 → 1.500.000``."""
    sign = "-" if number < 0 else ""
    return sign + f"{abs(number):,}".replace(",", ".")


def vnd(amount: int) -> str:
    """Renders an amount of đồng with dots between thousands: ``2340000 → "2.340.000 đ"``."""
    return f"{group_thousands(amount)} đ"


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
