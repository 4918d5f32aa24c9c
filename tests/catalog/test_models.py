import dataclasses
import unicodedata
from datetime import date

import pytest

from bhxh_catalog import AnswerError, CatalogError, Option, Question

DAY = date(2026, 5, 1)


# -------------------------------------------------------------------- reading chat answers

YES_NO = Question("q", "?", "yes_no")
CHOICE = Question("ly_do", "?", "choice", options=(
    Option("dinh_cu", "Ra nước ngoài định cư"), Option("nghi_viec", "Nghỉ việc"),
))
YEARS = Question("so_nam", "?", "number", unit="năm", minimum=0, maximum=60)
MONTHS = Question("so_thang", "?", "choice", options=(Option("3", "3 tháng"), Option("12", "12")))


@pytest.mark.parametrize("raw", ["có", "co", "Có ạ", "ừ", "đúng rồi", "yes", True])
def test_yes_answers(raw):
    assert YES_NO.read(raw) is True


@pytest.mark.parametrize("raw", ["không", "khong", "ko", "Không có", "chưa", "no", False])
def test_no_answers(raw):
    assert YES_NO.read(raw) is False


def test_unclear_yes_no_asks_again_in_vietnamese():
    with pytest.raises(AnswerError, match="“có” hoặc “không”") as caught:
        YES_NO.read("để tôi nghĩ")
    assert caught.value.question_id == "q"


@pytest.mark.parametrize(
    ("raw", "value"),
    [("dinh_cu", "dinh_cu"), ("Ra nước ngoài định cư", "dinh_cu"), ("ra nuoc ngoai dinh cu",
     "dinh_cu"), ("2", "nghi_viec"), ("định cư", "dinh_cu"), ("NGHI_VIEC", "nghi_viec")],
)
def test_choice_accepts_value_label_number_or_unique_part(raw, value):
    assert CHOICE.read(raw) == value


def test_choice_prefers_a_value_over_a_position():
    assert MONTHS.read("12") == "12"
    assert MONTHS.read(3) == "3"


def test_unknown_choice_lists_the_options():
    with pytest.raises(AnswerError, match=r"1\. Ra nước ngoài định cư; 2\. Nghỉ việc"):
        CHOICE.read("khác")


@pytest.mark.parametrize(("raw", "value"), [("12", 12), ("1,5", 1.5), ("12 năm", 12),
                                            ("12 nam", 12), (7, 7), (2.5, 2.5),
                                            ("mười hai", 12), ("mười năm", 10),
                                            ("18 tháng", 1.5), ("10 năm 6 tháng", 10.5)])
def test_numbers(raw, value):
    assert YEARS.read(raw) == value


@pytest.mark.parametrize("raw", ["", True])
def test_bad_numbers_show_an_example(raw):
    with pytest.raises(AnswerError, match="Ví dụ: 12 năm"):
        YEARS.read(raw)


def test_numbers_out_of_bounds():
    with pytest.raises(AnswerError, match="từ 0 năm đến 60 năm"):
        YEARS.read("75")


def test_integer_refuses_fractions():
    question = Question("n", "?", "integer")
    assert question.read("3") == 3
    assert question.read(4.0) == 4
    with pytest.raises(AnswerError, match="số nguyên"):
        question.read("2,5")


@pytest.mark.parametrize(
    ("raw", "amount"),
    [("1.500.000", 1500000), ("1,500,000", 1500000), ("1500000", 1500000),
     ("1.500.000 đ", 1500000), ("1.500.000đ", 1500000), ("1,5 triệu", 1500000),
     ("2 triệu", 2000000), ("2tr", 2000000), ("1tr5", 1500000), ("500 nghìn", 500000),
     ("500k", 500000), ("1.500.000 VNĐ", 1500000), (2340000, 2340000)],
)
def test_money(raw, amount):
    assert Question("m", "?", "money").read(raw) == amount


@pytest.mark.parametrize("raw", ["1,5", "1.50.000", "nhiều tiền", "1.5.6 triệu", "-5"])
def test_bad_money(raw):
    with pytest.raises(AnswerError, match="1,5 triệu"):
        Question("m", "?", "money").read(raw)


def test_money_bounds_are_shown_in_dong():
    question = Question("m", "?", "money", minimum=1500000)
    with pytest.raises(AnswerError, match=r"1\.500\.000 đ"):
        question.read("1 triệu")


@pytest.mark.parametrize(
    ("raw", "day"),
    [("2025-07-01", date(2025, 7, 1)), ("01/07/2025", date(2025, 7, 1)),
     ("1/7/2025", date(2025, 7, 1)), ("1-7-2025", date(2025, 7, 1)),
     ("07/2025", date(2025, 7, 1)), ("ngày 1 tháng 7 năm 2025", date(2025, 7, 1)),
     (date(2025, 7, 1), date(2025, 7, 1))],
)
def test_dates(raw, day):
    assert Question("d", "?", "date").read(raw) == day


@pytest.mark.parametrize("raw", ["31/02/2025", "2025/07/01", 20250701])
def test_bad_dates(raw):
    with pytest.raises(AnswerError, match="01/07/2025"):
        Question("d", "?", "date").read(raw)


# ---------------------------------------------------------------------------- the model


def test_models_are_frozen_and_slotted(mot_lan):
    with pytest.raises(dataclasses.FrozenInstanceError):
        mot_lan.name = "x"  # type: ignore[misc]
    assert not hasattr(mot_lan, "__dict__")


def test_references_are_resolved_and_verified_is_inherited(mot_lan):
    rule = mot_lan.rules[0]
    assert rule.legal_basis[0].citation == "Điều 70, Luật Bảo hiểm xã hội số 41/2024/QH15"
    documents = {d.id: d for d in mot_lan.documents}
    assert documents["so_bhxh"].verified is True
    assert documents["don_de_nghi"].verified is False
    assert documents["don_de_nghi"].form_code == "14-HSB"
    assert documents["so_bhxh"].copy_label == "Bản chính"


def test_processing_time_reads_naturally(mot_lan):
    assert mot_lan.submission.processing_time.describe() == (
        "07 ngày làm việc kể từ ngày nhận đủ hồ sơ"
    )


def test_labels_in_vietnamese(mot_lan):
    assert mot_lan.category_label == "Chế độ bảo hiểm xã hội"
    assert mot_lan.submission.channels[1].kind_label == "Qua bưu điện"
    assert mot_lan.field("so_cccd").display_label == "Số CCCD"
    assert mot_lan.field("quoc_gia_dinh_cu").display_label == "quoc_gia_dinh_cu"


def test_questions_to_ask_skips_answered_and_not_applicable(mot_lan):
    assert [q.id for q in mot_lan.questions_to_ask({}, DAY)][:2] == ["ly_do", "ngay_bat_dau_dong"]
    assert mot_lan.questions_to_ask({"ly_do": "dinh_cu"}, DAY) == []
    remaining = mot_lan.questions_to_ask({"ly_do": "du_tuoi"}, DAY)
    assert [q.id for q in remaining] == ["so_nam_dong"]
    assert mot_lan.next_question({"ly_do": "Nghỉ việc, không đóng tiếp"}, DAY).id == (
        "ngay_bat_dau_dong"
    )


def test_documents_follow_the_answers(mot_lan):
    def ids(answers):
        return [d.id for d in mot_lan.documents_for(answers, DAY)]

    assert ids({"ly_do": "dinh_cu", "hinh_thuc_nhan": "tien_mat"}) == [
        "so_bhxh", "don_de_nghi", "giay_to_dinh_cu",
    ]
    assert ids({"ly_do": "benh_hiem_ngheo", "hinh_thuc_nhan": "tai_khoan"}) == [
        "so_bhxh", "don_de_nghi", "benh_an", "xac_nhan_tai_khoan",
    ]
    # a document whose condition is still unknown is kept
    assert "xac_nhan_tai_khoan" in ids({"ly_do": "dinh_cu"})


def test_fields_follow_the_answers(mot_lan):
    def ids(answers):
        return [f.id for f in mot_lan.fields_for(answers, DAY)]

    assert ids({"ly_do": "nghi_viec", "hinh_thuc_nhan": "tien_mat"}) == [
        "ho_ten", "so_cccd", "hinh_thuc_nhan",
    ]
    assert ids({"ly_do": "dinh_cu", "hinh_thuc_nhan": "2"}) == [
        "ho_ten", "so_cccd", "hinh_thuc_nhan", "quoc_gia_dinh_cu",
    ]
    assert "so_tai_khoan" in ids({"ly_do": "nghi_viec"})


def test_next_field_walks_the_form(mot_lan):
    answers = {"ly_do": "nghi_viec"}
    assert mot_lan.next_field(answers, DAY).id == "ho_ten"
    answers.update(ho_ten="Nguyễn Văn An", so_cccd="056160001234", hinh_thuc_nhan="tien_mat")
    assert mot_lan.next_field(answers, DAY) is None
    answers["hinh_thuc_nhan"] = "tai_khoan"
    assert mot_lan.next_field(answers, DAY).id == "so_tai_khoan"


def test_read_answers_types_questions_and_typed_fields(cat):
    proc = cat.get("dang_ky_bhxh_tu_nguyen")
    values = proc.read_answers({"tuoi": "40", "dang_dong_bat_buoc": "không", "ho_ten": "An",
                                "ngay_bat_dau": "01/08/2026", "khac": "x", "trong": ""})
    assert values == {"tuoi": 40, "dang_dong_bat_buoc": False, "ho_ten": "An",
                      "ngay_bat_dau": date(2026, 8, 1), "khac": "x"}


def test_unknown_amount_is_a_clear_error(mot_lan):
    with pytest.raises(CatalogError, match=r"không có ước tính 'muc_dong'.*muc_huong"):
        mot_lan.amount("muc_dong")


def test_public_api_is_exported():
    import bhxh_catalog

    assert len(set(bhxh_catalog.__all__)) == len(bhxh_catalog.__all__)
    for name in bhxh_catalog.__all__:
        assert getattr(bhxh_catalog, name) is not None
    assert {"load_catalog", "Catalog", "CatalogError", "Procedure", "Verdict", "Estimate",
            "evaluate", "estimate"} <= set(bhxh_catalog.__all__)


@pytest.mark.parametrize("raw", ["có", "co", "nam"])
def test_one_short_word_does_not_pick_an_option_by_accident(raw):
    question = Question("g", "?", "choice", options=(
        Option("ho_chieu", "Hộ chiếu nước ngoài"), Option("khac", "Giấy tờ khác / chưa có"),
        Option("nam_khac", "Năm khác"),
    ))
    with pytest.raises(AnswerError):
        question.read(raw)


@pytest.mark.parametrize("question", [YES_NO, CHOICE, YEARS, MONTHS, Question("m", "?", "money"),
                                      Question("d", "?", "date"), Question("i", "?", "integer")])
def test_any_typed_text_is_read_or_refused_politely(question):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.text(max_size=30).filter(lambda text: "Ví dụ" not in text))  # echoed in the error
    def check(text):
        try:
            question.read(text)
        except AnswerError as error:
            assert error.message.count("Ví dụ: ") == 1
            assert error.message.endswith(".")
            assert unicodedata.is_normalized("NFC", error.message)

    check()
