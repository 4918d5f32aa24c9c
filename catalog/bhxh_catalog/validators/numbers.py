"""Plain numbers: counts of years, months, people ("12", "12 năm", "mười hai", "1,5")."""

from __future__ import annotations

from decimal import Decimal

from bhxh_catalog.validators._common import (
    Context,
    check_limits,
    clean,
    context_number,
    context_str,
    example,
    fail,
)
from bhxh_catalog.validators._numbers import Token, read_numeral, read_word_number, tokenize
from bhxh_catalog.validators.durations import find_duration
from bhxh_catalog.vntext import fold, tokens

__all__ = ["check_integer", "check_number", "parse_integer", "parse_number"]

_EXAMPLE = "12"
_NEGATIVE = "Số này không thể là số âm."
_SUBJECT = "Số này"
_UNITS = frozenset({"nam", "thang", "tuan", "ngay", "gio", "tuoi", "nguoi", "lan"})
"""Folded counting units: an answer in another unit than the question's is refused."""


def _read(tokens: list[Token]) -> tuple[Decimal, bool, list[str]] | None:
    """Reads the one number in *tokens*.

    Returns:
        ``(value, had decimals, the other words)``, or None when there is no single number.
    """
    words = [token.text if token.kind == "word" else "" for token in tokens]
    numbers = [token for token in tokens if token.kind == "num"]
    if len(numbers) > 1:
        return None
    if numbers:
        numeral = read_numeral(numbers[0].text)
        return None if numeral is None else (numeral.value, numeral.decimal, words)
    for index in range(len(words)):
        read = read_word_number(words, index)
        if read is not None:
            return Decimal(read[0]), False, words[:index] + words[read[1] :]
    return None


def _check_unit(words: list[str], context: Context | None, text: str, sample: str) -> None:
    """Refuses "12 tháng" when the question asks for ``context["unit"]`` = "năm"."""
    unit = context_str(context, "unit")
    if unit is None:
        return
    asked = set(tokens(unit))
    if any(word in _UNITS and word not in asked for word in words):
        raise fail(f"Ông/bà vui lòng trả lời bằng số {unit} (ông/bà vừa nhập “{text}”).", sample)


def _checked(value: Decimal, context: Context | None, sample: str) -> Decimal:
    check_limits(value, context, sample, _SUBJECT, context_str(context, "unit") or "")
    return value


_TIME_UNITS = {"nam": Decimal(12), "thang": Decimal(1)}
"""Folded time units a question may ask in, with their length in months."""


_NONE_ANSWERS = frozenset(
    {"khong", "ko", "khong co", "ko co", "khong ai", "khong ai ca", "khong co ai", "chua co",
     "khong co ai ca", "k co", "hong co"}
)
"""Folded answers that mean zero to "how many …?": "Không có.", "không ai cả"."""


def _says_none(text: str) -> bool:
    words = [w for w in tokens(text) if w not in {"a", "da", "nhe", "ca", "het"}]
    return " ".join(words) in _NONE_ANSWERS or " ".join(tokens(text)) in _NONE_ANSWERS


def _as_duration(text: str, context: Context | None) -> Decimal | None:
    """Reads "10 năm 8 tháng" or "128 tháng" in the unit the question asks (năm or tháng).

    Returns None when the question is not about time or the text has no duration with a unit,
    so plain numbers ("12") are read as before.
    """
    unit = context_str(context, "unit")
    months_per_unit = _TIME_UNITS.get(fold(unit)) if unit else None
    if months_per_unit is None:
        return None
    duration = find_duration(text)
    if duration is None:
        return None
    return Decimal(duration.months) / months_per_unit


def _parse(raw: str, context: Context | None, sample: str) -> tuple[Decimal, bool, str]:
    text = clean(raw)
    if not text:
        raise fail("Ông/bà chưa nhập số.", sample)
    if _says_none(text) and (context_number(context, "min") or 0) <= 0:
        return Decimal(0), False, text
    duration = _as_duration(text, context)
    if duration is not None:
        whole = duration == duration.to_integral_value()
        return _checked(duration, context, sample), not whole, text
    found = tokenize(fold(text))
    if found and found[0].text == "-":
        raise fail(_NEGATIVE, sample)
    read = _read(found)
    if read is None:
        raise fail(f"Chưa đọc được số trong “{text}”. Ông/bà vui lòng nhập một số.", sample)
    value, had_decimals, words = read
    _check_unit(words, context, text, sample)
    return _checked(value, context, sample), had_decimals, text


def _whole(value: Decimal, had_decimals: bool, shown: str, sample: str) -> int:
    if had_decimals or value != value.to_integral_value():
        raise fail(f"Ông/bà vui lòng nhập số nguyên (“{shown}” có phần lẻ).", sample)
    return int(value)


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _typed(value: Decimal, context: Context | None, sample: str) -> Decimal:
    if value < 0:
        raise fail(_NEGATIVE, sample)
    return _checked(value, context, sample)


def parse_integer(raw: str, context: Context | None = None) -> int:
    """Reads a whole number; words after it ("12 năm") and number words ("mười hai") are fine.

    Args:
        raw: what the person typed.
        context: may carry ``min``, ``max``, ``unit`` (an answer in another unit, "12 tháng"
            for "năm", is refused; the limits are shown with it) and ``example``.

    Returns:
        The number.

    Raises:
        InvalidValue: no number, several numbers, a decimal, a negative number, another unit,
            or a number outside the limits.
    """
    sample = example(context, _EXAMPLE)
    value, had_decimals, text = _parse(raw, context, sample)
    return _whole(value, had_decimals, text, sample)


def parse_number(raw: str, context: Context | None = None) -> int | float:
    """Reads a number that may have decimals ("1,5" or "1.5"); whole numbers come back as int.

    Args:
        raw: what the person typed.
        context: may carry ``min``, ``max``, ``unit`` and ``example`` (see
            :func:`parse_integer`).

    Returns:
        An int when the number is whole, else a float.

    Raises:
        InvalidValue: no number, several numbers, a negative number, another unit, or outside
            the limits.
    """
    value, _, _ = _parse(raw, context, example(context, _EXAMPLE))
    return _plain(value)


def check_integer(value: Decimal, context: Context | None = None) -> int:
    """Checks a number that is already typed (a stored value) as :func:`parse_integer` would."""
    sample = example(context, _EXAMPLE)
    return _whole(_typed(value, context, sample), False, str(value).replace(".", ","), sample)


def check_number(value: Decimal, context: Context | None = None) -> int | float:
    """Checks a number that is already typed (a stored value) as :func:`parse_number` would."""
    return _plain(_typed(value, context, example(context, _EXAMPLE)))
