"""Office hours with public holidays and days off (``OFFICE_CLOSED_DAYS``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from intake_service.office_hours import (
    OfficeHoursError,
    describe_moment,
    parse_closed_days,
    parse_office_hours,
)

from .handoff_support import MONDAY_9AM, build_app_client, open_handoff

WEEKDAYS = "Mon-Fri 07:30-11:30,13:30-17:00"
VN = timezone(timedelta(hours=7))


def test_closed_days_are_dates_and_ranges():
    closed = parse_closed_days("2027-02-05..2027-02-07, 2027-04-30;2027-05-01")
    assert closed == {
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 4, 30), date(2027, 5, 1)
    }
    assert parse_closed_days("") == frozenset()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2027-02-30", "Ngày không hợp lệ trong OFFICE_CLOSED_DAYS: “2027-02-30”"),
        ("30/04/2027", "viết YYYY-MM-DD"),
        ("2027-02-11..2027-02-05", "Khoảng ngày ngược"),
        ("2027-01-01..2027-12-31", "Khoảng nghỉ quá dài"),
    ],
)
def test_a_closed_day_that_cannot_be_read_says_why_in_vietnamese(text, words):
    with pytest.raises(OfficeHoursError, match=words):
        parse_closed_days(text)


def test_on_a_holiday_the_office_is_closed_and_opens_after_it():
    # Tết 2027 as an office might write it (the dates are the office's, not computed here)
    hours = parse_office_hours(WEEKDAYS, closed_days="2027-02-05..2027-02-11")
    thursday_9am = datetime(2027, 2, 4, 9, 0, tzinfo=VN)
    friday_9am = datetime(2027, 2, 5, 9, 0, tzinfo=VN)
    assert hours.is_open(thursday_9am)
    assert not hours.is_open(friday_9am)
    opening = hours.next_opening(friday_9am)
    assert opening is not None
    assert describe_moment(opening, hours.tz) == "07:30 thứ Sáu, 12/02"


def test_an_always_open_office_still_closes_on_its_closed_days():
    hours = parse_office_hours("always", closed_days="2027-09-02")
    holiday = datetime(2027, 9, 2, 10, 0, tzinfo=VN)
    assert not hours.is_open(holiday)
    assert hours.next_opening(holiday) == datetime(2027, 9, 3, 0, 0, tzinfo=hours.tz)
    assert hours.is_open(holiday + timedelta(days=1))


def test_a_handoff_on_a_closed_day_offers_a_call_back(tmp_path: Path, database_url: str) -> None:
    monday = MONDAY_9AM.astimezone(VN).date().isoformat()
    with build_app_client(
        tmp_path, database_url, clock=lambda: MONDAY_9AM, OFFICE_CLOSED_DAYS=monday
    ) as api:
        created: dict[str, Any] = open_handoff(api)
    assert created["office_open"] is False
    assert "để lại số điện thoại" in created["message"]
    assert "07:30 thứ Ba, 24/11" in created["message"]
