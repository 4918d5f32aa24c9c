"""Amounts of money in đồng, as people type them in chat.

Understood: ``1500000``, ``1.500.000đ``, ``1.500.000 đồng``, ``1,5 triệu``, ``2tr``, ``2 tr 5``
(2,5 triệu), ``1tr250`` (1,25 triệu), ``500k``, ``500 nghìn``, ``1,2 tỷ``, ``1 tỷ 200 triệu``,
``2 triệu rưỡi``, ``hai triệu mốt`` (2,1 triệu), ``năm trăm nghìn``.

A number right after a unit is read as decimals of that unit (``2 tr 5`` = 2,5 triệu,
``1 triệu 500`` = 1,5 triệu). A bare number below 1.000 without a unit is refused with a
question about the unit, because "500" may mean 500 nghìn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bhxh_catalog.validators._common import Context, check_limits, clean, example, fail
from bhxh_catalog.validators._numbers import (
    DIGIT_WORDS,
    Token,
    read_numeral,
    read_word_number,
    tokenize,
)
from bhxh_catalog.vntext import fold

__all__ = ["UNIT_WORDS", "AmountScan", "check_money", "parse_money", "scan_amount"]

UNIT_WORDS: dict[str, int] = {
    "ty": 1_000_000_000,
    "ti": 1_000_000_000,
    "trieu": 1_000_000,
    "tr": 1_000_000,
    "cu": 1_000_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "k": 1_000,
    "tram": 100,
}
"""Folded unit words and their value in đồng (``củ`` is slang for triệu)."""

_CURRENCY_WORDS = frozenset({"d", "dong", "vnd", "vn"})
_CURRENCY_SYMBOLS = frozenset({"₫"})
_HALF = "ruoi"
_LEADING_FILLER = frozenset(
    {"khoang", "chung", "tam", "gan", "hon", "tren", "la", "luong", "muc", "so", "tien", "co",
     "duoc", "tong", "cong", "thu", "nhap", "tat", "ca"}
)
_TRAILING_FILLER = frozenset(
    {"a", "nhe", "nha", "thoi", "moi", "mot", "thang", "nam", "khoang", "hon", "roi", "do",
     "vay", "day", "/", ".", "!", ",", "?", "1"}
)
_EXAMPLE = "1.500.000 đồng"
_NEGATIVE = "Số tiền không thể là số âm."
_SMALL = 1_000


@dataclass(frozen=True)
class AmountScan:
    """An amount read from tokens.

    Attributes:
        value: the amount in đồng (may have a fraction when the text was odd).
        end: index of the first token after the amount.
        unit: a unit word was used (triệu, k, …).
        currency: a currency word followed (đ, đồng, VND).
        grouped: written with thousands separators (1.500.000).
    """

    value: Decimal
    end: int
    unit: bool
    currency: bool
    grouped: bool


def _words(tokens: Sequence[Token]) -> list[str]:
    return [token.text if token.kind == "word" else "" for token in tokens]


@dataclass(frozen=True)
class _Number:
    value: Decimal
    after: int
    digits: str | None
    grouped: bool


def _read_number(tokens: Sequence[Token], index: int) -> _Number | None:
    """Reads digits or number words starting at ``tokens[index]``."""
    if index >= len(tokens):
        return None
    token = tokens[index]
    if token.kind == "num":
        numeral = read_numeral(token.text)
        if numeral is None:
            return None
        return _Number(numeral.value, index + 1, token.text, numeral.grouped)
    read = read_word_number(_words(tokens), index)
    return None if read is None else _Number(Decimal(read[0]), read[1], None, False)


def _is_bank_word(tokens: Sequence[Token], index: int) -> bool:
    """"ngân hàng" folds to "ngan hang": that "ngan" is a bank, not a thousand."""
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    return tokens[index].text == "ngan" and following == "hang"


def _read_units(tokens: Sequence[Token], index: int) -> tuple[int, int] | None:
    """Reads one or more unit words ("trăm nghìn" = 100.000); returns (multiplier, next)."""
    multiplier = 0
    position = index
    while position < len(tokens) and tokens[position].text in UNIT_WORDS:
        if _is_bank_word(tokens, position):
            break
        unit = UNIT_WORDS[tokens[position].text]
        if multiplier and unit <= multiplier:
            break
        multiplier = unit if not multiplier else multiplier * unit
        position += 1
    return (multiplier, position) if multiplier else None


def _ends_here(tokens: Sequence[Token], index: int) -> bool:
    if index >= len(tokens):
        return True
    token = tokens[index]
    return token.kind == "sym" or token.text in _CURRENCY_WORDS or token.text in {"a", "nhe"}


def _fraction(
    tokens: Sequence[Token], start: int, after: int, value: Decimal, digits: str | None
) -> Decimal | None:
    """Decimals of the last unit written after it: "2 tr 5" → 0.5, "triệu mốt" → 0.1."""
    if digits is not None:
        if digits.isdigit() and len(digits) <= 3:
            return Decimal(digits) / Decimal(10 ** len(digits))
        return None
    single_word = after == start + 1 and tokens[start].text in DIGIT_WORDS
    if single_word and _ends_here(tokens, after):
        return value / 10
    return None


def _is_currency(token: Token) -> bool:
    return token.text in _CURRENCY_WORDS or token.text in _CURRENCY_SYMBOLS


def scan_amount(tokens: Sequence[Token], index: int) -> AmountScan | None:
    """Reads the longest amount starting at ``tokens[index]``.

    Args:
        tokens: folded tokens (see :func:`bhxh_catalog.validators._numbers.tokenize`).
        index: where the amount should start (a number or a number word).

    Returns:
        The amount, or None when no number starts there.
    """
    total = Decimal(0)
    last_unit: int | None = None
    grouped = False
    position = index
    while True:
        number = _read_number(tokens, position)
        if number is None:
            break
        value, after = number.value, number.after
        units = _read_units(tokens, after)
        if units is None:
            if last_unit is None:
                if position == index:
                    total, grouped, position = value, number.grouped, after
                break
            fraction = _fraction(tokens, position, after, value, number.digits)
            if fraction is not None:
                total += fraction * last_unit
                position = after
            break
        multiplier, after_units = units
        if last_unit is not None and multiplier >= last_unit:
            break
        total += value * multiplier
        last_unit = multiplier
        position = after_units
        if position < len(tokens) and tokens[position].text == _HALF:
            total += Decimal(last_unit) / 2
            position += 1
            break
    if position == index:
        return None
    currency = position < len(tokens) and _is_currency(tokens[position])
    if currency:
        position += 1
    return AmountScan(total, position, last_unit is not None, currency, grouped)


def _whole_dong(value: Decimal, context: Context | None, sample: str) -> int:
    if value != value.to_integral_value():
        raise fail("Số tiền cần là số đồng chẵn.", sample)
    check_limits(value, context, sample, "Số tiền", "đồng")
    return int(value)


def parse_money(raw: str, context: Context | None = None) -> int:
    """Reads an amount of money and returns it in đồng.

    Args:
        raw: what the person typed.
        context: may carry ``min`` and ``max`` (đồng) and ``example``.

    Returns:
        The amount in whole đồng.

    Raises:
        InvalidValue: no amount, a negative amount, a small number without a unit, a
            fraction of a đồng, or an amount outside the limits.
    """
    sample = example(context, _EXAMPLE)
    text = clean(raw)
    if not text:
        raise fail("Ông/bà chưa nhập số tiền.", sample)
    tokens = tokenize(fold(text))
    start = 0
    while start < len(tokens) and (
        _is_currency(tokens[start])
        or tokens[start].text in _LEADING_FILLER
        or tokens[start].text == ":"
    ) and not (start + 1 < len(tokens) and tokens[start + 1].text in UNIT_WORDS):
        start += 1
    if start < len(tokens) and tokens[start].text == "-":
        raise fail(_NEGATIVE, sample)
    scan = scan_amount(tokens, start)
    if scan is None or any(token.text not in _TRAILING_FILLER for token in tokens[scan.end :]):
        scan = _only_amount_in_sentence(tokens)
    if scan is None:
        raise fail(
            f"Chưa hiểu số tiền “{text}”. Ông/bà vui lòng nhập bằng chữ số, có thể kèm đơn vị "
            "nghìn, triệu, tỷ.",
            sample,
        )
    if not scan.unit and not scan.currency and 0 < scan.value < _SMALL:
        unit = "triệu" if scan.value != scan.value.to_integral_value() else "nghìn"
        raise fail(
            f"Số tiền “{text}” chưa rõ đơn vị: {text} đồng, {text} nghìn hay {text} triệu?",
            f"{text} {unit}",
        )
    return _whole_dong(scan.value, context, sample)


def _only_amount_in_sentence(tokens: Sequence[Token]) -> AmountScan | None:
    """The one amount of a sentence ("Bình quân 9.850.000 đồng", "1 triệu rưỡi thôi cháu").

    Only when the sentence holds a single amount with a unit or a currency (or a large number)
    and no other number, so "đóng 10 năm, lương 7 triệu" is not read as a salary here.
    """
    for index, token in enumerate(tokens):
        if token.kind != "num":
            continue
        scan = scan_amount(tokens, index)
        if scan is None:
            return None
        others = [t for t in tokens[: index] if t.kind == "num"]
        others += [t for t in tokens[scan.end :] if t.kind == "num"]
        clear = scan.unit or scan.currency or scan.value >= _SMALL
        return scan if clear and not others else None
    return None


def check_money(value: Decimal, context: Context | None = None) -> int:
    """Checks an amount that is already typed (a stored value) as :func:`parse_money` would.

    A stored amount needs no unit: ``500`` is 500 đồng here.
    """
    sample = example(context, _EXAMPLE)
    if value < 0:
        raise fail(_NEGATIVE, sample)
    return _whole_dong(value, context, sample)
