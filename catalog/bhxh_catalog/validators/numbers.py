"""Plain numbers: counts of years, months, people ("12", "12 năm", "mười hai", "1,5")."""

from __future__ import annotations

from decimal import Decimal

from bhxh_catalog.validators._common import Context, clean, context_int, example, fail
from bhxh_catalog.validators._numbers import Token, read_numeral, read_word_number, tokenize
from bhxh_catalog.vntext import fold

__all__ = ["parse_integer", "parse_number"]

_INTEGER_EXAMPLE = "12"
_NUMBER_EXAMPLE = "12"


def _read(tokens: list[Token]) -> tuple[Decimal, bool] | None:
    """Reads the one number in *tokens*; returns (value, had decimals) or None."""
    numbers = [token for token in tokens if token.kind == "num"]
    if len(numbers) > 1:
        return None
    if numbers:
        numeral = read_numeral(numbers[0].text)
        return None if numeral is None else (numeral.value, numeral.decimal)
    words = [token.text if token.kind == "word" else "" for token in tokens]
    for index in range(len(words)):
        read = read_word_number(words, index)
        if read is not None:
            return Decimal(read[0]), False
    return None


def _limits(context: Context | None, value: Decimal, sample: str) -> None:
    low = context_int(context, "min")
    high = context_int(context, "max")
    if low is not None and value < low:
        raise fail(f"Số này cần từ {low} trở lên.", sample)
    if high is not None and value > high:
        raise fail(f"Số này không được lớn hơn {high}.", sample)


def _parse(raw: str, context: Context | None, sample: str) -> tuple[Decimal, bool, str]:
    text = clean(raw)
    if not text:
        raise fail("Ông/bà chưa nhập số.", sample)
    tokens = tokenize(fold(text))
    if tokens and tokens[0].text == "-":
        raise fail("Số này không thể là số âm.", sample)
    read = _read(tokens)
    if read is None:
        raise fail(f"Chưa đọc được số trong “{text}”. Ông/bà vui lòng nhập một số.", sample)
    value, had_decimals = read
    _limits(context, value, sample)
    return value, had_decimals, text


def parse_integer(raw: str, context: Context | None = None) -> int:
    """Reads a whole number; words after it ("12 năm") and number words ("mười hai") are fine.

    Args:
        raw: what the person typed.
        context: may carry ``min``, ``max`` and ``example``.

    Returns:
        The number.

    Raises:
        InvalidValue: no number, several numbers, a decimal, a negative number, or a number
            outside the limits.
    """
    sample = example(context, _INTEGER_EXAMPLE)
    value, had_decimals, text = _parse(raw, context, sample)
    if had_decimals or value != value.to_integral_value():
        raise fail(f"Ông/bà vui lòng nhập số nguyên (“{text}” có phần lẻ).", sample)
    return int(value)


def parse_number(raw: str, context: Context | None = None) -> int | float:
    """Reads a number that may have decimals ("1,5" or "1.5"); whole numbers come back as int.

    Args:
        raw: what the person typed.
        context: may carry ``min``, ``max`` and ``example``.

    Returns:
        An int when the number is whole, else a float.

    Raises:
        InvalidValue: no number, several numbers, a negative number, or outside the limits.
    """
    sample = example(context, _NUMBER_EXAMPLE)
    value, _, _ = _parse(raw, context, sample)
    if value == value.to_integral_value():
        return int(value)
    return float(value)
