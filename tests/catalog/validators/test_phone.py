import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhxh_catalog.validators import InvalidValue, carrier_of, parse_phone
from bhxh_catalog.validators.phone import MOBILE_PREFIXES


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912.345.678",
        "0912 345 678",
        "091-234-5678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "0084912345678",
        "(+84) 912 345 678",
        "+84 0912 345 678",
        "912345678",
    ],
)
def test_phone_forms_normalise_to_ten_digits(typed):
    assert parse_phone(typed) == "0912345678"


@pytest.mark.parametrize(
    ("number", "network"),
    [
        ("0961234567", "Viettel"),
        ("0321234567", "Viettel"),
        ("0881234567", "VinaPhone"),
        ("0831234567", "VinaPhone"),
        ("0901234567", "MobiFone"),
        ("0771234567", "MobiFone"),
        ("0921234567", "Vietnamobile"),
        ("0521234567", "Vietnamobile"),
        ("0991234567", "Gmobile"),
        ("0871234567", "iTel"),
        ("0551234567", "Reddi"),
    ],
)
def test_every_network_is_accepted(number, network):
    assert parse_phone(number) == number
    assert carrier_of(number) == network


def test_old_eleven_digit_number_is_explained():
    with pytest.raises(InvalidValue) as error:
        parse_phone("0168 123 4567")
    assert "2018" in error.value.message and "10 chữ số" in error.value.message


def test_landline_is_refused_with_a_reason():
    with pytest.raises(InvalidValue, match="máy bàn"):
        parse_phone("024 3825 1234")


def test_unknown_prefix_is_named():
    with pytest.raises(InvalidValue, match="095"):
        parse_phone("0951234567")


@pytest.mark.parametrize("typed", ["09123456", "091234567890", "abc", "09l2345678", ""])
def test_bad_phone_numbers_get_an_example(typed):
    with pytest.raises(InvalidValue) as error:
        parse_phone(typed)
    assert "Ví dụ: 0912345678." in error.value.message


_separator = st.sampled_from(["", "", "", " ", ".", "-"])


@given(
    prefix=st.sampled_from(sorted(MOBILE_PREFIXES)),
    rest=st.text(alphabet="0123456789", min_size=7, max_size=7),
    country=st.sampled_from(["0", "+84", "84", "+84 0", "0084"]),
    separators=st.lists(_separator, min_size=9, max_size=9),
)
def test_any_mobile_number_with_random_separators_parses_to_itself(
    prefix, rest, country, separators
):
    number = prefix + rest
    body = number[1:]
    typed = country + "".join(digit + sep for digit, sep in zip(body, separators, strict=True))
    assert parse_phone(typed) == number
