"""Reading answers as they arrive from a chat ("co", "12", "01/07/2025", "1,5 triệu").

Every kind is read by the shared validators (:func:`bhxh_catalog.validators.validate`), so an
eligibility question and a form field read the same text the same way and refuse it with the
same message. Already-typed values are accepted too, so reading twice is harmless. Every failure
raises :class:`~bhxh_catalog.errors.AnswerError` with the validator's short Vietnamese message,
which ends with one example.

Answer value types: ``yes_no`` → bool, ``choice`` → option value (str), ``number`` → int or
float, ``integer`` → int, ``money`` → int VND, ``date`` → ``datetime.date`` (a month and year
alone, "03/2012", is the first day of that month).
"""

from __future__ import annotations

from dataclasses import dataclass

from bhxh_catalog._fmt import decimal
from bhxh_catalog.errors import AnswerError
from bhxh_catalog.validators import InvalidValue, Option, validate
from bhxh_catalog.validators.dates import YearAlone

__all__ = ["KINDS", "AnswerSpec", "read_answer"]

KINDS = ("yes_no", "choice", "number", "integer", "money", "date")

_EXAMPLES = {"money": "1.500.000 đồng hoặc 1,5 triệu", "date": "01/07/2025"}
_NUMBER_EXAMPLE = 12


@dataclass(frozen=True, slots=True)
class AnswerSpec:
    """What a reader needs to know about a question.

    Attributes:
        id: question id (reported in errors).
        kind: one of :data:`KINDS`.
        options: the options of a choice (value, label and the aliases citizens type).
        unit: the unit a number may be followed by ("năm").
        minimum: smallest accepted number / amount.
        maximum: largest accepted number / amount.
        year_alone: for a date question, when a year alone is enough (see
            :class:`~bhxh_catalog.validators.dates.YearAlone`).
    """

    id: str
    kind: str
    options: tuple[Option, ...] = ()
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    year_alone: YearAlone | None = None


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
    if spec.kind not in KINDS:
        raise AnswerError(f"Không đọc được câu trả lời dạng '{spec.kind}'.", spec.id)
    try:
        return validate(spec.kind, raw, _context(spec))
    except InvalidValue as error:
        raise AnswerError(error.message, spec.id) from error


def _context(spec: AnswerSpec) -> dict[str, object]:
    """The validators' context for a question: options, bounds, unit and the example."""
    context: dict[str, object] = {
        "options": list(spec.options),
        "min": spec.minimum,
        "max": spec.maximum,
        "unit": spec.unit,
        "day_optional": True,
    }
    if spec.year_alone is not None:
        context["year_alone"] = spec.year_alone
    example = _EXAMPLES.get(spec.kind)
    if spec.kind in ("number", "integer"):
        example = _number_example(spec)
    if example is not None:
        context["example"] = example
    return context


def _number_example(spec: AnswerSpec) -> str:
    """``12 năm``, or the nearest bound when 12 is out of bounds (``10 người``)."""
    number: float = _NUMBER_EXAMPLE
    if spec.maximum is not None:
        number = min(number, spec.maximum)
    if spec.minimum is not None:
        number = max(number, spec.minimum)
    return f"{decimal(number)} {spec.unit or ''}".rstrip()
