from datetime import date

import pytest

from bhxh_catalog import ParameterError
from bhxh_catalog.models import Parameter, ParameterValue
from bhxh_catalog.parameters import lookup, value_at


def test_value_in_force_on_a_date(cat):
    assert cat.parameter("muc_tham_chieu", date(2026, 1, 1)) == 2_340_000


def test_poverty_line_changes_on_1_january_2027(cat):
    assert cat.parameter("chuan_ngheo_nong_thon", date(2026, 12, 31)) == 1_500_000
    assert cat.parameter("chuan_ngheo_nong_thon", date(2027, 1, 1)) == 2_200_000


def test_value_carries_its_legal_basis(cat):
    value = cat.parameter_value("chuan_ngheo_nong_thon", date(2027, 6, 1))
    assert [ref.id for ref in value.legal_basis] == ["nd351_2025"]
    assert value.effective_from == date(2027, 1, 1)
    assert value.verified is True


def test_no_value_for_the_date_is_an_explicit_error(cat):
    with pytest.raises(ParameterError, match=r"Chuẩn nghèo khu vực nông thôn.*01/01/2031"):
        cat.parameter("chuan_ngheo_nong_thon", date(2031, 1, 1))
    with pytest.raises(ParameterError, match="chưa có giá trị"):
        cat.parameter("muc_tham_chieu", date(2024, 6, 30))


def test_unknown_parameter(cat):
    with pytest.raises(ParameterError, match="Không có tham số 'luong_toi_thieu'"):
        cat.parameter("luong_toi_thieu", date(2026, 1, 1))


def test_lookup_on_plain_models():
    param = Parameter("p", "Tham số", (
        ParameterValue(1, date(2020, 1, 1), date(2020, 12, 31)),
        ParameterValue(2, date(2021, 1, 1)),
    ))
    assert value_at(param, date(2020, 12, 31)).value == 1
    assert lookup({"p": param}, "p", date(2100, 1, 1)).value == 2
    assert param.value_at(date(2021, 1, 1)).value == 2


def test_a_text_cites_the_figure_in_force_on_the_day_it_is_shown(cat):
    text = "Chuẩn nghèo là {chuan_ngheo_nong_thon}/tháng (từ {chuan_ngheo_nong_thon|tu_ngay})."
    assert cat.text(text, date(2026, 12, 31)) == (
        "Chuẩn nghèo là 1.500.000 đồng/tháng (từ 01/01/2022)."
    )
    assert cat.text(text, date(2027, 1, 1)) == (
        "Chuẩn nghèo là 2.200.000 đồng/tháng (từ 01/01/2027)."
    )


def test_a_figure_not_in_force_is_never_guessed(cat):
    assert cat.text("Mức: {muc_tham_chieu}.", date(2024, 6, 30)) == (
        "Mức: (chưa có số liệu áp dụng cho ngày này)."
    )
    assert cat.text("Không có tham số: {x}, dấu ngoặc khác: {Ab} {}.", date(2026, 1, 1)) == (
        "Không có tham số: (chưa có số liệu áp dụng cho ngày này), dấu ngoặc khác: {Ab} {}."
    )
