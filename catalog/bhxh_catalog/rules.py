"""Eligibility: evaluates a procedure's rules on a citizen's answers at a given date.

Rules are evaluated in file order, skipping those not in force on ``as_of``. The first rule whose
condition is true decides. A rule whose condition is unknown stops the evaluation: the verdict is
``incomplete`` with the next question to ask. When every rule is false, the default decides once
every question that applies has been answered.

Example::

    verdict = evaluate(proc, {"ly_do": "dinh_cu"}, date(2026, 1, 1))
    if verdict.outcome == "incomplete":
        ask(verdict.next_question)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bhxh_catalog import config
from bhxh_catalog.conditions import Context
from bhxh_catalog.conditions import evaluate as evaluate_condition
from bhxh_catalog.models import (
    DefaultOutcome,
    Document,
    FieldDef,
    Procedure,
    Question,
    Rule,
    Verdict,
)

__all__ = [
    "INCOMPLETE_REASON",
    "Verdict",
    "documents_for",
    "evaluate",
    "fields_for",
    "questions_to_ask",
]

INCOMPLETE_REASON = "Cần thêm thông tin để xác định ông/bà có đủ điều kiện hay không."


def evaluate(
    proc: Procedure, answers: Mapping[str, object], as_of: date | None = None
) -> Verdict:
    """Decides eligibility for a procedure.

    Args:
        proc: the procedure.
        answers: answers by question id; strings from a chat are read per question kind
            ("co", "12", "01/07/2025"); unknown keys are ignored by the rules.
        as_of: the evaluation date (default: today); rules out of force on it are skipped.

    Returns:
        The verdict; ``next_question`` is set when the outcome is ``incomplete``.

    Raises:
        AnswerError: an answer cannot be read for its question kind.
    """
    day = as_of or config.today()
    values = proc.read_answers(answers)
    ctx = proc.context(values, day)
    for rule in proc.rules:
        if not rule.applies_on(day):
            continue
        truth = evaluate_condition(rule.when, ctx)
        if truth is True:
            return _decided(rule, values, rule.stale_on(day))
        if truth is None and (question := _next_question(proc, ctx)) is not None:
            return _incomplete(question, values)
    question = _next_question(proc, ctx)
    if question is not None:
        return _incomplete(question, values)
    return _decided(proc.eligibility.default, values)


def questions_to_ask(
    proc: Procedure, answers: Mapping[str, object], as_of: date | None = None
) -> list[Question]:
    """The questions still to ask, in order (see :meth:`Procedure.questions_to_ask`)."""
    return proc.questions_to_ask(answers, as_of)


def documents_for(
    proc: Procedure, answers: Mapping[str, object], as_of: date | None = None
) -> list[Document]:
    """The documents needed for these answers (see :meth:`Procedure.documents_for`)."""
    return proc.documents_for(answers, as_of)


def fields_for(
    proc: Procedure, answers: Mapping[str, object], as_of: date | None = None
) -> list[FieldDef]:
    """The submission fields to collect (see :meth:`Procedure.fields_for`)."""
    return proc.fields_for(answers, as_of)


def _next_question(proc: Procedure, ctx: Context) -> Question | None:
    return next(
        (q for q in proc.questions if q.id not in ctx.skipped and not ctx.has_answer(q.id)),
        None,
    )


def _decided(
    source: Rule | DefaultOutcome, values: dict[str, object], stale: bool = False
) -> Verdict:
    """The verdict of the matching rule, or of the default when no rule matched."""
    return Verdict(
        outcome=source.outcome,
        reason=source.reason,
        rule_id=source.id if isinstance(source, Rule) else None,
        legal_basis=list(source.legal_basis),
        alternatives=list(source.alternatives),
        unverified=not source.verified or any(not ref.verified for ref in source.legal_basis),
        answers=values,
        stale=stale,
    )


def _incomplete(question: Question, values: dict[str, object]) -> Verdict:
    return Verdict(
        outcome="incomplete", reason=INCOMPLETE_REASON, next_question=question, answers=values
    )
