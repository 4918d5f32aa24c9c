"""Office hours of the hotline staff who answer handoffs (``OFFICE_HOURS``).

The format is one or more groups separated by ``;``, each a set of days and a list of time
ranges: ``Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30``. Days are ``Mon Tue Wed Thu Fri
Sat Sun``, as a range (``Mon-Fri``) or a list (``Mon,Wed``). ``always`` (or ``24/7``) means the
office never closes. Times are local to ``OFFICE_TIMEZONE`` (default ``Asia/Ho_Chi_Minh``).

Public holidays and other closed days (Tết, 30/4–1/5, 2/9, a provincial office's own days off)
change every year and Tết follows the lunar calendar, so they are not computed: the office lists
them in ``OFFICE_CLOSED_DAYS`` as dates and date ranges, e.g.
``2027-02-05..2027-02-11, 2027-04-30, 2027-05-01``. On those days the office is closed at every
hour, and the next opening skips them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "OfficeHours",
    "OfficeHoursError",
    "describe_moment",
    "parse_closed_days",
    "parse_office_hours",
]

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
# The same names inside a sentence ("07:30 thứ Hai").
DAY_NAMES_INLINE = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
ALWAYS = frozenset({"always", "24/7"})
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
MAX_CLOSED_RUN_DAYS = 62
"""The longest run of closed days the next opening looks past (a Tết break is about 9 days)."""
# Vietnam has no daylight saving time: a fixed offset is a faithful fallback.
_VIETNAM = timezone(timedelta(hours=7), "ICT")

Span = tuple[time, time]


class OfficeHoursError(ValueError):
    """``OFFICE_HOURS`` or ``OFFICE_TIMEZONE`` cannot be read; the message says why."""


@dataclass(frozen=True)
class OfficeHours:
    """When staff are at their desks.

    Attributes:
        spans: the opening time ranges of each weekday (0 = Monday), in order.
        tz: the office's time zone.
        always_open: no closing time at all.
        closed: local dates on which the office is closed (public holidays, days off).
    """

    spans: tuple[tuple[Span, ...], ...]
    tz: tzinfo
    always_open: bool = False
    closed: frozenset[date] = frozenset()

    def is_open(self, at: datetime) -> bool:
        """Whether the office is open at an instant (aware datetime)."""
        local = at.astimezone(self.tz)
        if local.date() in self.closed:
            return False
        if self.always_open:
            return True
        moment = local.time()
        return any(start <= moment < end for start, end in self.spans[local.weekday()])

    def next_opening(self, at: datetime) -> datetime | None:
        """The next instant the office opens after ``at`` (None if it never opens)."""
        local = at.astimezone(self.tz)
        if self.always_open and local.date() not in self.closed:
            return at
        for offset in range(MAX_CLOSED_RUN_DAYS + 8):
            day = (local + timedelta(days=offset)).date()
            if day in self.closed:
                continue
            if self.always_open:
                return datetime.combine(day, time(0, 0), self.tz)
            for start, _end in self.spans[day.weekday()]:
                candidate = datetime.combine(day, start, self.tz)
                if candidate > local:
                    return candidate
        return None

    def describe(self) -> str:
        """The hours in Vietnamese: ``Thứ Hai–Thứ Sáu: 07:30–11:30, 13:30–17:00``."""
        if self.always_open:
            return "cả ngày, mọi ngày trong tuần"
        groups: list[tuple[list[int], tuple[Span, ...]]] = []
        for weekday, spans in enumerate(self.spans):
            if not spans:
                continue
            if groups and groups[-1][1] == spans and groups[-1][0][-1] == weekday - 1:
                groups[-1][0].append(weekday)
            else:
                groups.append(([weekday], spans))
        parts = []
        for days, spans in groups:
            names = DAY_NAMES[days[0]]
            if len(days) > 1:
                names += f"–{DAY_NAMES[days[-1]]}"
            hours = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in spans)
            parts.append(f"{names}: {hours}")
        return "; ".join(parts) or "không có giờ làm việc"


def describe_moment(moment: datetime, tz: tzinfo) -> str:
    """An instant as people say it: ``07:30 thứ Hai, 24/11``."""
    local = moment.astimezone(tz)
    return f"{local:%H:%M} {DAY_NAMES_INLINE[local.weekday()]}, {local:%d/%m}"


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Asia/Ho_Chi_Minh":
            return _VIETNAM
        raise OfficeHoursError(f"OFFICE_TIMEZONE không hợp lệ: “{name}”.") from None


def _days(text: str) -> list[int]:
    days: list[int] = []
    for item in text.lower().split(","):
        first, _, last = item.strip().partition("-")
        if first not in DAY_CODES or (last and last not in DAY_CODES):
            raise OfficeHoursError(f"Ngày không hợp lệ trong OFFICE_HOURS: “{item.strip()}”.")
        start = DAY_CODES.index(first)
        end = DAY_CODES.index(last) if last else start
        if end < start:
            raise OfficeHoursError(f"Khoảng ngày ngược trong OFFICE_HOURS: “{item.strip()}”.")
        days.extend(range(start, end + 1))
    return days


def _spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for item in text.split(","):
        match = _RANGE.match(item.strip())
        if not match:
            raise OfficeHoursError(f"Giờ không hợp lệ trong OFFICE_HOURS: “{item.strip()}”.")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise OfficeHoursError(f"Giờ không hợp lệ trong OFFICE_HOURS: “{item.strip()}”.")
        start = time(h1, m1)
        end = time.max if h2 == 24 else time(h2, m2)
        if end <= start:
            raise OfficeHoursError(f"Giờ kết thúc phải sau giờ bắt đầu: “{item.strip()}”.")
        spans.append((start, end))
    return spans


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise OfficeHoursError(
            f"Ngày không hợp lệ trong OFFICE_CLOSED_DAYS: “{text.strip()}” (viết YYYY-MM-DD)."
        ) from None


def parse_closed_days(text: str) -> frozenset[date]:
    """Reads ``OFFICE_CLOSED_DAYS``: dates and ranges, ``2027-02-05..2027-02-11, 2027-04-30``.

    Raises:
        OfficeHoursError: a date cannot be read, or a range ends before it starts.
    """
    closed: set[date] = set()
    for item in filter(None, (part.strip() for part in text.replace(";", ",").split(","))):
        first_text, dots, last_text = item.partition("..")
        first = _day(first_text)
        last = _day(last_text) if dots else first
        if last < first:
            raise OfficeHoursError(f"Khoảng ngày ngược trong OFFICE_CLOSED_DAYS: “{item}”.")
        if (last - first).days > MAX_CLOSED_RUN_DAYS:
            raise OfficeHoursError(
                f"Khoảng nghỉ quá dài trong OFFICE_CLOSED_DAYS: “{item}” "
                f"(tối đa {MAX_CLOSED_RUN_DAYS} ngày liền)."
            )
        closed.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return frozenset(closed)


def parse_office_hours(
    text: str, tz_name: str = "Asia/Ho_Chi_Minh", closed_days: str = ""
) -> OfficeHours:
    """Reads ``OFFICE_HOURS`` (and ``OFFICE_CLOSED_DAYS``).

    Args:
        text: e.g. ``Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30`` or ``always``.
        tz_name: the IANA time zone the times are written in.
        closed_days: the office's closed days (:func:`parse_closed_days`); empty: none.

    Raises:
        OfficeHoursError: the text or the time zone cannot be read (message in Vietnamese).
    """
    tz = _zone(tz_name)
    closed = parse_closed_days(closed_days)
    if text.strip().lower() in ALWAYS:
        return OfficeHours(spans=((),) * 7, tz=tz, always_open=True, closed=closed)
    table: list[list[Span]] = [[] for _ in range(7)]
    for group in filter(None, (g.strip() for g in text.split(";"))):
        days, _, times = group.partition(" ")
        if not times.strip():
            raise OfficeHoursError(f"Thiếu giờ trong OFFICE_HOURS: “{group}”.")
        spans = _spans(times.replace(" ", ""))
        for day in _days(days):
            table[day].extend(spans)
    if not any(table):
        raise OfficeHoursError("OFFICE_HOURS trống: ghi ví dụ “Mon-Fri 07:30-11:30,13:30-17:00”.")
    return OfficeHours(spans=tuple(tuple(sorted(day)) for day in table), tz=tz, closed=closed)
