"""The dossier as the catalog defines it: next step, reading answers, known values, display."""

from __future__ import annotations

import pytest

from bot.actions import catalog_access, dossier
from bot.actions.catalog_access import InvalidValue
from bot.actions.dossier import DossierState
from tests.bot.conftest import PENSION, PENSION_TO_BANK, TODAY

pytestmark = pytest.mark.usefixtures("real_catalog")


def state(procedure_id: str = PENSION, answers=None, fields=None, editing=None) -> DossierState:
    proc = catalog_access.procedure(procedure_id)
    assert proc is not None
    return DossierState(proc, dict(answers or {}), dict(fields or {}), editing)


def test_the_eligibility_questions_come_first_then_the_fields_in_order():
    step = dossier.next_step(state(), TODAY)
    assert step is not None and step.question is not None
    assert step.question.id == "dang_huong"
    step = dossier.next_step(state(answers=PENSION_TO_BANK), TODAY)
    assert step is not None and step.field is not None
    assert step.field.id == "ho_ten"
    assert step.key == "f:ho_ten"


def test_conditional_fields_follow_the_eligibility_answers():
    to_bank = [item.id for item in dossier.active_fields(state(answers=PENSION_TO_BANK), TODAY)]
    assert {"ngan_hang", "so_tai_khoan", "xac_nhan_chinh_chu"} <= set(to_bank)
    assert "dia_chi" not in to_bank
    cash = state(answers={"dang_huong": True, "thay_doi": "sang_tien_mat"})
    to_cash = [item.id for item in dossier.active_fields(cash, TODAY)]
    assert "so_tai_khoan" not in to_cash
    assert "dia_chi" in to_cash


def test_a_field_being_corrected_is_asked_before_anything_else():
    step = dossier.next_step(state(answers=PENSION_TO_BANK, editing="so_dien_thoai"), TODAY)
    assert step is not None and step.field is not None
    assert step.field.id == "so_dien_thoai"


def test_nothing_left_when_every_field_is_given_or_skipped():
    active = dossier.active_fields(state(answers=PENSION_TO_BANK), TODAY)
    fields = {item.id: None for item in active}
    assert dossier.next_step(state(answers=PENSION_TO_BANK, fields=fields), TODAY) is None


def test_a_free_sentence_gives_the_value_inside_it():
    item = catalog_access.procedure(PENSION).field("so_cccd")
    found, error = dossier.read_field_candidates(
        state(), item, "cccd cua toi la 056 160 001 234", []
    )
    assert (found, error) == ("056160001234", None)


def test_a_wrong_number_inside_a_sentence_gets_the_message_about_that_number():
    item = catalog_access.procedure(PENSION).field("so_cccd")
    found, error = dossier.read_field_candidates(
        state(), item, "cccd cua toi la 056 160 001 23", []
    )
    assert found is None
    assert error is not None and "12 chữ số" in error


def test_the_cccd_is_checked_against_the_birth_date_already_given():
    item = catalog_access.procedure(PENSION).field("so_cccd")
    with pytest.raises(InvalidValue) as raised:
        dossier.read_field(state(fields={"ngay_sinh": "1960-08-20"}), item, "056170001234")
    assert "năm sinh" in raised.value.message
    assert raised.value.message.count("Ví dụ") == 1


def test_names_lose_the_words_before_them():
    item = catalog_access.procedure(PENSION).field("ho_ten")
    assert dossier.read_field(state(), item, "tên tôi là Nguyễn Văn Bình") == "Nguyễn Văn Bình"
    assert dossier.read_field(state(), item, "La Văn Cầu") == "La Văn Cầu"


def test_values_kept_as_json_a_bank_by_name_a_province_by_its_current_label():
    proc = catalog_access.procedure(PENSION)
    assert dossier.read_field(state(), proc.field("ngan_hang"), "ngân hàng ngoại thương") == (
        "Vietcombank"
    )
    province = proc.field("tinh_nhan_luong_huu")
    assert dossier.read_field(state(), province, "Bình Dương") == "TP Hồ Chí Minh"
    assert "Bình Dương" in (dossier.province_note(province, "Bình Dương") or "")
    assert dossier.read_field(state(), proc.field("ngay_sinh"), "20/8/1960") == "1960-08-20"


def test_identifiers_typed_earlier_fill_their_field_once():
    known = {"phone": ["0912345678"], "cccd": ["056160001234", "056160001234"]}
    filled = dossier.prefill(state(answers=PENSION_TO_BANK), known, TODAY)
    assert filled == {"so_dien_thoai": "0912345678", "so_cccd": "056160001234"}
    two_phones = {"phone": ["0912345678", "0987654321"]}
    assert dossier.prefill(state(answers=PENSION_TO_BANK), two_phones, TODAY) == {}


def test_an_eligibility_answer_with_the_fields_id_is_not_asked_again():
    answers = {"tinh_trang_dong": "da_dung", "ly_do": "du_tuoi", "ngay_sinh": "1963-05-01"}
    current = state("huong_bhxh_mot_lan", answers=answers)
    ids = [item.id for item in dossier.active_fields(current, TODAY)]
    assert "ngay_sinh_nguoi_de_nghi" not in ids  # its ask_if: the birth date is not known yet


def test_sensitive_numbers_are_masked_other_values_read_naturally():
    proc = catalog_access.procedure(PENSION)
    # the owner sees in full what they typed, grouped; anyone else sees it masked
    assert dossier.display(proc.field("so_cccd"), "056160001234") == "056 160 001 234"
    assert dossier.display(proc.field("so_dien_thoai"), "0912345678") == "0912 345 678"
    assert dossier.display(proc.field("so_tai_khoan"), "0011001234567") == "0011001234567"
    assert dossier.masked(proc.field("so_cccd"), "056160001234") == "056******234"
    assert dossier.masked(proc.field("so_dien_thoai"), "0912345678") == "09******78"
    assert dossier.masked(proc.field("so_tai_khoan"), "0011001234567") == "*********4567"
    assert dossier.display(proc.field("ngay_sinh"), "1960-08-20") == "20/08/1960"
    assert dossier.display(proc.field("xac_nhan_chinh_chu"), True) == "Có"
    assert dossier.display(proc.field("chi_nhanh_ngan_hang"), None) == "(bỏ qua)"


def test_only_given_active_fields_are_sent():
    fields = {"ho_ten": "Nguyễn Văn Bình", "chi_nhanh_ngan_hang": None, "dia_chi": "15 Yersin"}
    sent = dossier.submitted_fields(state(answers=PENSION_TO_BANK, fields=fields), TODAY)
    assert sent == {"ho_ten": "Nguyễn Văn Bình"}  # skipped and not-applicable ones left out


def test_the_paper_documents_follow_the_answers():
    emigration = state("huong_bhxh_mot_lan", answers={"ly_do": "dinh_cu"})
    names = [doc.name for doc in dossier.paper_documents(emigration, TODAY)]
    assert "Sổ bảo hiểm xã hội" in names
    retirement = state("huong_bhxh_mot_lan", answers={"ly_do": "nghi_viec"})
    all_docs = {doc.id for doc in dossier.documents(emigration, TODAY)}
    assert all_docs - {doc.id for doc in dossier.documents(retirement, TODAY)}


def test_a_typed_correction_names_its_field():
    fields = dossier.active_fields(state(answers=PENSION_TO_BANK), TODAY)
    named = dossier.field_named(fields, "sửa số điện thoại thành 0987654321")
    assert named is not None and named.id == "so_dien_thoai"
    assert dossier.field_named(fields, "sửa giúp tôi") is None


def test_a_daughter_files_for_her_mother_with_her_own_cccd():
    """The survivors' form checked the daughter's CCCD against her father's birth year."""
    filing = state("che_do_tu_tuat", answers={"ngay_sinh_vo_chong": "1950-03-02",
                                              "gioi_tinh_vo_chong": "nam"})
    item = filing.proc.field("so_cccd")
    assert item is not None
    # 0 = female born in the 20th century, 80 = born in 1980: her own card, not her father's
    assert dossier.read_field(filing, item, "001180012345") == "001180012345"
