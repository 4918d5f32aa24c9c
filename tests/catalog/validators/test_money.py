import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhxh_catalog.formatting import format_money
from bhxh_catalog.validators import InvalidValue, parse_money


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,5 triệu", 1_500_000),
        ("1.5 triệu", 1_500_000),
        ("1.500.000đ", 1_500_000),
        ("1500000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("2tr", 2_000_000),
        ("2 tr 5", 2_500_000),
        ("2tr5", 2_500_000),
        ("1tr250", 1_250_000),
        ("500k", 500_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("1,2 tỷ", 1_200_000_000),
        ("1 tỷ 200 triệu", 1_200_000_000),
        ("1.500.000 đồng", 1_500_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("VND 1.500.000", 1_500_000),
        ("2 triệu rưỡi", 2_500_000),
        ("2 trieu ruoi", 2_500_000),
        ("hai triệu mốt", 2_100_000),
        ("năm trăm nghìn", 500_000),
        ("5 trăm nghìn", 500_000),
        ("mười triệu", 10_000_000),
        ("tầm 5 triệu", 5_000_000),
        ("tám triệu", 8_000_000),
        ("3tr2/tháng", 3_200_000),
        ("2 triệu một tháng", 2_000_000),
        ("10 củ", 10_000_000),
        ("1tr500k", 1_500_000),
        ("1.500.000 ₫", 1_500_000),
        ("0", 0),
    ],
)
def test_amounts_as_people_type_them(typed, amount):
    assert parse_money(typed) == amount


def test_small_bare_number_asks_for_the_unit():
    with pytest.raises(InvalidValue) as error:
        parse_money("500")
    assert "đơn vị" in error.value.message
    assert "Ví dụ: 500 nghìn." in error.value.message


@pytest.mark.parametrize("typed", ["abc", "", "k", "2 triệu 2020", "1,5 đồng"])
def test_unreadable_amounts_get_an_example(typed):
    with pytest.raises(InvalidValue) as error:
        parse_money(typed)
    assert "Ví dụ" in error.value.message


def test_negative_amount_is_refused():
    with pytest.raises(InvalidValue, match="âm"):
        parse_money("-500000")


def test_limits_from_the_context():
    with pytest.raises(InvalidValue, match=r"1\.500\.000"):
        parse_money("1 triệu", {"min": 1_500_000})
    with pytest.raises(InvalidValue, match=r"46\.800\.000"):
        parse_money("50 triệu", {"max": 46_800_000})


@given(st.integers(min_value=0, max_value=10**12))
def test_formatted_amounts_parse_back(amount):
    assert parse_money(format_money(amount)) == amount
    assert parse_money(f"{amount:,}".replace(",", ".") + " đồng") == amount


@given(st.integers(min_value=1_000, max_value=10**12))
def test_bare_digits_parse_back(amount):
    assert parse_money(str(amount)) == amount


def test_both_limits_are_shown_in_dong():
    with pytest.raises(InvalidValue, match=r"từ 1\.500\.000 đồng đến 46\.800\.000 đồng"):
        parse_money("50 triệu", {"min": 1_500_000, "max": 46_800_000})
