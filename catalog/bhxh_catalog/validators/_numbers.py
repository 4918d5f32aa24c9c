"""Reading numbers as Vietnamese people type them: ``1.500.000``, ``1,5``, ``hai mươi lăm``.

Works on folded text (see :func:`bhxh_catalog.vntext.fold`). In Vietnamese the dot groups
thousands and the comma marks decimals, but many people type the English way; a separator
followed by exactly three digits is therefore read as a thousands separator, any other as a
decimal point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "DIGIT_WORDS",
    "Numeral",
    "Token",
    "read_numeral",
    "read_word_number",
    "tokenize",
]

_TOKEN = re.compile(r"(?P<num>\d+(?:[.,]\d+)*)|(?P<word>[^\W\d_]+)|(?P<sym>\S)")
_SEPARATOR = re.compile(r"[.,]")

DIGIT_WORDS: dict[str, int] = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
"""Folded digit words. ``tư`` (4) and ``lăm`` (5) are only used after ``mươi``; ``mốt`` folds to
``mot``."""

_LEADING_ONLY_NOT = frozenset({"tu", "lam"})
_AFTER_TEN_NOT = frozenset({"nam"})
"""After ``mười``/``mươi`` five is ``lăm``: "mười năm" is ten years, not 15."""
_TEN = "muoi"
_HUNDRED = "tram"
_ZERO_TENS = frozenset({"linh", "le"})


@dataclass(frozen=True)
class Token:
    """A token of folded text: ``num`` (digits with separators), ``word`` or ``sym``."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Numeral:
    """A number read from digits.

    Attributes:
        value: the number.
        grouped: it was written with thousands separators (``1.500.000``).
        decimal: it has a decimal part (``1,5``).
    """

    value: Decimal
    grouped: bool
    decimal: bool


def tokenize(folded: str) -> list[Token]:
    """Splits folded text into numbers, words and single symbols (spaces are dropped)."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(folded):
        kind = match.lastgroup or "sym"
        tokens.append(Token(kind, match.group(), match.start(), match.end()))
    return tokens


def _thousand_groups(parts: Sequence[str]) -> bool:
    head = parts[0]
    return (
        1 <= len(head) <= 3
        and not head.startswith("0")
        and all(len(part) == 3 for part in parts[1:])
    )


def read_numeral(text: str) -> Numeral | None:
    """Reads digits with optional separators; returns None when the grouping makes no sense.

    Examples: ``"1500000"``, ``"1.500.000"`` and ``"1,500,000"`` are 1500000; ``"1,5"`` and
    ``"1.5"`` are 1.5; ``"1.234,5"`` is 1234.5; ``"1.50.000"`` is None.
    """
    separators = _SEPARATOR.findall(text)
    parts = _SEPARATOR.split(text)
    if not separators:
        return Numeral(Decimal(text), grouped=False, decimal=False)
    if len(set(separators)) == 2:
        last = max(text.rfind("."), text.rfind(","))
        whole = _SEPARATOR.split(text[:last])
        if text[last] in text[:last] or not _thousand_groups(whole):
            return None
        return Numeral(Decimal("".join(whole) + "." + text[last + 1 :]), True, True)
    if len(separators) > 1:
        if not _thousand_groups(parts):
            return None
        return Numeral(Decimal("".join(parts)), grouped=True, decimal=False)
    if _thousand_groups(parts):
        return Numeral(Decimal("".join(parts)), grouped=True, decimal=False)
    return Numeral(Decimal(f"{parts[0]}.{parts[1]}"), grouped=False, decimal=True)


def _digit(words: Sequence[str], index: int, *, leading: bool) -> int | None:
    if index >= len(words):
        return None
    word = words[index]
    if word in (_LEADING_ONLY_NOT if leading else _AFTER_TEN_NOT):
        return None
    return DIGIT_WORDS.get(word)


def read_word_number(words: Sequence[str], index: int) -> tuple[int, int] | None:
    """Reads a number written in words (0–999) starting at ``words[index]``.

    Understands ``mười hai`` (12), ``hai mươi lăm`` (25), ``ba mươi mốt`` (31),
    ``năm trăm`` (500), ``một trăm linh năm`` (105). ``không`` is not read as zero because in
    chat it almost always means "no".

    Args:
        words: folded words.
        index: where to start.

    Returns:
        ``(value, index after the number)`` or None when no number starts there.
    """
    value = 0
    position = index
    hundreds = _digit(words, position, leading=True)
    if hundreds is not None and position + 1 < len(words) and words[position + 1] == _HUNDRED:
        value = hundreds * 100
        position += 2
        if position < len(words) and words[position] in _ZERO_TENS:
            unit = _digit(words, position + 1, leading=True)
            if unit is not None:
                return value + unit, position + 2
            return value, position
    if position < len(words) and words[position] == _TEN:
        value += 10
        position += 1
        unit = _digit(words, position, leading=False)
        if unit is not None:
            return value + unit, position + 1
        return value, position
    tens = _digit(words, position, leading=True)
    if tens is not None and position + 1 < len(words) and words[position + 1] == _TEN:
        value += tens * 10
        position += 2
        unit = _digit(words, position, leading=False)
        if unit is not None:
            return value + unit, position + 1
        return value, position
    if tens is not None:
        return value + tens, position + 1
    if position > index:
        return value, position
    return None
