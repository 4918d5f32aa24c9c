"""Dates as Vietnamese people write them: day first, Gregorian calendar.

Accepted: ``20/8/1960``, ``20-08-60``, ``20.08.1960``, ``20 8 1960``, ``20081960``,
``20 tháng 8 năm 1960``, ``ngay 20 thang 8 nam 1960``, ``mùng 5 tháng 8 năm 1960`` and ISO
``1960-08-20``. With ``day_optional`` in the context, a month and a four-digit year
(``03/2012``, ``tháng 3 năm 2012``, ``t8/2024``, ``th3/2012``, ``tháng 8 năm ngoái``) stand for
the first day of that month, and where the question only needs a before/after
(``context["year_alone"]``, a :class:`YearAlone`), a year alone (``2008``, ``từ năm 2008``) stands
for 1 January.

Two-digit years: of 19yy and 20yy, the latest one not after ``max_date`` (default: today) is
taken, so ``60`` is 1960 and ``05`` is 2005; with only ``min_date`` given, the earliest one not
before it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from bhxh_catalog.validators._common import (
    Context,
    clean,
    context_date,
    example,
    fail,
    today,
)
from bhxh_catalog.validators.errors import InvalidValue
from bhxh_catalog.vntext import fold

__all__ = [
    "DATE_PATTERNS",
    "DateParts",
    "YearAlone",
    "parse_date",
    "resolve_date",
    "try_resolve",
]

_EXAMPLE = "20/08/1960"
_MIN_YEAR = 1900
_MAX_YEAR = 2100

_YEAR = r"(?P<year>\d{4}|\d{2})"
DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(
        r"(?<!\d)(?P<day>\d{1,2})\s?(?P<sep>[/.\-])\s?(?P<month>\d{1,2})\s?(?P=sep)\s?"
        + _YEAR
        + r"(?!\d)"
    ),
    re.compile(
        r"(?:\b(?:ngay|mung|mong)\s*)?(?<!\d)(?P<day>\d{1,2})\s*(?:thang|thg|th)\s*"
        r"(?P<month>\d{1,2})\s*(?:,\s*)?(?:nam|/)?\s*" + _YEAR + r"(?!\d)"
    ),
)
"""Patterns over folded text that find a full date; used by the validator and the extractor."""

_SPACED = re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>\d{1,2})\s+" + _YEAR + "$")
_PACKED = re.compile(r"^(?P<day>\d{2})(?P<month>\d{2})(?P<year>\d{4})$")
_MONTH_YEAR = re.compile(
    r"(?:\b(?:thang|thg|th|t)\s*)?(?<![\d/.\-])(?P<month>\d{1,2})\s*(?:[/.\-]|nam|\s)\s*"
    r"(?P<year>\d{4})(?![\d/.\-])"
)
_RELATIVE_MONTH = re.compile(
    r"\b(?:thang|thg|th|t)\s*(?P<month>\d{1,2})\s*(?:nam\s*)?"
    r"(?P<when>nay|ngoai|truoc|kia|roi)\b"
)
_YEARS_AGO = {"nay": 0, "ngoai": 1, "truoc": 1, "roi": 1, "kia": 2}
"""Folded "năm nay / năm ngoái / năm trước / năm rồi / năm kia" → years before this one."""
_DAY_MONTH_RELATIVE = re.compile(
    r"(?<![\d/.\-])(?P<day>\d{1,2})\s*(?:/|-|\.|thang)\s*(?P<month>\d{1,2})\s*(?:nam\s*)?"
    r"(?P<when>nay|ngoai|truoc|kia)\b"
)
_DAYS_AGO = re.compile(r"\bhom\s*(?P<when>nay|qua|kia)\b")
_DAYS_BACK = {"nay": 0, "qua": 1, "kia": 2}
_MONTHS_AGO = re.compile(r"\bthang\s*(?P<when>nay|truoc|roi)\b")
_MONTHS_BACK = {"nay": 0, "truoc": 1, "roi": 1}
_AGES = re.compile(r"\d+\s*tuoi\b")
"""An age beside the date ("hưởng thọ 78 tuổi") is not a second date."""
_YEAR_ONLY = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})(?!\d)")
_LUNAR = re.compile(r"\bam\s*lich\b|\bal\b")


@dataclass(frozen=True, slots=True)
class YearAlone:
    """When a year alone ("2008", "từ năm 2008", "1950") answers a date question.

    Many questions only need to know on which side of a date an answer falls (before or from
    01/7/2025, at least 12 months ago, past the retirement age). A year that lies wholly on one
    side of every such date is enough; it is read as 1 January of that year.

    Attributes:
        cutoffs: fixed dates that decide the verdict.
        months_before_today: month counts compared with today ("12 months ago").
        ages: ``(youngest, oldest)`` ages in years where the verdict may change (retirement
            ages); a birth year clearly outside this span is enough.
    """

    cutoffs: tuple[date, ...] = ()
    months_before_today: tuple[int, ...] = ()
    ages: tuple[int, int] | None = None

    def accepts(self, year: int, today: date) -> bool:
        """True when every date of ``year`` gives the same verdict."""
        start, end = date(year, 1, 1), date(year, 12, 31)
        cutoffs = [*self.cutoffs, *(_months_before(today, n) for n in self.months_before_today)]
        if any(start < cutoff <= end for cutoff in cutoffs):
            return False
        if self.ages is not None:
            youngest, oldest = self.ages
            return today.year - year > oldest or today.year - year < youngest
        return True


def _months_before(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class DateParts:
    """Day, month and year as typed (the year may have two digits)."""

    day: int
    month: int
    year_text: str


def _candidate_years(year_text: str) -> list[int]:
    if len(year_text) == 4:
        return [int(year_text)]
    short = int(year_text)
    return [1900 + short, 2000 + short]


def _pick_year(parts: DateParts, context: Context | None) -> int:
    candidates = _candidate_years(parts.year_text)
    if len(candidates) == 1:
        return candidates[0]
    max_date = context_date(context, "max_date")
    min_date = context_date(context, "min_date")
    if min_date is not None and max_date is None:
        later = [year for year in candidates if year >= min_date.year]
        return later[0] if later else candidates[-1]
    limit = (max_date or today(context)).year
    earlier = [year for year in candidates if year <= limit]
    return earlier[-1] if earlier else candidates[0]


def resolve_date(parts: DateParts, context: Context | None = None) -> date:
    """Turns typed day/month/year into a date and checks it exists and is within limits.

    Args:
        parts: the numbers as typed.
        context: may carry ``min_date``, ``max_date``, ``today`` and ``example``.

    Raises:
        InvalidValue: impossible day or month, a year out of range, or outside the limits.
    """
    sample = example(context, _EXAMPLE)
    year = _pick_year(parts, context)
    day, month = parts.day, parts.month
    shown = f"{day:02d}/{month:02d}/{year}"
    if not 1 <= month <= 12:
        hint = ""
        if 1 <= day <= 12 and 1 <= month <= 31:
            hint = f" Có phải ông/bà muốn nhập {month:02d}/{day:02d}/{year}?"
        raise fail(
            f"Ngày {shown} không đúng: tháng chỉ từ 1 đến 12. Ngày viết trước, rồi đến "
            f"tháng, rồi năm.{hint}",
            sample,
        )
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise fail(f"Năm {year} không hợp lệ. Ông/bà vui lòng nhập năm đủ 4 chữ số.", sample)
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise fail(
            f"Ngày {shown} không có thật: tháng {month} năm {year} chỉ có {days_in_month} ngày.",
            sample,
        )
    value = date(year, month, day)
    max_date = context_date(context, "max_date")
    min_date = context_date(context, "min_date")
    if max_date is not None and value > max_date:
        raise fail(
            f"Ngày {shown} không thể sau ngày {max_date:%d/%m/%Y}. Ông/bà vui lòng kiểm tra lại.",
            sample,
        )
    if min_date is not None and value < min_date:
        raise fail(
            f"Ngày {shown} không thể trước ngày {min_date:%d/%m/%Y}. Ông/bà vui lòng kiểm tra "
            "lại.",
            sample,
        )
    return value


def _find_parts(
    folded: str, day_optional: bool, context: Context | None = None
) -> tuple[DateParts, str] | None:
    """Finds one full date in folded text; returns it and the text left around it."""
    for pattern in (*DATE_PATTERNS, _SPACED, _PACKED):
        match = pattern.search(folded)
        if match is not None:
            parts = DateParts(int(match["day"]), int(match["month"]), match["year"])
            leftover = folded[: match.start()] + " " + folded[match.end() :]
            return parts, leftover
    relative = _relative_day(folded, context)
    if relative is not None or not day_optional:
        return relative
    back = _MONTHS_AGO.search(folded)
    if back is not None and not re.search(r"\d", folded):
        index = today(context).year * 12 + today(context).month - 1 - _MONTHS_BACK[back["when"]]
        return DateParts(1, index % 12 + 1, str(index // 12)), _around(folded, back)
    month = _MONTH_YEAR.search(folded)
    if month is not None:
        return DateParts(1, int(month["month"]), month["year"]), _around(folded, month)
    in_year = _RELATIVE_MONTH.search(folded)
    if in_year is not None:
        year = today(context).year - _YEARS_AGO[in_year["when"]]
        return DateParts(1, int(in_year["month"]), str(year)), _around(folded, in_year)
    return None


def _relative_day(folded: str, context: Context | None) -> tuple[DateParts, str] | None:
    """"hôm qua", "hôm nay", "15/3 năm nay", "ngày 5 tháng 6 năm ngoái"."""
    now = today(context)
    match = _DAY_MONTH_RELATIVE.search(folded)
    if match is not None:
        year = now.year - _YEARS_AGO[match["when"]]
        return DateParts(int(match["day"]), int(match["month"]), str(year)), _around(folded, match)
    ago = _DAYS_AGO.search(folded)
    if ago is not None and not re.search(r"\d", folded):
        day = date.fromordinal(now.toordinal() - _DAYS_BACK[ago["when"]])
        return DateParts(day.day, day.month, str(day.year)), _around(folded, ago)
    return None


def _around(folded: str, match: re.Match[str]) -> str:
    return folded[: match.start()] + " " + folded[match.end() :]


def _year_alone(folded: str, context: Context | None) -> date | None:
    """Reads "2008" / "từ năm 2008" as 1 January when the question only needs the year."""
    rule = context.get("year_alone") if context is not None else None
    if not isinstance(rule, YearAlone):
        return None
    years = _YEAR_ONLY.findall(folded)
    if len(years) != 1 or len(re.findall(r"\d+", folded)) != 1:
        return None
    year = int(years[0])
    return date(year, 1, 1) if rule.accepts(year, today(context)) else None


def parse_date(raw: str, context: Context | None = None) -> date:
    """Reads a date, day first.

    Args:
        raw: what the person typed.
        context: may carry ``min_date`` / ``max_date`` (e.g. today for a birth date),
            ``today``, ``example`` and ``day_optional`` (accept a month and year alone,
            "03/2012", as the first day of the month).

    Returns:
        The date.

    Raises:
        InvalidValue: no full date, a lunar date, an impossible date (31/02), or a date
            outside the limits.
    """
    sample = example(context, _EXAMPLE)
    text = clean(raw)
    if not text:
        raise fail("Ông/bà chưa nhập ngày.", sample)
    folded = fold(text)
    if _LUNAR.search(folded):
        raise fail("Ông/bà vui lòng nhập ngày theo dương lịch (ngày ghi trên giấy tờ).", sample)
    day_optional = context is not None and context.get("day_optional") is True
    found = _find_parts(folded.strip(" .!"), day_optional, context)
    if found is None:
        year_only = _year_alone(folded, context)
        if year_only is not None:
            return resolve_date(DateParts(1, 1, str(year_only.year)), context)
        years = _YEAR_ONLY.findall(folded)
        if len(years) == 1 and len(re.findall(r"\d+", folded)) == 1:
            needed = "tháng và năm" if day_optional else "ngày, tháng, năm"
            raise fail(
                f"Chỉ có năm {years[0]} thì chưa đủ để xét. Ông/bà vui lòng nhập {needed}.",
                f"03/{years[0]}" if day_optional else sample,
            )
        wanted = "ngày, tháng, năm (hoặc tháng và năm)" if day_optional else "đủ ngày, tháng, năm"
        raise fail(f"Chưa đọc được ngày “{text}”. Ông/bà vui lòng nhập {wanted}.", sample)
    parts, leftover = found
    if re.search(r"\d", _AGES.sub(" ", leftover)):
        raise fail(
            f"Chưa đọc được ngày “{text}”. Ông/bà vui lòng chỉ nhập một ngày, đủ ngày, tháng, "
            "năm.",
            sample,
        )
    return resolve_date(parts, context)


def try_resolve(parts: DateParts, context: Context | None = None) -> date | None:
    """Like :func:`resolve_date` but returns None instead of raising."""
    try:
        return resolve_date(parts, context)
    except InvalidValue:
        return None
