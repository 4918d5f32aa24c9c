import pytest

from bhxh_catalog.validators.durations import describe_months, find_duration


@pytest.mark.parametrize(
    ("typed", "months"),
    [("10 năm 8 tháng", 128), ("10n8t", 128), ("10n 8t", 128), ("10 nam 8 thang", 128),
     ("128 tháng", 128), ("8t", 8), ("1 năm rưỡi", 18), ("1,5 năm", 18), ("mười năm", 120),
     ("mười lăm năm", 180), ("năm năm", 60), ("21 năm 6 tháng", 258)],
)
def test_durations_as_citizens_type_them(typed, months):
    duration = find_duration(typed)
    assert duration is not None and duration.months == months


def test_approximations_are_flagged():
    duration = find_duration("hơn 11 năm")
    assert duration is not None and duration.months == 132 and duration.approximate
    exact = find_duration("11 năm")
    assert exact is not None and not exact.approximate


@pytest.mark.parametrize("typed", ["12", "đóng từ năm 2012 đến năm 2024", "t8/2024", ""])
def test_no_unit_no_duration(typed):
    assert find_duration(typed) is None


def test_months_are_read_back_in_years_and_months():
    assert describe_months(128) == "10 năm 8 tháng (128 tháng)"
    assert describe_months(120) == "10 năm (120 tháng)"
    assert describe_months(8) == "8 tháng"
