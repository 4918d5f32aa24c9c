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
