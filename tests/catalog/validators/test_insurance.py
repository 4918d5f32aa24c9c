import pytest

from bhxh_catalog.validators import (
    InvalidValue,
    bhxh_code_of_card,
    parse_bhxh_code,
    parse_bhyt_card,
)


@pytest.mark.parametrize("typed", ["7912345678", "79 1234 5678", "791-234-5678", "791.234.5678"])
def test_bhxh_code_is_ten_digits(typed):
    assert parse_bhxh_code(typed) == "7912345678"


@pytest.mark.parametrize("typed", ["791234567", "79123456789"])
def test_bhxh_code_with_wrong_length_says_how_many(typed):
    with pytest.raises(InvalidValue) as error:
        parse_bhxh_code(typed)
    assert f"{len(typed)} chữ số" in error.value.message
    assert "Ví dụ" in error.value.message


def test_bhyt_card_typed_as_bhxh_code_offers_its_last_ten_digits():
    with pytest.raises(InvalidValue) as error:
        parse_bhxh_code("GD4797912345678")
    assert "thẻ BHYT" in error.value.message
    assert "Ví dụ: 7912345678." in error.value.message


def test_bhxh_code_with_letters_is_refused():
    with pytest.raises(InvalidValue, match="chữ cái"):
        parse_bhxh_code("79123456ab")


@pytest.mark.parametrize(
    "typed", ["GD4797912345678", "gd4797912345678", "GD 4 79 7912345678", "gd-479-7912345678"]
)
def test_bhyt_card_is_upper_cased_and_compacted(typed):
    assert parse_bhyt_card(typed) == "GD4797912345678"
    assert bhxh_code_of_card(parse_bhyt_card(typed)) == "7912345678"


def test_bhxh_code_typed_as_bhyt_card_is_explained():
    with pytest.raises(InvalidValue, match="mã số BHXH"):
        parse_bhyt_card("7912345678")


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("GD479791234567", "15 ký tự"),
        ("G14797912345678", "chữ cái"),
        ("GD6797912345678", "mức hưởng"),
        ("GD479791234567O", "chữ O"),
    ],
)
def test_bhyt_card_errors_name_the_wrong_part(typed, hint):
    with pytest.raises(InvalidValue) as error:
        parse_bhyt_card(typed)
    assert hint in error.value.message
    assert "Ví dụ: GD4797912345678." in error.value.message
