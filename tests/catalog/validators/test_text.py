import unicodedata

import pytest

from bhxh_catalog.validators import (
    InvalidValue,
    parse_address,
    parse_email,
    parse_full_name,
    parse_text,
)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("nguyen van an", "Nguyen Van An"),
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("  trần   thị  bích ", "Trần Thị Bích"),
        ("đặng thị hoa.", "Đặng Thị Hoa"),
        ("h'hen niê", "H'Hen Niê"),
        (unicodedata.normalize("NFD", "lê thị hồng"), "Lê Thị Hồng"),
    ],
)
def test_full_name_is_tidied(typed, name):
    result = parse_full_name(typed)
    assert result == name
    assert unicodedata.is_normalized("NFC", result)


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("An", "cả họ và tên"),
        ("Nguyen Van An 1960", "chữ số"),
        ("Nguyễn V. An", "viết tắt"),
        ("", "chưa nhập"),
        ("a b c d e f g h", "dài hơn"),
    ],
)
def test_bad_names_are_explained(typed, hint):
    with pytest.raises(InvalidValue) as error:
        parse_full_name(typed)
    assert hint in error.value.message
    assert "Ví dụ: Nguyễn Văn An." in error.value.message


def test_text_is_trimmed_and_limited():
    assert parse_text("  xin chào  ") == "xin chào"
    with pytest.raises(InvalidValue, match="chưa nhập"):
        parse_text("   ")
    with pytest.raises(InvalidValue, match="10 ký tự"):
        parse_text("x" * 11, {"max_length": 10})


def test_address():
    typed = "số 5,  thôn An Phú, xã Hòa Bình, tỉnh Đắk Lắk"
    assert parse_address(typed) == "số 5, thôn An Phú, xã Hòa Bình, tỉnh Đắk Lắk"
    for bad in ["", "12", "12345"]:
        with pytest.raises(InvalidValue, match="Ví dụ"):
            parse_address(bad)


@pytest.mark.parametrize(
    ("typed", "address"),
    [("NguyenVanAn@Gmail.COM", "NguyenVanAn@gmail.com"), (" an.nguyen+bhxh@mail.vn ",
                                                          "an.nguyen+bhxh@mail.vn")],
)
def test_email_valid(typed, address):
    assert parse_email(typed) == address


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("nguyenvanan.gmail.com", "@"),
        ("nguyen van an@gmail.com", "dấu cách"),
        ("nguyễn@gmail.com", "có dấu"),
        ("an@gmail", "chưa đúng dạng"),
        ("an@@gmail.com", "@"),
    ],
)
def test_email_invalid(typed, hint):
    with pytest.raises(InvalidValue) as error:
        parse_email(typed)
    assert hint in error.value.message
    assert "Ví dụ: nguyenvanan@gmail.com." in error.value.message
