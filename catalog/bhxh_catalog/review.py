"""The alarm for stale facts: what must be reviewed soon, and figures missing for a date.

Every parameter value and every rule carries ``review_by``, the date until which it is known to
hold (a rule takes its procedure's). :func:`due_for_review` lists, for a day, the facts whose
review date is past or within :data:`REVIEW_HORIZON_DAYS`, and the parameter values that end
within that horizon. :func:`missing_parameters` names every parameter an amount of the catalog
reads that has no value on that day: an estimate would fail, so ``bin/catalog check`` fails and
so does the test suite.

Past ``review_by`` the bot still answers, and adds one line inviting the citizen to confirm with
BHXH (``Estimate.stale``, ``Verdict.stale``); a figure is never extrapolated silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bhxh_catalog._fmt import dmy, group_thousands
from bhxh_catalog.amounts import FORMULAS
from bhxh_catalog.errors import ParameterError
from bhxh_catalog.models import Catalog, Parameter, ParameterValue, Procedure

__all__ = ["REVIEW_HORIZON_DAYS", "ReviewItem", "due_for_review", "missing_parameters"]

REVIEW_HORIZON_DAYS = 60
"""How far ahead ``bin/catalog check`` looks for review dates and ends of validity."""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One fact to review.

    Attributes:
        what: the fact, in Vietnamese ("Mức tham chiếu = 2.530.000 đ (từ 01/07/2026)").
        due: the review date, or the last day of validity.
        overdue: the date is already past on the day of the check.
        reason: why it is listed, in Vietnamese.
    """

    what: str
    due: date
    overdue: bool
    reason: str

    def __str__(self) -> str:
        mark = "QUÁ HẠN" if self.overdue else "sắp đến hạn"
        return f"[{mark}] {self.what}: {self.reason}"


def due_for_review(
    catalog: Catalog, today: date, horizon_days: int = REVIEW_HORIZON_DAYS
) -> list[ReviewItem]:
    """The facts to review on ``today``, the most urgent first.

    Parameter values that ended before ``today`` are history and are not listed.
    """
    horizon = today + timedelta(days=horizon_days)
    items: list[ReviewItem] = []
    for parameter in catalog.parameters.values():
        for value in parameter.values:
            if value.effective_to is not None and value.effective_to < today:
                continue
            items.extend(_parameter_items(parameter, value, today, horizon))
    for proc in catalog.procedures.values():
        items.extend(_rule_items(proc, today, horizon))
    return sorted(items, key=lambda item: (item.due, item.what))


def missing_parameters(catalog: Catalog, today: date) -> list[str]:
    """``procedure / amount: parameter`` for each parameter an amount reads with no value today."""
    missing: list[str] = []
    for proc in catalog.procedures.values():
        for amount in proc.amounts:
            formula = FORMULAS.get(amount.formula)
            for name in formula.parameters if formula else ():
                try:
                    catalog.parameter_value(name, today)
                except ParameterError:
                    missing.append(f"{proc.id} / {amount.id}: {name}")
    return missing


def _parameter_items(
    parameter: Parameter, value: ParameterValue, today: date, horizon: date
) -> list[ReviewItem]:
    what = (f"{parameter.label} = {group_thousands(value.value)} đ "
            f"(từ {dmy(value.effective_from)})")
    items: list[ReviewItem] = []
    end = value.effective_to
    if end is not None and today <= end <= horizon:
        follower = next((v for v in parameter.values if v.effective_from > end), None)
        then = (f"; giá trị tiếp theo {group_thousands(follower.value)} đ từ "
                f"{dmy(follower.effective_from)}" if follower else "; CHƯA có giá trị tiếp theo")
        items.append(ReviewItem(what, end, False, f"hết hiệu lực ngày {dmy(end)}{then}"))
    review = value.review_by
    if review is not None and review <= horizon and review != end:
        items.append(ReviewItem(what, review, review < today,
                                f"rà soát trước ngày {dmy(review)}"))
    return items


def _rule_items(proc: Procedure, today: date, horizon: date) -> list[ReviewItem]:
    by_date: dict[date, list[str]] = {}
    for rule in proc.rules:
        if rule.review_by is not None and rule.review_by <= horizon:
            by_date.setdefault(rule.review_by, []).append(rule.id)
    return [
        ReviewItem(f"Quy tắc của thủ tục {proc.id} ({len(ids)} quy tắc)", due, due < today,
                   f"rà soát trước ngày {dmy(due)}")
        for due, ids in sorted(by_date.items())
    ]
