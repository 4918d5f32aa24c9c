import unicodedata
from datetime import date

import pytest

import bhxh_catalog.validators as validators
from bhxh_catalog.validators import (
    FIELD_TYPES,
    Bank,
    InvalidValue,
    ProvinceMatch,
    all_banks,
    current_provinces,
    legacy_provinces,
    plain_value,
    validate,
)

CATALOG_TYPES = {
    "text", "full_name", "cccd", "cmnd", "bhxh_code", "bhyt_card", "phone", "email", "date",
    "money", "integer", "bank", "bank_account", "province", "address", "choice", "yes_no",
}
OPTIONS = {"options": [{"value": "tien_mat", "label": "Tiền mặt"},
                       {"value": "tai_khoan", "label": "Qua tài khoản"}]}

GOOD = {
    "text": ("xin chào", "xin chào"),
    "full_name": ("nguyen van an", "Nguyen Van An"),
    "cccd": ("056 160 001 234", "056160001234"),
    "cmnd": ("225123456", "225123456"),
    "bhxh_code": ("79 1234 5678", "7912345678"),
    "bhyt_card": ("gd4797912345678", "GD4797912345678"),
    "phone": ("+84 912 345 678", "0912345678"),
    "email": ("an@Gmail.com", "an@gmail.com"),
    "date": ("20/8/1960", date(1960, 8, 20)),
    "money": ("1,5 triệu", 1_500_000),
    "integer": ("12 năm", 12),
    "number": ("1,5", 1.5),
    "bank_account": ("0071 0012 34567", "0071001234567"),
    "address": ("thôn An Phú, xã Hòa Bình", "thôn An Phú, xã Hòa Bình"),
    "choice": ("qua tai khoan", "tai_khoan"),
    "yes_no": ("dc", True),
}

BAD = {
    "text": "   ",
    "full_name": "An",
    "cccd": "05616000123",
    "cmnd": "12345",
    "bhxh_code": "12345",
    "bhyt_card": "12345",
    "phone": "0123",
    "email": "an.gmail.com",
    "date": "31/02/1960",
    "money": "abc",
    "integer": "abc",
    "number": "abc",
    "bank": "xyz",
    "bank_account": "12",
    "province": "xyz",
    "address": "12",
    "choice": "xyz",
    "yes_no": "hmm",
}


def test_registry_covers_every_catalog_field_type():
    assert set(FIELD_TYPES) == CATALOG_TYPES | {"number"}


@pytest.mark.parametrize(("field_type", "sample"), sorted(GOOD.items()))
def test_validate_dispatches_to_the_validator(field_type, sample):
    raw, expected = sample
    assert validate(field_type, raw, OPTIONS) == expected


def test_validate_bank_and_province_return_objects():
    assert isinstance(validate("bank", "vcb"), Bank)
    match = validate("province", "Bình Dương")
    assert isinstance(match, ProvinceMatch) and match.legacy is not None


@pytest.mark.parametrize(("field_type", "raw"), sorted(BAD.items()))
def test_every_error_is_nfc_vietnamese_with_one_example(field_type, raw):
    with pytest.raises(InvalidValue) as error:
        validate(field_type, raw, OPTIONS)
    message = error.value.message
    assert str(error.value) == message
    assert message.count("Ví dụ: ") == 1
    assert message.endswith(".")
    assert unicodedata.is_normalized("NFC", message)
    assert any(char in message for char in "ăâđêôơưạảấầẩậắằẳặẹẻếềểệịỉọỏốồổộớờởợụủứừửựỳỷỹ")


def test_unknown_field_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown field type"):
        validate("passport", "x")


def test_stored_values_are_accepted_again():
    assert validate("yes_no", True) is True
    assert validate("yes_no", False) is False
    assert validate("money", 1_500_000) == 1_500_000
    assert validate("money", 1_500_000.0) == 1_500_000
    assert validate("date", date(1960, 8, 20)) == date(1960, 8, 20)
    assert validate("date", "1960-08-20") == date(1960, 8, 20)
    assert validate("integer", 12) == 12
    bank = validate("bank", "vcb")
    assert validate("bank", bank) == bank


def test_stored_numbers_are_checked_as_numbers_not_reread_as_text():
    assert validate("number", 2.125) == 2.125
    assert validate("money", 500) == 500
    assert validate("integer", 4.0) == 4
    with pytest.raises(InvalidValue, match="số nguyên"):
        validate("integer", 2.5)
    with pytest.raises(InvalidValue, match="âm"):
        validate("money", -1)
    with pytest.raises(InvalidValue, match="60"):
        validate("number", 75, {"max": 60})


def _province(raw: object) -> ProvinceMatch:
    match = validate("province", raw)
    assert isinstance(match, ProvinceMatch)
    return match


def test_plain_values_read_back_to_the_same_value():
    for bank in all_banks():
        assert validate("bank", plain_value(bank)) == bank
    for old in legacy_provinces():
        match = _province(old.name)
        assert _province(match) == match
        assert _province(plain_value(match)).province == match.province
    for province in current_provinces():
        assert _province(province.label).province == province
    assert plain_value(date(1960, 8, 20)) == "1960-08-20"


def test_public_api_is_exactly_all():
    public = {name for name in dir(validators) if not name.startswith("_")}
    modules = {"banks", "choice", "dates", "durations", "errors", "extract", "identity",
               "insurance", "masking", "money", "numbers", "phone", "provinces", "registry",
               "text"}
    assert public - modules == set(validators.__all__)
