import unicodedata

import pytest

from bhxh_catalog.vntext import collapse_repeats, fold, is_question, normalize, tokens


def test_normalize_turns_nfd_into_nfc_and_repairs_eth():
    nfd = unicodedata.normalize("NFD", "Bảo hiểm xã hội")
    assert normalize(nfd) == "Bảo hiểm xã hội"
    assert normalize("ðăng ký Ðà Nẵng") == "đăng ký Đà Nẵng"


def test_fold_removes_diacritics_and_maps_d_stroke():
    assert fold("Được") == "duoc"
    assert fold("Đà Nẵng") == "da nang"
    assert fold("hoà") == fold("hòa") == "hoa"


def test_collapse_repeats_keeps_digits():
    assert collapse_repeats("nhiềuuuu quáaaa") == "nhiều quá"
    assert collapse_repeats("0900000123") == "0900000123"


def test_tokens_of_unaccented_and_accented_text_match():
    assert tokens("Rút BHXH một lần!!!") == tokens("rut bhxh mot lan") == [
        "rut", "bhxh", "mot", "lan",
    ]


@pytest.mark.parametrize(
    "text",
    ["bao lâu thì có tiền", "có được rút không", "toi co dong bhxh khong", "mai tang bn",
     "nộp ở đâu vậy", "Giấy tờ gì?"],
)
def test_questions_are_recognised(text):
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    ["tôi nghỉ rồi, không đóng nữa", "không", "tôi không", "Không, mẹ tôi chưa nhận",
     "tu tien mat qua tai khoan", "có ạ"],
)
def test_answers_are_not_questions(text):
    assert not is_question(text)
