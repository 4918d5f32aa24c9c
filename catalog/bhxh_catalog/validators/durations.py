"""Durations as people type them: "10 năm 8 tháng", "10n8t", "128 tháng", "hơn 11 năm".

A contribution time decides verdicts and amounts, so it is read as a whole: "10 năm 8 tháng" is
128 months, never 8. Works on folded text (:func:`bhxh_catalog.vntext.fold`).

Understood:
- years and months with their units, in digits or words: "10 năm 8 tháng", "mười năm",
  "1 năm rưỡi" (18 months), "10 năm rưỡi", "1,5 năm" (18 months);
- the short forms "10n8t", "10n 8t", "10 nam 8 thang";
- months alone: "128 tháng", "8t";
- approximations ("hơn", "gần", "khoảng", "tầm", "chừng"): read as the number, flagged
  ``approximate`` so the caller can ask for the exact figure when it matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bhxh_catalog.validators._numbers import read_numeral, read_word_number
from bhxh_catalog.vntext import fold

__all__ = ["Duration", "describe_months", "find_duration"]

_APPROXIMATE = frozenset({"hon", "gan", "khoang", "tam", "chung", "xap xi", "ngoai"})
_YEAR_UNITS = frozenset({"nam", "n"})
_MONTH_UNITS = frozenset({"thang", "t", "th"})
_HALF = "ruoi"
_DIGITS = "0123456789"
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)?|[^\W\d_]+")
_PACKED = re.compile(r"(?<![\w])([0-9]{1,2})\s*n\s*([0-9]{1,2})\s*th?(?![\w])")


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time read from text.

    Attributes:
        months: the whole duration in months.
        approximate: the person wrote "hơn", "gần", "khoảng" … before it.
        had_years: a number of years was written (so a "năm" question is answered).
    """

    months: int
    approximate: bool = False
    had_years: bool = True

    @property
    def years(self) -> Decimal:
        """The duration in years (may have a fractional part: 128 months = 10,666… years)."""
        return Decimal(self.months) / Decimal(12)

    def describe(self) -> str:
        """The duration in words, as it is read back: "10 năm 8 tháng (128 tháng)"."""
        return describe_months(self.months)


def describe_months(months: int) -> str:
    """Writes a number of months as years and months: 128 → "10 năm 8 tháng (128 tháng)"."""
    years, rest = divmod(months, 12)
    if years == 0:
        return f"{rest} tháng"
    words = f"{years} năm" + (f" {rest} tháng" if rest else "")
    return f"{words} ({months} tháng)"


def _number_at(words: list[str], index: int) -> tuple[Decimal, int] | None:
    """Reads the number (digits or words) starting at ``words[index]``."""
    word = words[index]
    if word[0] in _DIGITS:
        numeral = read_numeral(word)
        return None if numeral is None else (numeral.value, index + 1)
    read = read_word_number(words, index)
    if read is None:
        return None
    return Decimal(read[0]), read[1]


def _amounts(words: list[str]) -> tuple[Decimal | None, Decimal | None, bool]:
    """Finds ``(years, months, approximate)`` written with units in the folded words."""
    years: Decimal | None = None
    months: Decimal | None = None
    approximate = False
    index = 0
    while index < len(words):
        read = _number_at(words, index)
        if read is None:
            index += 1
            continue
        value, after = read
        unit = words[after] if after < len(words) else ""
        before = words[index - 1] if index else ""
        if unit in _YEAR_UNITS and years is None:
            half = after + 1 < len(words) and words[after + 1] == _HALF
            years = value + (Decimal("0.5") if half else 0)
            approximate = approximate or before in _APPROXIMATE
            index = after + (2 if half else 1)
            continue
        if unit in _MONTH_UNITS and months is None:
            months = value
            approximate = approximate or (years is None and before in _APPROXIMATE)
            index = after + 1
            continue
        index = after
    return years, months, approximate


def find_duration(text: str) -> Duration | None:
    """Finds the duration written in *text*, or None when there is none with a unit.

    Examples: "10 năm 8 tháng" → 128 months; "10n8t" → 128; "hơn 11 năm" → 132, approximate;
    "1 năm rưỡi" → 18; "128 tháng" → 128 (``had_years`` False); "12" → None (no unit).
    """
    folded = fold(text)
    packed = _PACKED.search(folded)
    if packed:
        return Duration(int(packed[1]) * 12 + int(packed[2]))
    words = _TOKEN.findall(folded)
    years, months, approximate = _amounts(words)
    if years is None and months is None:
        return None
    total = (years or Decimal(0)) * 12 + (months or Decimal(0))
    if total != total.to_integral_value():
        total = total.quantize(Decimal(1))
    return Duration(int(total), approximate, had_years=years is not None)
