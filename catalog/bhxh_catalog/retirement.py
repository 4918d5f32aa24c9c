"""Retirement age by year (``retirement_ages.yaml``) and the day a person reaches it.

The retirement age in normal working conditions rises year by year (Bộ luật Lao động 2019
Điều 169 khoản 2, lộ trình of Nghị định 135/2020/NĐ-CP): men 60 years 3 months in 2021, three
months more each year up to 62 in 2028; women 55 years 4 months in 2021, four months more each
year up to 60 in 2035. The catalog keeps that table as data, one row per calendar year and gender.

A person reaches the retirement age in the first year Y in which ``birth date + age(Y)`` falls
in Y, and has the right from that very day (:meth:`RetirementSchedule.retirement_date`). The first
row's age holds for every earlier year too and the last row's for every later year. The schema
check makes sure the rows are consecutive years and that the age never falls nor rises by a year
or more from one year to the next, so that first year always exists.

Example::

    schedule = catalog.retirement_ages.get("nam")
    schedule.age_in(2026).describe()                       # "61 tuổi 6 tháng"
    schedule.retirement_date(date(1964, 10, 15))           # date(2026, 4, 15): 61 tuổi 6 tháng
    schedule.has_reached(date(1964, 10, 15), date(2026, 3, 20))  # False
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bhxh_catalog._fmt import dmy
from bhxh_catalog.errors import CatalogError, ParameterError

if TYPE_CHECKING:
    from bhxh_catalog.models import LegalBasis

__all__ = [
    "GENDERS",
    "GENDER_LABELS",
    "PLACEHOLDER_PREFIX",
    "RetirementAge",
    "RetirementAges",
    "RetirementSchedule",
    "add_months",
    "placeholder_gender",
]

GENDERS = ("nam", "nu")
"""The keys of ``retirement_ages.yaml``; also the fixed ``gender`` of a condition."""
GENDER_LABELS = {"nam": "nam", "nu": "nữ"}
PLACEHOLDER_PREFIX = "tuoi_nghi_huu_"
"""A text cites the current retirement age as ``{tuoi_nghi_huu_nam}`` / ``{tuoi_nghi_huu_nu}``."""
_PLACEHOLDER = re.compile(rf"{PLACEHOLDER_PREFIX}({'|'.join(GENDERS)})")


@dataclass(frozen=True, slots=True)
class RetirementAge:
    """The retirement age of one calendar year: ``years`` and ``months`` (0–11)."""

    year: int
    years: int
    months: int
    note: str | None = None

    @property
    def total_months(self) -> int:
        """The age in months: 61 years 6 months → 738."""
        return self.years * 12 + self.months

    def describe(self) -> str:
        """``61 tuổi 6 tháng``, or ``62 tuổi`` when there are no months."""
        return f"{self.years} tuổi {self.months} tháng" if self.months else f"{self.years} tuổi"


@dataclass(frozen=True, slots=True)
class RetirementSchedule:
    """The retirement age of one gender, year by year.

    Attributes:
        gender: ``nam`` or ``nu``.
        label: who the table is for, in Vietnamese.
        ages: one row per calendar year, consecutive, oldest first (checked by the schema).
        effective_from: the first evaluation date the table answers for.
        effective_to: the last one (None: still in force).
        legal_basis: the references of the table.
        verified: False when the table is not confirmed against the official text.
        note: optional free text.
    """

    gender: str
    label: str
    ages: tuple[RetirementAge, ...]
    effective_from: date
    effective_to: date | None = None
    legal_basis: tuple[LegalBasis, ...] = ()
    verified: bool = True
    note: str | None = None

    def age_in(self, year: int) -> RetirementAge:
        """The age of ``year``: the first row before the table, the last row after it."""
        for row in self.ages:
            if row.year >= year:
                return row
        return self.ages[-1]

    def retirement_date(self, birth: date) -> date:
        """The day a person born on ``birth`` reaches the retirement age.

        It is ``birth + age(Y)`` for the first year Y in which that day falls in Y (or earlier, for
        the first row, whose age also holds for the years before the table).
        """
        for row in self.ages:
            reached = add_months(birth, row.total_months)
            if reached.year <= row.year:
                return reached
        return add_months(birth, self.ages[-1].total_months)

    def covers(self, on: date) -> bool:
        """Tells whether the table answers for an evaluation on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def has_reached(self, birth: date, as_of: date) -> bool:
        """Tells whether a person born on ``birth`` has reached the retirement age on ``as_of``.

        Raises:
            ParameterError: the table does not answer for ``as_of`` (outside its effective dates).
        """
        if not self.covers(as_of):
            raise ParameterError(
                f"Bảng tuổi nghỉ hưu của {GENDER_LABELS[self.gender]} (retirement_ages.yaml) "
                f"không áp dụng cho ngày {dmy(as_of)}; cần bổ sung hoặc sửa ngày hiệu lực."
            )
        return self.retirement_date(birth) <= as_of


@dataclass(frozen=True, slots=True)
class RetirementAges:
    """The tables of ``retirement_ages.yaml``, one per gender (empty when the file is absent)."""

    schedules: tuple[RetirementSchedule, ...] = ()

    @property
    def genders(self) -> tuple[str, ...]:
        """The genders that have a table."""
        return tuple(schedule.gender for schedule in self.schedules)

    def get(self, gender: str) -> RetirementSchedule:
        """The table of ``gender`` (``nam`` or ``nu``).

        Raises:
            CatalogError: no table for that gender.
        """
        for schedule in self.schedules:
            if schedule.gender == gender:
                return schedule
        raise CatalogError(f"Chưa có bảng tuổi nghỉ hưu cho giới tính '{gender}' "
                           "trong retirement_ages.yaml.")

    def cite(self, name: str, as_of: date) -> str | None:
        """Fills ``{tuoi_nghi_huu_nam}`` / ``{tuoi_nghi_huu_nu}``: the age of ``as_of``'s year.

        Returns:
            ``61 tuổi 6 tháng``; None when ``name`` is not such a placeholder, the gender has no
            table, or the table does not answer for ``as_of``.
        """
        gender = placeholder_gender(name)
        schedule = next((s for s in self.schedules if s.gender == gender), None)
        if schedule is None or not schedule.covers(as_of):
            return None
        return schedule.age_in(as_of.year).describe()


def placeholder_gender(name: str) -> str | None:
    """``tuoi_nghi_huu_nam`` → ``nam``; None for any other name."""
    match = _PLACEHOLDER.fullmatch(name)
    return match.group(1) if match else None


def add_months(start: date, months: int) -> date:
    """The day ``months`` whole months after ``start``.

    When that month is too short for the day, it is the first day of the month after, the first
    day on which :func:`bhxh_catalog.conditions.months_between` counts ``months`` (31/08/1964 +
    735 months → 01/12/2025).
    """
    years, month_index = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month_index + 1
    if start.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, start.day)
    return date(year, month + 1, 1)  # never December: it has 31 days
