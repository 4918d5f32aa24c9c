import pytest

from bhxh_catalog.validators import InvalidValue, parse_integer, parse_number


@pytest.mark.parametrize(
    ("typed", "value"),
    [("12", 12), ("12 năm", 12), ("khoảng 15 năm", 15), ("mười hai", 12),
     ("hai mươi lăm năm", 25), ("ba mươi mốt", 31), ("1.500", 1500)],
)
def test_integers(typed, value):
    assert parse_integer(typed) == value


def test_integer_refuses_decimals_and_negatives():
    with pytest.raises(InvalidValue, match="số nguyên"):
        parse_integer("1,5")
    with pytest.raises(InvalidValue, match="âm"):
        parse_integer("-3")


def test_integer_limits():
    with pytest.raises(InvalidValue, match="40"):
        parse_integer("45", {"max": 40})
    with pytest.raises(InvalidValue, match=r"Ví dụ: 3\."):
        parse_integer("0", {"min": 1, "example": "3"})


@pytest.mark.parametrize("typed", ["", "abc", "1 và 2"])
def test_integer_needs_one_number(typed):
    with pytest.raises(InvalidValue, match=r"Ví dụ: 12\."):
        parse_integer(typed)


def test_number_keeps_decimals_and_returns_int_when_whole():
    assert parse_number("1,5") == 1.5
    assert parse_number("2.5 năm") == 2.5
    assert parse_number("12") == 12 and isinstance(parse_number("12"), int)


def test_after_ten_five_is_lam_so_muoi_nam_is_ten_years():
    assert parse_integer("mười năm") == 10
    assert parse_integer("hai mươi năm") == 20
    assert parse_integer("mười lăm năm") == 15


def test_an_answer_in_another_unit_is_refused():
    people = {"unit": "người", "example": "3"}
    assert parse_integer("3 người", people) == 3
    with pytest.raises(InvalidValue, match=r"số người .*“3 năm”"):
        parse_integer("3 năm", people)


YEARS = {"unit": "năm", "min": 0, "max": 60}
MONTHS = {"unit": "tháng", "min": 0, "max": 600}


@pytest.mark.parametrize(
    ("typed", "months"),
    [("10 năm 8 tháng", 128), ("10n8t", 128), ("128 tháng", 128), ("hơn 11 năm", 132),
     ("mười năm rưỡi", 126), ("21 năm 6 tháng", 258), ("tôi đóng được 10 nam 8 thang", 128)],
)
def test_a_duration_is_read_whole_in_the_unit_asked(typed, months):
    """"10 năm 8 tháng" once came out as 8: the lump sum was 19,5 triệu instead of 149,5."""
    assert parse_number(typed, YEARS) == pytest.approx(months / 12)
    assert parse_integer(typed, MONTHS) == months


def test_a_plain_number_keeps_the_unit_of_the_question():
    assert parse_number("12", YEARS) == 12
    assert parse_number("mười hai", YEARS) == 12
    assert parse_integer("64", MONTHS) == 64


def test_a_duration_beyond_the_limit_is_refused():
    with pytest.raises(InvalidValue, match="60 năm"):
        parse_number("70 năm 2 tháng", YEARS)


def test_both_limits_are_shown_with_the_unit():
    with pytest.raises(InvalidValue, match="từ 0 năm đến 60 năm"):
        parse_number("75", {"min": 0, "max": 60, "unit": "năm"})
    with pytest.raises(InvalidValue, match="từ 1,5 trở lên"):
        parse_number("1", {"min": 1.5})
