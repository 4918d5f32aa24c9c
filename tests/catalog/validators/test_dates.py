from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhxh_catalog.validators import InvalidValue, parse_date
from bhxh_catalog.validators.dates import YearAlone

TODAY = {"today": date(2026, 1, 1)}
BIRTH = date(1960, 8, 20)


@pytest.mark.parametrize(
    "typed",
    [
        "20/8/1960",
        "20/08/1960",
        "20-08-60",
        "20.08.1960",
        "20 8 1960",
        "20081960",
        "20 tháng 8 năm 1960",
        "ngày 20 tháng 8 năm 1960",
        "ngay 20 thang 8 nam 1960",
        "20 thg 8 1960",
        "1960-08-20",
        "Sinh ngày 20/08/1960 ạ",
        "20 / 8 / 1960",
    ],
)
def test_common_date_forms(typed):
    assert parse_date(typed, TODAY) == BIRTH


def test_mung_prefix():
    assert parse_date("mùng 5 tháng 8 năm 1960", TODAY) == date(1960, 8, 5)


def test_two_digit_years_are_not_in_the_future_by_default():
    assert parse_date("01/01/25", TODAY) == date(2025, 1, 1)
    assert parse_date("01/01/27", TODAY) == date(1927, 1, 1)


def test_two_digit_years_follow_max_date():
    assert parse_date("01/01/05", {"max_date": date(2000, 1, 1)}) == date(1905, 1, 1)


def test_two_digit_years_follow_min_date():
    assert parse_date("01/01/30", {**TODAY, "min_date": date(2025, 1, 1)}) == date(2030, 1, 1)


def test_impossible_day_is_explained():
    with pytest.raises(InvalidValue) as error:
        parse_date("31/02/1960")
    assert "31/02/1960" in error.value.message
    assert "29 ngày" in error.value.message
    with pytest.raises(InvalidValue, match="28 ngày"):
        parse_date("29/02/1961")


def test_month_first_input_gets_a_suggestion():
    with pytest.raises(InvalidValue) as error:
        parse_date("08/20/1960")
    assert "20/08/1960" in error.value.message


@pytest.mark.parametrize("typed", ["8/1960", "tháng 8 năm 1960", "1960", ""])
def test_incomplete_dates_ask_for_day_month_year(typed):
    with pytest.raises(InvalidValue) as error:
        parse_date(typed)
    assert "Ví dụ: 20/08/1960." in error.value.message


def test_lunar_dates_are_refused():
    with pytest.raises(InvalidValue, match="dương lịch"):
        parse_date("20/8/1960 âm lịch")


def test_two_dates_are_refused():
    with pytest.raises(InvalidValue, match="một ngày"):
        parse_date("20/8/1960 hoặc 21/8/1960")


def test_limits_are_enforced():
    with pytest.raises(InvalidValue, match="01/01/2026"):
        parse_date("02/01/2026", {"max_date": date(2026, 1, 1)})
    with pytest.raises(InvalidValue, match="01/07/2025"):
        parse_date("30/06/2025", {"min_date": date(2025, 7, 1)})


def test_catalog_example_replaces_the_default_example():
    with pytest.raises(InvalidValue, match=r"Ví dụ: 01/07/2025\."):
        parse_date("abc", {"example": "01/07/2025"})


@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    form=st.sampled_from(
        ["{d}/{m}/{y}", "{d:02d}-{m:02d}-{y}", "{d}.{m}.{y}", "ngày {d} tháng {m} năm {y}",
         "{y}-{m:02d}-{d:02d}", "{d:02d}{m:02d}{y}"]
    ),
)
def test_any_date_in_any_form_round_trips(day, form):
    typed = form.format(d=day.day, m=day.month, y=day.year)
    assert parse_date(typed) == day


@pytest.mark.parametrize("typed", ["03/2012", "3-2012", "tháng 3 năm 2012", "thang 03/2012"])
def test_month_and_year_alone_when_the_day_is_optional(typed):
    assert parse_date(typed, {"day_optional": True}) == date(2012, 3, 1)


def test_day_optional_still_refuses_a_month_that_does_not_exist():
    with pytest.raises(InvalidValue, match="tháng chỉ từ 1 đến 12"):
        parse_date("13/2012", {"day_optional": True})


NOW = {"today": date(2026, 12, 7), "day_optional": True}


@pytest.mark.parametrize(
    ("typed", "value"),
    [("t8/2024", date(2024, 8, 1)), ("th3/2012", date(2012, 3, 1)),
     ("tôi nghỉ từ tháng 8/2024", date(2024, 8, 1)),
     ("tháng 8 năm ngoái", date(2025, 8, 1)), ("thang 3 nam nay", date(2026, 3, 1)),
     ("tháng 5 năm kia", date(2024, 5, 1)), ("mẹ cháu mới mất hôm qua", date(2026, 12, 6)),
     ("ông mất hôm 15/3 năm nay", date(2026, 3, 15)),
     ("bị dừng từ tháng trước", date(2026, 11, 1))],
)
def test_months_as_people_write_them(typed, value):
    assert parse_date(typed, NOW) == value


def test_a_year_alone_is_enough_when_only_a_before_or_after_matters():
    before_the_new_law = {**NOW, "year_alone": YearAlone(cutoffs=(date(2025, 7, 1),))}
    assert parse_date("2008", before_the_new_law) == date(2008, 1, 1)
    assert parse_date("từ năm 2008", before_the_new_law) == date(2008, 1, 1)
    with pytest.raises(InvalidValue, match="Chỉ có năm 2025 thì chưa đủ"):
        parse_date("2025", before_the_new_law)


def test_a_birth_year_alone_is_enough_far_from_the_retirement_age():
    birth = {**NOW, "year_alone": YearAlone(ages=(50, 63))}
    assert parse_date("1950", birth) == date(1950, 1, 1)
    with pytest.raises(InvalidValue, match="chưa đủ"):
        parse_date("1966", birth)


def test_without_a_rule_a_year_alone_asks_for_more():
    with pytest.raises(InvalidValue, match="Chỉ có năm 2008 thì chưa đủ"):
        parse_date("2008", NOW)
