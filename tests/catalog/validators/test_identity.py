from datetime import date

import pytest

from bhxh_catalog.validators import (
    CMND_NOTICE,
    InvalidValue,
    describe_cccd,
    parse_cccd,
    parse_cmnd,
)

TODAY = {"today": date(2026, 1, 1)}


@pytest.mark.parametrize(
    "typed",
    ["056160001234", "056 160 001 234", "056.160.001.234", "056-160-001-234", " 0561 6000 1234 "],
)
def test_cccd_accepts_separators_and_returns_12_digits(typed):
    assert parse_cccd(typed) == "056160001234"


def test_cccd_with_11_digits_says_how_many_were_typed():
    with pytest.raises(InvalidValue) as error:
        parse_cccd("05616000123")
    assert "12 chữ số" in error.value.message
    assert "11 chữ số" in error.value.message
    assert "Ví dụ: 056160001234." in error.value.message


def test_cccd_with_9_digits_explains_cmnd_is_no_longer_valid():
    with pytest.raises(InvalidValue) as error:
        parse_cccd("225123456")
    assert "CMND" in error.value.message
    assert "01/01/2025" in error.value.message


def test_cccd_with_letters_is_refused():
    with pytest.raises(InvalidValue, match="chỉ gồm chữ số"):
        parse_cccd("05616000123a")


def test_cccd_with_unknown_province_code_names_the_code():
    with pytest.raises(InvalidValue, match="003"):
        parse_cccd("003160001234")


def test_cccd_birth_year_in_the_future_is_refused():
    with pytest.raises(InvalidValue, match="2030"):
        parse_cccd("001230001234", TODAY)
    assert parse_cccd("001225001234", TODAY) == "001225001234"


def test_cccd_year_digits_must_match_the_birth_date():
    context = {**TODAY, "birth_date": date(1961, 8, 20)}
    with pytest.raises(InvalidValue) as error:
        parse_cccd("056160001234", context)
    assert "(60)" in error.value.message and "1961" in error.value.message


def test_cccd_century_digit_must_match_the_birth_date():
    context = {**TODAY, "birth_date": date(1905, 1, 1)}
    with pytest.raises(InvalidValue, match="thứ 4"):
        parse_cccd("001205001234", context)


def test_cccd_gender_digit_must_match_the_declared_gender():
    with pytest.raises(InvalidValue) as error:
        parse_cccd("056160001234", {**TODAY, "gender": "nam"})
    assert "nữ" in error.value.message and "nam" in error.value.message
    assert parse_cccd("056160001234", {**TODAY, "gender": "Nữ"}) == "056160001234"


def test_cccd_consistent_context_is_accepted():
    context = {**TODAY, "birth_date": date(1960, 8, 20), "gender": "nu"}
    assert parse_cccd("056 160 001 234", context) == "056160001234"


def test_describe_cccd_reads_province_gender_and_year():
    info = describe_cccd("074205001234")
    assert info is not None
    assert info.province.name == "Bình Dương"
    assert info.gender == "nam"
    assert info.birth_year == 2005
    assert describe_cccd("999205001234") is None


@pytest.mark.parametrize("typed", ["225123456", "225 123 456", "022123456789"])
def test_cmnd_accepts_9_or_12_digits(typed):
    assert parse_cmnd(typed) == typed.replace(" ", "")


def test_cmnd_with_wrong_length_explains_legacy_use():
    with pytest.raises(InvalidValue) as error:
        parse_cmnd("2251234567")
    assert "01/01/2025" in error.value.message
    assert "Ví dụ" in error.value.message


def test_cmnd_notice_is_polite_vietnamese():
    assert "01/01/2025" in CMND_NOTICE and "Ông/bà" in CMND_NOTICE
