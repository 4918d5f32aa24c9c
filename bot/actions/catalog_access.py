"""The one seam between the actions and the procedure catalog (``bhxh_catalog``).

Everything the actions need from the catalog goes through here: looking procedures up, reading
and storing answers, verdicts, document checklists, amount inputs and estimates, and the money and
date formats. Answers are kept in slots as JSON values (dates as ISO strings); the catalog reads
them back per question kind. The shared validators (``bhxh_catalog.validators``: reading field
values, finding values in a sentence, masking) are reached here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bhxh_catalog import (
    AmountDef,
    AnswerError,
    Catalog,
    CatalogError,
    Document,
    Estimate,
    EstimateError,
    FieldDef,
    LegalBasis,
    ParameterError,
    Procedure,
    Question,
    SubmissionChannel,
    Verdict,
    estimate,
    evaluate,
    load_catalog,
)
from bhxh_catalog.amounts import FORMULAS
from bhxh_catalog.conditions import evaluate as evaluate_condition
from bhxh_catalog.models import CATEGORY_LABELS
from bhxh_catalog.validators import (
    InvalidValue,
    ProvinceMatch,
    extract_values,
    mask_field,
    plain_value,
    validate,
)
from bot.actions import clock

__all__ = [
    "AmountDef",
    "AnswerError",
    "CatalogError",
    "ChecklistItem",
    "Document",
    "Estimate",
    "EstimateError",
    "FieldDef",
    "InvalidValue",
    "LegalBasis",
    "ParameterError",
    "Procedure",
    "ProvinceMatch",
    "Question",
    "SubmissionChannel",
    "Verdict",
    "all_procedures",
    "catalog",
    "categories",
    "checklist",
    "estimate_amount",
    "evaluate_condition",
    "extract_values",
    "format_date",
    "format_money",
    "input_is_optional",
    "mask_field",
    "next_amount_input",
    "next_question",
    "plain_value",
    "procedure",
    "procedures_in",
    "read_answer",
    "shown",
    "stored",
    "validate",
    "verdict",
]


@dataclass(frozen=True)
class ChecklistItem:
    """A document of the checklist; ``conditional`` when it depends on answers not given yet."""

    document: Document
    conditional: bool


def catalog() -> Catalog:
    """The loaded catalog (read once per process by ``bhxh_catalog``)."""
    return load_catalog()


def shown(text: str, as_of: date | None = None) -> str:
    """A catalog text as the citizen reads it: the parameters it cites filled in (default: today).

    ``"Mức tham chiếu hiện là {muc_tham_chieu}"`` → ``"Mức tham chiếu hiện là 2.340.000 đồng"``.
    """
    return catalog().text(text, as_of or clock.today())


def procedure(procedure_id: object) -> Procedure | None:
    """Returns the procedure with this id, or None for an unknown or empty id."""
    if not isinstance(procedure_id, str) or not procedure_id:
        return None
    return catalog().procedures.get(procedure_id)


def all_procedures() -> list[Procedure]:
    """Every procedure, grouped by category (in the catalog's category order)."""
    ranks = {category: rank for rank, category in enumerate(CATEGORY_LABELS)}
    procedures = list(catalog().procedures.values())
    return sorted(procedures, key=lambda proc: ranks.get(proc.category, len(ranks)))


def categories() -> list[tuple[str, str]]:
    """``(category id, Vietnamese label)`` of the categories that have procedures, in order."""
    seen: dict[str, str] = {}
    for proc in all_procedures():
        seen.setdefault(proc.category, proc.category_label)
    return list(seen.items())


def procedures_in(category: str) -> list[Procedure]:
    """The procedures of a category, in catalog order."""
    return catalog().by_category(category)


def read_answer(question: Question, raw: object) -> object:
    """Reads a chat answer for a question ("có", "12 năm", "01/07/2025").

    Raises:
        AnswerError: unreadable answer; the message is Vietnamese and shows an example.
    """
    return question.read(raw)


def stored(value: object) -> object:
    """The JSON form of a read answer, as kept in a slot (dates become ISO strings)."""
    return value.isoformat() if isinstance(value, date) else value


def verdict(proc: Procedure, answers: Mapping[str, object], as_of: date) -> Verdict:
    """The eligibility verdict for the answers given so far."""
    return evaluate(proc, answers, as_of)


def next_question(proc: Procedure, answers: Mapping[str, object], as_of: date) -> Question | None:
    """The next eligibility question to ask, or None when the verdict is decided."""
    result = verdict(proc, answers, as_of)
    return None if result.is_final else result.next_question


def checklist(
    proc: Procedure, answers: Mapping[str, object], as_of: date
) -> list[ChecklistItem]:
    """The documents needed for these answers; those still depending on answers are marked."""
    values = proc.read_answers(answers)
    context = proc.context(values, as_of, include_fields=True)
    return [
        ChecklistItem(
            document,
            document.required_if is not None
            and evaluate_condition(document.required_if, context) is None,
        )
        for document in proc.documents_for(answers, as_of)
    ]


def input_is_optional(amount: AmountDef, question: Question) -> bool:
    """Tells whether the amount's formula can do without this input (the citizen may skip it)."""
    formula = FORMULAS.get(amount.formula)
    return formula is not None and question.id in formula.optional


def next_amount_input(
    proc: Procedure,
    amount: AmountDef,
    inputs: Mapping[str, object],
    answers: Mapping[str, object],
    as_of: date,
) -> Question | None:
    """The next input of an estimate to ask: not given nor skipped, and its ``ask_if`` not false.

    Args:
        proc: the procedure.
        amount: the amount definition.
        inputs: inputs given so far by id (``None`` = skipped by the citizen).
        answers: the citizen's eligibility answers for this procedure (``ask_if`` may use them).
        as_of: the evaluation date.
    """
    given = {key: value for key, value in inputs.items() if value is not None}
    values = {**proc.read_answers(answers), **given}
    context = proc.context(values, as_of)
    for question in amount.inputs:
        if question.id in inputs:
            continue
        if question.ask_if is not None and evaluate_condition(question.ask_if, context) is False:
            continue
        return question
    return None


def estimate_amount(
    proc: Procedure, amount: AmountDef, inputs: Mapping[str, object], as_of: date
) -> Estimate:
    """Estimates an amount from the inputs given (skipped inputs are left out).

    Raises:
        AnswerError: an input cannot be read.
        EstimateError: an input is missing or outside the legal range.
        ParameterError: a dated parameter has no value for ``as_of``.
    """
    given = {key: value for key, value in inputs.items() if value is not None}
    return estimate(catalog(), proc.id, amount.id, given, as_of)


def format_money(amount: int) -> str:
    """``1500000 → "1.500.000 ₫"``."""
    try:
        from bhxh_catalog.formatting import format_money as catalog_format_money
    except ImportError:
        return f"{amount:,} ₫".replace(",", ".")
    return str(catalog_format_money(amount))


def format_date(day: date) -> str:
    """``date(2025, 7, 1) → "01/07/2025"``."""
    try:
        from bhxh_catalog.formatting import format_date as catalog_format_date
    except ImportError:
        return day.strftime("%d/%m/%Y")
    return str(catalog_format_date(day))
