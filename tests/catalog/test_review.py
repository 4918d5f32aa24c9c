"""The alarm for stale facts (issue 13): review dates, ends of validity, missing figures."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bhxh_catalog import Catalog, load_catalog
from bhxh_catalog.amounts import estimate
from bhxh_catalog.cli import main
from bhxh_catalog.config import default_catalog_dir, today
from bhxh_catalog.review import due_for_review, missing_parameters
from bhxh_catalog.rules import evaluate


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(default_catalog_dir())


def test_every_parameter_an_amount_reads_has_a_value_for_today(real):
    # Fails the suite the day a figure runs out (e.g. a decree ends and no new value was added).
    assert missing_parameters(real, today()) == []


def test_a_parameter_without_a_value_for_today_is_reported(real):
    mtc = real.parameters["muc_tham_chieu"]
    ended = dataclasses.replace(mtc, values=tuple(
        dataclasses.replace(value, effective_to=date(2026, 12, 31)) if value.effective_to is None
        else value for value in mtc.values
    ))
    cut = Catalog(real.procedures, real.legal_bases, real.sources,
                  {**real.parameters, "muc_tham_chieu": ended})
    missing = missing_parameters(cut, date(2027, 1, 1))
    assert "che_do_tu_tuat / tro_cap_mai_tang: muc_tham_chieu" in missing
    assert "dang_ky_bhxh_tu_nguyen / muc_dong: muc_tham_chieu" in missing
    assert missing_parameters(cut, date(2026, 12, 31)) == []


def test_every_value_and_rule_says_until_when_it_holds(real):
    for parameter in real.parameters.values():
        for value in parameter.values:
            assert value.review_by is not None, parameter.id
    for proc in real.procedures.values():
        assert proc.review_by is not None, proc.id
        assert all(rule.review_by is not None for rule in proc.rules), proc.id


def test_check_lists_a_value_that_ends_within_60_days(real):
    due = due_for_review(real, date(2026, 12, 10))
    assert [str(item) for item in due] == [
        "[sắp đến hạn] Chuẩn nghèo khu vực nông thôn = 1.500.000 đ (từ 01/07/2025): hết hiệu "
        "lực ngày 31/12/2026; giá trị tiếp theo 2.200.000 đ từ 01/01/2027",
    ]


def test_check_lists_review_dates_that_are_near_or_past(real):
    near = due_for_review(real, date(2027, 6, 1))
    assert any("Mức tham chiếu = 2.530.000 đ" in item.what and not item.overdue for item in near)
    assert any(item.what.startswith("Quy tắc của thủ tục che_do_tu_tuat") for item in near)
    past = due_for_review(real, date(2027, 7, 15))
    reference = next(item for item in past if "Mức tham chiếu" in item.what)
    assert reference.overdue and reference.due == date(2027, 6, 30)
    assert due_for_review(real, date(2026, 8, 1)) == []


def test_cli_check_shows_the_review_dates_and_passes(capsys):
    assert main(["check", "--today", "2027-06-01"]) == 0
    out = capsys.readouterr().out
    assert "Rà soát ngày 01/06/2027" in out and "Mức tham chiếu = 2.530.000 đ" in out
    assert main(["check", "--today", "2026-08-01"]) == 0
    assert "không có." in capsys.readouterr().out


def test_cli_check_fails_when_a_figure_is_missing_for_the_day(tmp_path, capsys):
    import shutil

    folder = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), folder)
    path = folder / "parameters.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "        effective_to: null\n        review_by: 2027-06-30",
        "        effective_to: 2026-12-31\n        review_by: 2026-12-31",
    ), encoding="utf-8")
    assert main(["--dir", str(folder), "check", "--today", "2027-01-02"]) == 1
    assert "Thiếu số liệu áp dụng cho ngày 02/01/2027" in capsys.readouterr().out


def test_a_figure_past_its_review_date_is_still_given_but_flagged(real):
    inputs = {"ngay_mat": date(2027, 7, 10)}
    late = estimate(real, "che_do_tu_tuat", "tro_cap_mai_tang", inputs, date(2027, 7, 15))
    assert late.amount == 25_300_000 and late.stale and late.needs_confirmation
    on_time = estimate(real, "che_do_tu_tuat", "tro_cap_mai_tang",
                       {"ngay_mat": date(2026, 11, 5)}, date(2026, 11, 22))
    assert not on_time.stale


def test_a_rule_past_its_review_date_is_flagged(real):
    answers = {"tinh_trang_nguoi_mat": "tu_nguyen", "ngay_mat": date(2027, 6, 1),
               "so_nam_dong_tn": 6}
    proc = real.get("che_do_tu_tuat")
    assert not evaluate(proc, answers, date(2027, 6, 30)).stale
    late = evaluate(proc, answers, date(2027, 7, 1))
    assert late.outcome == "eligible" and late.stale and late.needs_confirmation


def test_config_today_reads_bhxh_today(monkeypatch):
    monkeypatch.setenv("BHXH_TODAY", "2026-11-22")
    assert today() == date(2026, 11, 22)
    monkeypatch.setenv("BHXH_TODAY", "22/11/2026")
    with pytest.raises(ValueError, match="BHXH_TODAY"):
        today()
