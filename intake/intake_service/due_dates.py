"""When a dossier is due: its submission day plus the procedure's processing time.

The catalog gives the legal time limit in working days (Monday–Friday, without the office's
closed days: ``OFFICE_CLOSED_DAYS``) or in calendar days; a limit written as text has no due
date. The time a dossier spends waiting for the citizen ("Cần bổ sung thông tin") is not taken
off: the date is the one staff plan with, the law counts "kể từ ngày nhận đủ hồ sơ".

The list's "Quá hạn" filter needs the dossiers due before today in SQL: for each procedure the
day before which a submission is overdue (:meth:`DueDates.overdue_before`), as the due date
grows with the submission day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = ["FINISHED_STATUSES", "DueDates", "add_working_days"]

FINISHED_STATUSES = frozenset({"approved", "rejected", "result_sent"})
"""Dossiers in these statuses are never overdue."""
_LOOK_BACK_DAYS = 400


def add_working_days(start: date, days: int, closed: frozenset[date]) -> date:
    """The day ``days`` working days after ``start`` (weekends and ``closed`` skipped)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in closed:
            left -= 1
    return current


@dataclass(frozen=True)
class DueDates:
    """Due dates of the procedures of the catalog.

    Args:
        limits: procedure id → ``(working days, calendar days)`` (one of them set, or neither).
        closed: the office's closed days.
        today: the current local day.
    """

    limits: Callable[[str], tuple[int | None, int | None]]
    closed: frozenset[date] = frozenset()
    today: Callable[[], date] = field(default=date.today)

    def due(self, procedure_id: str, submitted: date) -> date | None:
        """The day a dossier submitted on ``submitted`` is due, or None without a limit."""
        working, calendar = self.limits(procedure_id)
        if working is not None:
            return add_working_days(submitted, working, self.closed)
        if calendar is not None:
            return submitted + timedelta(days=calendar)
        return None

    def is_overdue(self, procedure_id: str, submitted: date, status: str) -> bool:
        """Due before today and not finished."""
        due = self.due(procedure_id, submitted)
        return status not in FINISHED_STATUSES and due is not None and due < self.today()

    def overdue_before(self, procedure_id: str) -> date | None:
        """The first submission day that is not overdue today (earlier ones are), or None."""
        today = self.today()
        if self.due(procedure_id, today) is None:
            return None
        day = today
        for _ in range(_LOOK_BACK_DAYS):
            earlier = day - timedelta(days=1)
            due = self.due(procedure_id, earlier)
            if due is None or due < today:
                return day
            day = earlier
        return day
