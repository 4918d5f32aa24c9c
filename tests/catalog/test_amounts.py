import dataclasses
from datetime import date

import pytest

from bhxh_catalog import Catalog, EstimateError, ParameterError
from bhxh_catalog.amounts import FORMULAS, compute, estimate

DAY_2026 = date(2026, 1, 11)
DAY_NOV_2026 = date(2026, 11, 22)  # mức tham chiếu 2.530.000 đ (NĐ 161/2026/NĐ-CP)
DAY_2027 = date(2027, 1, 1)


def amounts(result):
    return [value for _, value in result.lines]


# --------------------------------------------------------------------------- mai táng


def test_funeral_grant_is_ten_times_the_reference_amount(cat):
    result = compute("tro_cap_mai_tang", {"ngay_mat": date(2026, 1, 5)}, DAY_2026, cat)
    assert result.amount == 23_400_000
    assert "10 × mức tham chiếu 2.340.000 đ (tháng người mất 01/2026)" in result.lines[0][0]


@pytest.mark.parametrize(
    ("death", "grant"),
    [(date(2026, 6, 30), 23_400_000), (date(2026, 7, 1), 25_300_000),
     (date(2026, 11, 5), 25_300_000)],
)
def test_funeral_grant_follows_the_reference_amount_of_the_month_of_death(cat, death, grant):
    # Luật 41/2024 Điều 85 khoản 2: 10 × mức tham chiếu tại tháng người đó chết; mức tham chiếu =
    # lương cơ sở (Điều 141 khoản 13): 2.340.000 đ (NĐ 73/2024) đến 30/6/2026, 2.530.000 đ
    # (NĐ 161/2026/NĐ-CP) từ 01/7/2026.
    assert compute("tro_cap_mai_tang", {"ngay_mat": death}, DAY_NOV_2026, cat).amount == grant


def test_funeral_grant_uses_the_month_of_death_not_today(cat):
    with pytest.raises(ParameterError, match="01/06/2024"):
        compute("tro_cap_mai_tang", {"ngay_mat": date(2024, 6, 1)}, DAY_2026, cat)
    assert compute("tro_cap_mai_tang", {}, DAY_2026, cat).amount == 23_400_000


# ------------------------------------------------------------------------------ tuất


@pytest.mark.parametrize(
    ("inputs", "total"),
    [
        ({"so_than_nhan": 1}, 1_170_000),
        ({"so_than_nhan": 1, "so_than_nhan_khong_nguoi_nuoi": 1}, 1_638_000),
        ({"so_than_nhan": 3, "so_than_nhan_khong_nguoi_nuoi": 1}, 1_638_000 + 2 * 1_170_000),
        ({"so_than_nhan": 6, "so_than_nhan_khong_nguoi_nuoi": 1}, 1_638_000 + 3 * 1_170_000),
    ],
)
def test_monthly_survivor_allowance(cat, inputs, total):
    assert compute("tuat_hang_thang", inputs, DAY_2026, cat).amount == total


@pytest.mark.parametrize(
    ("as_of", "half", "seventy"),
    [(date(2026, 6, 30), 1_170_000, 1_638_000), (date(2026, 7, 1), 1_265_000, 1_771_000)],
)
def test_monthly_survivor_rates_on_both_sides_of_1_july_2026(cat, as_of, half, seventy):
    # Luật 41/2024 Điều 87 khoản 1: 50% mức tham chiếu, 70% khi không có người trực tiếp nuôi
    # dưỡng; mức tham chiếu 2.340.000 đ → 2.530.000 đ từ 01/7/2026 (NĐ 161/2026/NĐ-CP).
    assert compute("tuat_hang_thang", {"so_than_nhan": 1}, as_of, cat).amount == half
    assert compute("tuat_hang_thang", {"so_than_nhan": 1, "so_than_nhan_khong_nguoi_nuoi": 1},
                   as_of, cat).amount == seventy


def test_survivor_allowance_counts_at_most_four_relatives(cat):
    result = compute("tuat_hang_thang", {"so_than_nhan": 6}, DAY_2026, cat)
    assert result.amount == 4 * 1_170_000
    assert any("Tối đa 4 thân nhân" in note for note in result.notes)


def test_survivor_inputs_must_be_consistent(cat):
    with pytest.raises(EstimateError, match="Số thân nhân"):
        compute("tuat_hang_thang", {"so_than_nhan": 1, "so_than_nhan_khong_nguoi_nuoi": 2},
                DAY_2026, cat)


# ----------------------------------------------------------------------------- BHYT HGĐ


def test_household_health_insurance_per_member_per_year(cat):
    result = compute("bhyt_ho_gia_dinh", {"so_thanh_vien": 5, "so_thang": 12}, DAY_2026, cat)
    assert amounts(result) == [1_263_600, 884_520, 758_160, 631_800, 505_440]
    assert result.amount == 4_043_520
    assert result.lines[0][0] == "Người thứ nhất: 4,5% × 2.340.000 đ × 12 tháng"


def test_household_health_insurance_from_1_july_2026(cat):
    # Luật BHYT (sửa đổi bởi Luật 51/2024/QH15): người thứ nhất 4,5% mức tham chiếu; người thứ
    # hai 70%, thứ ba 60%, thứ tư 50%, từ thứ năm 40% (bậc thang theo NĐ 146/2018; điều khoản sau
    # Luật 51/2024 chưa đối chiếu). Mức tham chiếu 2.530.000 đ từ 01/7/2026 (NĐ 161/2026/NĐ-CP).
    result = compute("bhyt_ho_gia_dinh", {"so_thanh_vien": 5, "so_thang": 3}, DAY_NOV_2026, cat)
    assert amounts(result) == [3 * 113_850, 3 * 79_695, 3 * 68_310, 3 * 56_925, 3 * 45_540]
    assert result.lines[0][0] == "Người thứ nhất: 4,5% × 2.530.000 đ × 3 tháng"
    before = compute("bhyt_ho_gia_dinh", {"so_thanh_vien": 1, "so_thang": 12},
                     date(2026, 6, 30), cat)
    assert before.amount == 12 * 105_300


def test_household_members_from_the_fifth_pay_forty_percent(cat):
    result = compute("bhyt_ho_gia_dinh", {"so_thanh_vien": 7, "so_thang": "12"}, DAY_2026, cat)
    assert result.lines[-1] == (
        "Từ người thứ 5 (3 người): 40% mức đóng người thứ nhất × 12 tháng", 3 * 505_440
    )


def test_household_insurance_for_three_months(cat):
    result = compute("bhyt_ho_gia_dinh", {"so_thanh_vien": 1, "so_thang": 3}, DAY_2026, cat)
    assert result.amount == 315_900


def test_household_insurance_period_must_be_3_6_or_12(cat):
    with pytest.raises(EstimateError, match="3, 6, 12"):
        compute("bhyt_ho_gia_dinh", {"so_thanh_vien": 1, "so_thang": 5}, DAY_2026, cat)


# ---------------------------------------------------------------------- BHXH tự nguyện


def tn(cat, as_of, income, group="khac", months=1):
    inputs = {"thu_nhap": income, "dien_ho_tro": group, "so_thang": months}
    return compute("bhxh_tu_nguyen", inputs, as_of, cat)


def test_voluntary_minimum_through_2026(cat):
    result = tn(cat, date(2026, 12, 31), 1_500_000)
    assert amounts(result) == [330_000, -66_000]
    assert result.amount == 264_000


def test_voluntary_minimum_and_support_change_on_1_january_2027(cat):
    result = tn(cat, DAY_2027, 2_200_000)
    assert amounts(result) == [484_000, -96_800]
    assert result.amount == 387_200


@pytest.mark.parametrize(
    ("group", "support"),
    [("ho_ngheo", 165_000), ("xa_dao_dac_khu", 165_000), ("can_ngheo", 132_000),
     ("dan_toc_thieu_so", 99_000), ("khac", 66_000)],
)
def test_voluntary_state_support_by_group(cat, group, support):
    assert amounts(tn(cat, DAY_2026, 1_500_000, group))[1] == -support


def test_voluntary_for_twelve_months(cat):
    result = tn(cat, DAY_2026, 1_500_000, "khac", "12")
    assert result.amount == 12 * 264_000


def test_voluntary_income_bounds_come_from_the_dated_parameters(cat):
    with pytest.raises(EstimateError, match=r"1\.500\.000 đ.*46\.800\.000 đ"):
        tn(cat, DAY_2026, 1_000_000)
    with pytest.raises(EstimateError, match=r"2\.200\.000 đ"):
        tn(cat, DAY_2027, 1_500_000)
    assert amounts(tn(cat, DAY_2026, 46_800_000))[0] == 10_296_000
    with pytest.raises(EstimateError):
        tn(cat, DAY_2026, 46_800_001)


def test_voluntary_ceiling_follows_the_reference_amount_from_1_july_2026(cat):
    # Luật 41/2024 Điều 31 khoản 2: thu nhập tối đa 20 × mức tham chiếu = 50.600.000 đ từ
    # 01/7/2026 (NĐ 161/2026/NĐ-CP); 46.800.000 đ đến 30/6/2026.
    assert amounts(tn(cat, DAY_NOV_2026, 50_600_000))[0] == 11_132_000
    with pytest.raises(EstimateError, match=r"50\.600\.000 đ"):
        tn(cat, DAY_NOV_2026, 50_600_001)
    with pytest.raises(EstimateError, match=r"46\.800\.000 đ"):
        tn(cat, date(2026, 6, 30), 50_600_000)


def test_voluntary_floor_is_the_rural_poverty_line(cat):
    # Luật 41/2024 Điều 31 khoản 2 + NĐ 351/2025/NĐ-CP: chuẩn nghèo nông thôn 1.500.000 đ đến
    # 31/12/2026 (mức đóng thấp nhất 330.000 đ), 2.200.000 đ từ 01/01/2027 (484.000 đ).
    assert amounts(tn(cat, DAY_NOV_2026, 1_500_000))[0] == 330_000
    assert amounts(tn(cat, DAY_2027, 2_200_000))[0] == 484_000


def test_voluntary_formula_starts_on_1_july_2025(cat):
    with pytest.raises(EstimateError, match="01/07/2025"):
        tn(cat, date(2025, 6, 30), 1_500_000)


# ------------------------------------------------------------------------ BHXH một lần


@pytest.mark.parametrize(
    ("before", "after", "months_of_salary"),
    [
        (30, 40, 11),        # 2 years × 1.5 + (6 carried + 40 = 46 months → 4 years) × 2
        (24, 0, 3),          # 2 whole years before 2014
        (13, 0, 2.25),       # all before 2014: 1 odd month stays there → 1.5 years × 1.5
        (0, 18, 3),          # 1 year 6 months → 1.5 years × 2
        (0, 19, 4),          # 1 year 7 months → 2 years × 2
        (0, 12, 2),
        (30, 0, 3.75),       # all before 2014: 2.5 years × 1.5, nothing carried (Điều 70 k3)
        (18, 0, 2.25),       # 1 year 6 months, all before 2014 → 1.5 years × 1.5
    ],
)
def test_lump_sum_by_contribution_time(cat, before, after, months_of_salary):
    inputs = {"thang_truoc_2014": before, "thang_tu_2014": after, "luong_binh_quan": 10_000_000}
    result = compute("bhxh_mot_lan", inputs, DAY_2026, cat)
    assert result.amount == int(months_of_salary * 10_000_000)


def test_lump_sum_lines_explain_the_carried_months(cat):
    inputs = {"thang_truoc_2014": 30, "thang_tu_2014": 40, "luong_binh_quan": 10_000_000}
    result = compute("bhxh_mot_lan", inputs, DAY_2026, cat)
    assert result.lines == [
        ("Giai đoạn trước năm 2014: 2 năm × 1,5 tháng × 10.000.000 đ", 30_000_000),
        ("Giai đoạn từ năm 2014: 46 tháng, gồm 6 tháng lẻ trước năm 2014, tính 4 năm × 2 tháng "
         "× 10.000.000 đ", 80_000_000),
    ]


def test_lump_sum_with_all_months_before_2014_keeps_the_odd_months_there(cat):
    # Luật 41/2024 Điều 70 khoản 3: tháng lẻ trước 2014 chỉ chuyển sang giai đoạn từ 2014 khi có
    # thời gian đóng ở cả hai giai đoạn. 30 tháng trước 2014, lương 10 triệu:
    # 2,5 năm × 1,5 × 10.000.000 = 37.500.000 đ.
    inputs = {"thang_truoc_2014": 30, "thang_tu_2014": 0, "luong_binh_quan": 10_000_000}
    result = compute("bhxh_mot_lan", inputs, DAY_2026, cat)
    assert result.amount == 37_500_000
    assert result.lines == [
        ("Giai đoạn trước năm 2014: 30 tháng, tính 2,5 năm × 1,5 tháng × 10.000.000 đ",
         37_500_000),
    ]


def test_lump_sum_under_one_year_is_the_amount_paid_capped(cat):
    base = {"thang_truoc_2014": 0, "thang_tu_2014": 8, "luong_binh_quan": 10_000_000}
    assert compute("bhxh_mot_lan", {**base, "so_tien_da_dong": 5_000_000}, DAY_2026,
                   cat).amount == 5_000_000
    assert compute("bhxh_mot_lan", {**base, "so_tien_da_dong": 30_000_000}, DAY_2026,
                   cat).amount == 20_000_000
    capped = compute("bhxh_mot_lan", base, DAY_2026, cat)
    assert capped.amount == 20_000_000
    assert "tối đa" in capped.lines[0][0]


def test_rounding_is_half_up_to_the_dong(cat):
    inputs = {"thang_truoc_2014": 12, "thang_tu_2014": 0, "luong_binh_quan": 10_000_001}
    assert compute("bhxh_mot_lan", inputs, DAY_2026, cat).amount == 15_000_002


# ------------------------------------------------------------------------- estimate()


def test_estimate_reads_chat_inputs_and_sums_the_lines(cat):
    result = estimate(cat, "huong_bhxh_mot_lan", "muc_huong",
                      {"thang_truoc_2014": "30 tháng", "thang_tu_2014": "40",
                       "luong_binh_quan": "10 triệu", "so_tien_da_dong": ""}, DAY_2026)
    assert result.amount == 110_000_000 == sum(value for _, value in result.breakdown)
    assert result.label == "Ước tính mức hưởng BHXH một lần"
    assert result.note.startswith("Đây là ước tính")
    assert result.note.endswith("Số tiền làm tròn đến đồng.")
    assert [ref.id for ref in result.legal_basis] == ["law41_art70"]
    assert result.unverified is False
    assert (result.procedure_id, result.amount_id, result.as_of) == (
        "huong_bhxh_mot_lan", "muc_huong", DAY_2026,
    )


def test_estimate_voluntary_from_chat(cat):
    result = estimate(cat, "dang_ky_bhxh_tu_nguyen", "muc_dong",
                      {"thu_nhap": "1,5 triệu", "dien_ho_tro": "Khác", "so_thang": "12 tháng"},
                      DAY_2026)
    assert result.amount == 12 * 264_000


def test_estimate_missing_input(cat):
    with pytest.raises(EstimateError, match="Thiếu thông tin để ước tính: luong_binh_quan"):
        estimate(cat, "huong_bhxh_mot_lan", "muc_huong",
                 {"thang_truoc_2014": 1, "thang_tu_2014": 20}, DAY_2026)


def test_estimate_is_unverified_when_a_parameter_is(cat):
    mtc = cat.parameters["muc_tham_chieu"]
    shaky = dataclasses.replace(mtc, values=tuple(
        dataclasses.replace(value, verified=False) for value in mtc.values
    ))
    other = Catalog(cat.procedures, cat.legal_bases, cat.sources,
                    {**cat.parameters, "muc_tham_chieu": shaky})
    result = estimate(other, "dang_ky_bhxh_tu_nguyen", "muc_dong",
                      {"thu_nhap": 1_500_000, "dien_ho_tro": "khac", "so_thang": "1"}, DAY_2026)
    assert result.unverified is True


def test_every_formula_declares_its_inputs_and_parameters():
    assert set(FORMULAS) == {"bhxh_mot_lan", "tro_cap_mai_tang", "tuat_hang_thang",
                             "bhyt_ho_gia_dinh", "bhxh_tu_nguyen"}
    for formula in FORMULAS.values():
        assert set(formula.required) <= set(formula.kinds)
        assert set(formula.optional) <= set(formula.kinds)


def test_unknown_formula(cat):
    with pytest.raises(EstimateError, match="Không có công thức"):
        compute("luong_huu", {}, DAY_2026, cat)


def test_inputs_to_ask_walks_the_amount_questions(cat):
    from bhxh_catalog.amounts import inputs_to_ask, optional_inputs

    definition = cat.get("huong_bhxh_mot_lan").amount("muc_huong")
    assert [q.id for q in inputs_to_ask(definition, {})] == [
        "thang_truoc_2014", "thang_tu_2014", "luong_binh_quan", "so_tien_da_dong",
    ]
    assert [q.id for q in inputs_to_ask(definition, {"thang_truoc_2014": "0",
                                                     "thang_tu_2014": "40"})] == [
        "luong_binh_quan", "so_tien_da_dong",
    ]
    assert optional_inputs(definition) == {"so_tien_da_dong"}
