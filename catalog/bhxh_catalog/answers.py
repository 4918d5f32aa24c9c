"""Reading answers as they arrive from a chat ("co", "12", "01/07/2025", "1,5 triệu").

Each question kind has one reader; it accepts the already-typed value too, so reading twice is
harmless. Every failure raises :class:`~bhxh_catalog.errors.AnswerError` with a short Vietnamese
message and one example.

Answer value types: ``yes_no`` → bool, ``choice`` → option value (str), ``number`` → int or
float, ``integer`` → int, ``money`` → int VND, ``date`` → ``datetime.date``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from bhxh_catalog._fmt import decimal, vnd
from bhxh_catalog.errors import AnswerError
from bhxh_catalog.vntext import fold, tokens

__all__ = ["KINDS", "AnswerSpec", "read_answer"]

KINDS = ("yes_no", "choice", "number", "integer", "money", "date")

_YES = frozenset({"co", "yes", "y", "dung", "phai", "roi", "true", "ok", "vang", "da", "uh", "u"})
_NO = frozenset({"khong", "ko", "k", "kg", "kh", "no", "n", "chua", "false", "sai"})
_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*(.*)", re.ASCII)
_MONEY = re.compile(r"(\d+(?:[.,]\d+)*)(trieu|tr|nghin|ngan|k|ty)?(\d*)", re.ASCII)
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", re.ASCII)
_MULTIPLIERS = {
    "trieu": 10**6, "tr": 10**6, "nghin": 10**3, "ngan": 10**3, "k": 10**3, "ty": 10**9,
}
_CURRENCY = ("vnd", "dong", "d")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII)
_MY = re.compile(r"(\d{1,2})[/.-](\d{4})", re.ASCII)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_WORDS = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})", re.ASCII)


@dataclass(frozen=True, slots=True)
class AnswerSpec:
    """What a reader needs to know about a question.

    Attributes:
        id: question id (reported in errors).
        kind: one of :data:`KINDS`.
        options: ``(value, label)`` pairs of a choice.
        unit: the unit a number may be followed by ("năm").
        minimum: smallest accepted number / amount.
        maximum: largest accepted number / amount.
    """

    id: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None


def read_answer(spec: AnswerSpec, raw: object) -> object:
    """Reads one answer for its question kind.

    Args:
        spec: the question's kind, options, unit and bounds.
        raw: the answer as typed, or an already-typed value.

    Returns:
        The typed value (see the module docstring).

    Raises:
        AnswerError: the answer cannot be read or is out of bounds.
    """
    readers = {
        "yes_no": _read_yes_no,
        "choice": _read_choice,
        "number": _read_number,
        "integer": _read_integer,
        "money": _read_money,
        "date": _read_date,
    }
    reader = readers.get(spec.kind)
    if reader is None:
        raise AnswerError(f"Không đọc được câu trả lời dạng '{spec.kind}'.", spec.id)
    value = reader(spec, raw)
    _check_bounds(spec, value)
    return value


def _read_yes_no(spec: AnswerSpec, raw: object) -> object:
    if isinstance(raw, bool):
        return raw
    words = tokens(raw) if isinstance(raw, str) else []
    if words and words[0] in _YES:
        return True
    if words and words[0] in _NO:
        return False
    raise AnswerError("Xin trả lời “có” hoặc “không”.", spec.id)


def _read_choice(spec: AnswerSpec, raw: object) -> object:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise _choice_error(spec)
    text = str(raw).strip()
    values = [value for value, _ in spec.options]
    if text in values:
        return text
    folded = fold(text)
    for value, label in spec.options:
        if folded in (fold(value), fold(label)):
            return value
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(values):
        return values[int(text) - 1]
    partial = [value for value, label in spec.options if _names_part_of(text, label)]
    if len(partial) == 1:
        return partial[0]
    raise _choice_error(spec)


def _names_part_of(answer: str, label: str) -> bool:
    """True when the answer's words appear together in the label ("định cư" in "Ra … định cư").

    One short word ("có", "nam") is not enough, to avoid matching by accident.
    """
    words = tokens(answer)
    if not words or (len(words) == 1 and len(words[0]) < 4):
        return False
    label_words = tokens(label)
    size = len(words)
    return any(label_words[i : i + size] == words for i in range(len(label_words) - size + 1))


def _choice_error(spec: AnswerSpec) -> AnswerError:
    labels = "; ".join(f"{index}. {label}" for index, (_, label) in enumerate(spec.options, 1))
    return AnswerError(f"Xin chọn một trong các mục: {labels}.", spec.id)


def _read_number(spec: AnswerSpec, raw: object) -> object:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        match = _NUMBER.fullmatch(fold(raw).strip())
        unit = fold(spec.unit or "")
        if match and match.group(2).strip() in ("", unit):
            number = float(match.group(1).replace(",", "."))
            return int(number) if number.is_integer() else number
    example = f"12 {spec.unit}" if spec.unit else "12"
    raise AnswerError(f"Xin nhập một số, ví dụ: {example}.", spec.id)


def _read_integer(spec: AnswerSpec, raw: object) -> object:
    try:
        number = _read_number(spec, raw)
    except AnswerError:
        number = None
    if isinstance(number, int) or (isinstance(number, float) and number.is_integer()):
        return int(number)
    raise AnswerError("Xin nhập một số nguyên, ví dụ: 3.", spec.id)


def _read_money(spec: AnswerSpec, raw: object) -> object:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    amount = _parse_money(raw) if isinstance(raw, str) else None
    if amount is None:
        raise AnswerError("Xin nhập số tiền, ví dụ: 1.500.000 hoặc 1,5 triệu.", spec.id)
    return amount


def _parse_money(raw: str) -> int | None:
    text = fold(raw).replace(" ", "").rstrip(".")
    for suffix in _CURRENCY:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    match = _MONEY.fullmatch(text)
    if not match:
        return None
    number, unit, tail = match.groups()
    if unit is None:
        plain = number.isascii() and (number.isdigit() or _GROUPED.fullmatch(number))
        return int(number.replace(".", "").replace(",", "")) if plain and not tail else None
    if number.count(".") + number.count(",") > 1 or (tail and not number.isdigit()):
        return None
    value = Fraction(number.replace(",", "."))
    if tail:
        value += Fraction(int(tail), 10 ** len(tail))
    return round(value * _MULTIPLIERS[unit])


def _read_date(spec: AnswerSpec, raw: object) -> object:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    day = _parse_date(fold(raw).strip()) if isinstance(raw, str) else None
    if day is None:
        raise AnswerError(
            "Xin nhập ngày theo dạng ngày/tháng/năm, ví dụ: 01/07/2025.", spec.id
        )
    return day


def _parse_date(text: str) -> date | None:
    parts: Sequence[str] | None = None
    if match := _ISO.fullmatch(text):
        parts = (match.group(3), match.group(2), match.group(1))
    elif match := _DMY.fullmatch(text) or _WORDS.fullmatch(text):
        parts = match.groups()
    elif match := _MY.fullmatch(text):
        parts = ("1", *match.groups())
    if parts is None:
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def _check_bounds(spec: AnswerSpec, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    low, high = spec.minimum, spec.maximum
    if (low is None or value >= low) and (high is None or value <= high):
        return
    raise AnswerError(f"Xin nhập {_bounds_text(spec)}.", spec.id)


def _bounds_text(spec: AnswerSpec) -> str:
    def show(number: float) -> str:
        if spec.kind == "money":
            return vnd(int(number))
        return decimal(number) + (f" {spec.unit}" if spec.unit else "")

    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None:
        return f"một giá trị từ {show(low)} đến {show(high)}"
    if low is not None:
        return f"một giá trị từ {show(low)} trở lên"
    assert high is not None
    return f"một giá trị không quá {show(high)}"
