"""Calculators of topic answers: the figure computed from the values the message gives."""

from __future__ import annotations

from datetime import date

import pytest

from bhxh_catalog import Catalog, load_catalog
from bhxh_catalog.config import catalog_dir
from bhxh_catalog.topics_calc import CALCULATORS, contribution_period

DAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(catalog_dir())


def _fact(name: str, text: str, catalog: Catalog, day: date = DAY) -> str:
    result = CALCULATORS[name](text, catalog, day)
    assert result is not None, text
    return result.fact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tôi đóng từ 2012 đến 2024", (24, 132)),
        ("dong tu thang 3/2012 den thang 6/2024", (22, 126)),
        ("từ năm 2015 đến nay", (0, 134)),
        ("đóng 8 năm rưỡi", (0, 102)),
        ("da dong 10 nam 4 thang", (0, 124)),
        ("nld dong 01/2016-12/2023 lien tuc", (0, 96)),
    ],
)
def test_contribution_period(text: str, expected: tuple[int, int]) -> None:
    period = contribution_period(text, DAY)
    assert period is not None and period[:2] == expected


def test_bhxh_mot_lan_from_years_and_salary(real: Catalog) -> None:
    # Luật 41/2024 Điều 70 khoản 3: 1,5 tháng/năm trước 2014, 2 tháng/năm từ 2014:
    # 2 × 1,5 × 7 triệu + 11 × 2 × 7 triệu = 175 triệu
    fact = _fact("bhxh_mot_lan", "tôi đóng từ 2012 đến 2024, lương 7 triệu thì rút được bao "
                 "nhiêu", real)
    assert fact.startswith("Ước tính ông/bà nhận BHXH một lần khoảng 175.000.000 đồng, bằng 25 "
                           "tháng bình quân tiền lương")


def test_bhxh_mot_lan_needs_both_values(real: Catalog) -> None:
    assert CALCULATORS["bhxh_mot_lan"]("rút một lần được bao nhiêu", real, DAY) is None
    assert CALCULATORS["bhxh_mot_lan"]("đóng 8 năm thì được bao nhiêu", real, DAY) is None


def test_mai_tang_by_date_of_death(real: Catalog) -> None:
    # Luật 41/2024 Điều 85 khoản 2: 10 lần mức tham chiếu tại tháng người đó chết
    fact = _fact("mai_tang", "bố tôi mất ngày 10/2/2026", real)
    assert fact == ("Người mất ngày 10/02/2026 thì trợ cấp mai táng là 23.400.000 đồng "
                    "(10 lần mức tham chiếu 2.340.000 đồng).")


def test_survivors_deadline_is_a_date(real: Catalog) -> None:
    # Luật 41/2024 Điều 91 khoản 1, 2: hồ sơ nộp trong 90 ngày kể từ ngày mất
    fact = _fact("han_nop_tu_tuat", "mẹ tôi mất ngày 15/1/2026, hạn chót nộp hồ sơ?", real)
    assert fact == "Hạn chót nộp hồ sơ: trước ngày 15/04/2026 (90 ngày kể từ ngày mất)."
    late = _fact("han_nop_tu_tuat", "mẹ tôi mất ngày 15/10/2025", real)
    assert "vẫn nộp được, kèm văn bản giải trình" in late


def test_bhyt_household_by_members(real: Catalog) -> None:
    # luat_bhyt_hgd_muc_dong: 4,5% × 2.340.000 = 105.300/tháng; 70%, 60%, 50% người 2–4
    fact = _fact("bhyt_ho_gia_dinh", "nhà tôi 4 người mua bhyt hết bao nhiêu", real)
    total = (105300 + 73710 + 63180 + 52650) * 12
    expected = f"Hộ gia đình 4 người đóng BHYT 12 tháng hết {total:,}".replace(",", ".")
    assert fact.startswith(expected)
    words = _fact("bhyt_ho_gia_dinh", "nha co ba nguoi dong 6 thang", real)
    assert words.startswith("Hộ gia đình 3 người đóng BHYT 6 tháng")


def test_tu_nguyen_by_income(real: Catalog) -> None:
    # Luật 41/2024 Điều 31 khoản 2: 22% thu nhập; NĐ 159/2025 Điều 5: hỗ trợ 20% × 22% × chuẩn
    # nghèo 1.500.000 = 66.000 đồng (đối tượng khác), 50% hộ nghèo = 165.000 đồng
    fact = _fact("tu_nguyen", "thu nhập 5 triệu thì đóng tự nguyện bao nhiêu", real)
    assert "mức đóng BHXH tự nguyện là 1.100.000 đồng" in fact
    assert "nộp 1.034.000 đồng" in fact
    poor = _fact("tu_nguyen", "hộ nghèo thu nhập 2 triệu đóng bao nhiêu", real)
    assert "Nhà nước hỗ trợ 165.000 đồng (hộ nghèo)" in poor
    outside = _fact("tu_nguyen", "thu nhập 1 triệu đóng được không", real)
    assert "nằm ngoài khoảng này" in outside


def test_retirement_by_birth(real: Catalog) -> None:
    # BLLĐ 2019 Điều 169 khoản 2: nữ, năm 2027: 57 tuổi 4 tháng → sinh 15/3/1970 nghỉ 15/7/2027
    fact = _fact("nghi_huu", "tôi là nữ sinh ngày 15/3/1970 khi nào nghỉ hưu", real)
    assert fact == ("Người sinh ngày 15/03/1970: nữ đủ tuổi nghỉ hưu (57 tuổi 4 tháng) vào "
                    "ngày 15/07/2027.")
    both = _fact("nghi_huu", "sinh năm 1968 bao giờ nghỉ hưu", real)
    assert "nam đủ tuổi nghỉ hưu (62 tuổi) vào năm 2030" in both and "nữ đủ tuổi nghỉ hưu" in both
    # nữ, năm 2028: 57 tuổi 8 tháng; nam từ năm 2028: 62 tuổi
    assert _fact("nghi_huu", "toi la nu sinh thang 10 nam 1970 thi may tuoi ve huu", real) == (
        "Người sinh tháng 10/1970: nữ đủ tuổi nghỉ hưu (57 tuổi 8 tháng) vào tháng 06/2028.")
    assert _fact("nghi_huu", "nam sn 05/1967 tuoi nghi huu bn", real) == (
        "Người sinh tháng 05/1967: nam đủ tuổi nghỉ hưu (62 tuổi) vào tháng 05/2029.")


def test_years_to_pension(real: Catalog) -> None:
    # Luật 41/2024 Điều 64 khoản 1: đóng BHXH từ đủ 15 năm
    assert _fact("so_nam_luong_huu", "tôi đã đóng 8 năm", real) == (
        "Ông/bà đã đóng 8 năm; cần đủ 15 năm để có lương hưu, tức là còn thiếu 7 năm."
    )
    assert "đủ 15 năm" in _fact("so_nam_luong_huu", "đóng từ 2005 đến 2024", real)
