from datetime import date, datetime

from bhxh_catalog.formatting import (
    format_date,
    format_date_long,
    format_datetime,
    format_money,
    format_number,
)


def test_money_uses_dots_and_the_dong_sign_after_a_plain_space():
    assert format_money(1_500_000) == "1.500.000 ₫"
    assert format_money(0) == "0 ₫"
    assert format_money(2_340_000) == "2.340.000 ₫"


def test_numbers():
    assert format_number(1_500_000) == "1.500.000"
    assert format_number(1.5) == "1,5"


def test_dates():
    assert format_date(date(1960, 8, 20)) == "20/08/1960"
    assert format_date_long(date(1960, 8, 20)) == "ngày 20 tháng 8 năm 1960"
    assert format_datetime(datetime(2025, 8, 20, 14, 30)) == "14:30 ngày 20/08/2025"
