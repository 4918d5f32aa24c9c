from datetime import date

import pytest

from bhxh_catalog import AnswerError
from bhxh_catalog.rules import documents_for, evaluate, fields_for, questions_to_ask

AFTER_LAW = date(2026, 5, 1)
BEFORE_LAW = date(2025, 6, 1)


@pytest.fixture(scope="module")
def tu_nguyen(cat):
    return cat.get("dang_ky_bhxh_tu_nguyen")


def nghi_viec(**extra):
    answers = {"ly_do": "nghi_viec", "ngay_bat_dau_dong": "01/03/2015",
               "ngay_dung_dong": "2025-01-15", "so_nam_dong": "10", "dang_dong_tu_nguyen": "không"}
    answers.update(extra)
    return answers


def test_first_rule_that_holds_decides(mot_lan):
    verdict = evaluate(mot_lan, {"ly_do": "dinh_cu"}, AFTER_LAW)
    assert verdict.outcome == "eligible"
    assert verdict.rule_id == "dinh_cu"
    assert verdict.reason.startswith("Người ra nước ngoài")
    assert [ref.id for ref in verdict.legal_basis] == ["law41_art70"]
    assert verdict.is_final and not verdict.unverified
    assert verdict.outcome_label == "Đủ điều kiện"


def test_nothing_answered_asks_the_first_question(mot_lan):
    verdict = evaluate(mot_lan, {}, AFTER_LAW)
    assert verdict.outcome == "incomplete"
    assert verdict.next_question.id == "ly_do"
    assert verdict.rule_id is None and not verdict.is_final


def test_questions_come_one_at_a_time_in_order(mot_lan):
    answers: dict[str, object] = {"ly_do": "nghi_viec"}
    asked = []
    script = {"ngay_bat_dau_dong": "01/03/2015", "ngay_dung_dong": "15/01/2025",
              "so_nam_dong": "10", "dang_dong_tu_nguyen": "không"}
    verdict = evaluate(mot_lan, answers, AFTER_LAW)
    while verdict.outcome == "incomplete":
        question = verdict.next_question
        asked.append(question.id)
        answers[question.id] = script[question.id]
        verdict = evaluate(mot_lan, answers, AFTER_LAW)
    assert asked == ["ngay_bat_dau_dong", "ngay_dung_dong", "so_nam_dong", "dang_dong_tu_nguyen"]
    assert verdict.outcome == "eligible"
    assert verdict.rule_id == "nghi_viec_du_dieu_kien"


def test_first_contribution_before_1_7_2025_keeps_the_12_month_rule(mot_lan):
    verdict = evaluate(mot_lan, nghi_viec(ngay_bat_dau_dong="30/06/2025"), AFTER_LAW)
    assert verdict.outcome == "eligible"


def test_first_contribution_from_1_7_2025_cannot_withdraw(mot_lan):
    verdict = evaluate(mot_lan, nghi_viec(ngay_bat_dau_dong="01/07/2025"), AFTER_LAW)
    assert verdict.outcome == "not_eligible"
    assert verdict.rule_id == "bat_dau_tu_01_7_2025"
    assert verdict.alternatives == ["dang_ky_bhxh_tu_nguyen"]


def test_months_since_stopping_are_counted_to_the_evaluation_date(mot_lan):
    answers = nghi_viec(ngay_dung_dong="2025-06-01")
    assert evaluate(mot_lan, answers, date(2026, 5, 31)).rule_id == "chua_du_12_thang"
    assert evaluate(mot_lan, answers, date(2026, 6, 1)).rule_id == "nghi_viec_du_dieu_kien"


def test_rules_follow_the_evaluation_date(mot_lan):
    """Before 01/7/2025 the old law's rule applies; the new law's rules are out of force."""
    answers = nghi_viec(ngay_bat_dau_dong="2010-01-01", ngay_dung_dong="2024-01-01")
    old = evaluate(mot_lan, answers, BEFORE_LAW)
    assert old.outcome == "eligible"
    assert old.rule_id == "nghi_viec_luat_cu"
    assert old.legal_basis[0].id == "law58_art60"
    new = evaluate(mot_lan, answers, AFTER_LAW)
    assert new.rule_id == "nghi_viec_du_dieu_kien"


def test_skipped_questions_are_not_asked(mot_lan):
    verdict = evaluate(mot_lan, {"ly_do": "du_tuoi"}, AFTER_LAW)
    assert verdict.next_question.id == "so_nam_dong"
    assert evaluate(mot_lan, {"ly_do": "du_tuoi", "so_nam_dong": 16}, AFTER_LAW).outcome == (
        "not_eligible"
    )


def test_answers_to_skipped_questions_are_ignored(mot_lan):
    verdict = evaluate(mot_lan, {"ly_do": "du_tuoi", "so_nam_dong": 10,
                                 "ngay_bat_dau_dong": "2025-08-01"}, AFTER_LAW)
    assert verdict.rule_id == "du_tuoi_chua_du_15_nam"


def test_default_decides_when_no_rule_matches(mot_lan):
    verdict = evaluate(mot_lan, nghi_viec(so_nam_dong="25"), AFTER_LAW)
    assert verdict.outcome == "needs_staff"
    assert verdict.rule_id is None
    assert "cán bộ" in verdict.reason


def test_yes_no_and_negation(tu_nguyen):
    base = {"tuoi": "40", "dang_dong_bat_buoc": "không", "dang_huong_luong_huu": "không"}
    assert evaluate(tu_nguyen, base, AFTER_LAW).outcome == "eligible"
    assert evaluate(tu_nguyen, {**base, "dang_dong_bat_buoc": "có"}, AFTER_LAW).rule_id == (
        "dang_dong_bat_buoc"
    )
    assert evaluate(tu_nguyen, {"tuoi": 14}, AFTER_LAW).rule_id == "duoi_15_tuoi"
    partial = evaluate(tu_nguyen, {"tuoi": 40}, AFTER_LAW)
    assert partial.next_question.id == "dang_dong_bat_buoc"


def test_verdict_carries_the_answers_as_read(tu_nguyen):
    verdict = evaluate(tu_nguyen, {"tuoi": "40", "dang_dong_bat_buoc": "ko"}, AFTER_LAW)
    assert verdict.answers == {"tuoi": 40, "dang_dong_bat_buoc": False}


def test_bad_answer_raises_a_vietnamese_error(tu_nguyen):
    with pytest.raises(AnswerError, match="số nguyên") as caught:
        evaluate(tu_nguyen, {"tuoi": "40,5"}, AFTER_LAW)
    assert caught.value.question_id == "tuoi"


def test_unverified_legal_basis_marks_the_verdict(cat, mot_lan):
    import dataclasses

    rule = dataclasses.replace(mot_lan.rules[0], verified=False)
    proc = dataclasses.replace(
        mot_lan, eligibility=dataclasses.replace(mot_lan.eligibility, rules=(rule,))
    )
    assert evaluate(proc, {"ly_do": "dinh_cu"}, AFTER_LAW).unverified is True


def test_module_helpers_match_the_procedure_methods(mot_lan):
    answers = {"ly_do": "dinh_cu", "hinh_thuc_nhan": "tien_mat"}
    assert documents_for(mot_lan, answers, AFTER_LAW) == mot_lan.documents_for(answers, AFTER_LAW)
    assert fields_for(mot_lan, answers, AFTER_LAW) == mot_lan.fields_for(answers, AFTER_LAW)
    assert questions_to_ask(mot_lan, {}, AFTER_LAW) == mot_lan.questions_to_ask({}, AFTER_LAW)
