import unicodedata
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bhxh_catalog.validators import extract_values


def _kinds(text: str, **kwargs: Any) -> list[tuple[str, object, str]]:
    return [(found.kind, found.value, found.raw) for found in extract_values(text, **kwargs)]


def test_identifiers_with_separators_and_offsets():
    text = "Số CCCD của tôi là 056 160 001 234, sđt 0912.345.678"
    found = extract_values(text)
    assert [(f.kind, f.value) for f in found] == [
        ("cccd", "056160001234"),
        ("phone", "0912345678"),
    ]
    for item in found:
        assert text[item.start : item.end] == item.raw
    assert found[0].raw == "056 160 001 234"


def test_ten_digits_are_a_bhxh_code_after_its_keyword():
    assert _kinds("mã số bhxh 0912345678") == [("bhxh_code", "0912345678", "0912345678")]
    assert _kinds("sđt 0912345678") == [("phone", "0912345678", "0912345678")]
    assert _kinds("số 7912345678") == [("bhxh_code", "7912345678", "7912345678")]


def test_bhyt_card_and_cmnd():
    assert _kinds("thẻ GD 4 79 7912345678") == [
        ("bhyt_card", "GD4797912345678", "GD 4 79 7912345678")
    ]
    assert _kinds("cmnd 225123456") == [("cmnd", "225123456", "225123456")]


def test_dates_money_and_numbers():
    found = _kinds("ngay 20 thang 8 nam 1960 toi dong 15 nam, luong 6.500.000 dong, con 500k")
    assert found == [
        ("date", date(1960, 8, 20), "ngay 20 thang 8 nam 1960"),
        ("number", 15, "15"),
        ("money", 6_500_000, "6.500.000 dong"),
        ("money", 500_000, "500k"),
    ]


def test_money_with_units_in_a_sentence():
    assert _kinds("lương 1 tỷ 200 triệu") == [("money", 1_200_000_000, "1 tỷ 200 triệu")]
    assert _kinds("được 2 triệu rưỡi mỗi tháng") == [("money", 2_500_000, "2 triệu rưỡi")]


def test_bank_and_account():
    found = _kinds("stk 0071 0012 34567 ngân hàng Quân đội")
    assert [(kind, str(value)) for kind, value, _ in found] == [
        ("bank_account", "0071001234567"),
        ("bank", "MB"),
    ]


def test_descriptive_bank_names_need_ngan_hang():
    assert _kinds("tôi ở quân đội") == []
    assert _kinds("nhận lương hưu ở bưu điện") == []


def test_provinces_old_and_new():
    found = extract_values("tôi ở Bình Dương, trước ở Hà Nội")
    assert [(f.kind, str(f.value), f.raw) for f in found] == [
        ("province", "TP Hồ Chí Minh", "Bình Dương"),
        ("province", "TP Hà Nội", "Hà Nội"),
    ]


def test_person_and_street_names_are_not_provinces():
    assert _kinds("tôi tên Nguyễn Hải Dương") == []
    assert _kinds("số 5 đường Hà Nội") == [("number", 5, "5")]


def test_offsets_point_into_nfd_text():
    text = unicodedata.normalize("NFD", "Tôi ở Bình Dương, ÐT 0912345678")
    found = extract_values(text)
    assert [f.kind for f in found] == ["province", "phone"]
    for item in found:
        assert text[item.start : item.end] == item.raw


def test_kinds_filter():
    text = "sđt 0912345678, ở Hà Nội"
    assert [f.kind for f in extract_values(text, kinds=["province"])] == ["province"]


@given(st.text(alphabet="0123456789 .-/abcđtháng+kr", max_size=60))
def test_spans_are_ordered_valid_and_disjoint(text):
    found = extract_values(text)
    previous_end = 0
    for item in found:
        assert previous_end <= item.start < item.end <= len(text)
        assert text[item.start : item.end] == item.raw
        previous_end = item.end
