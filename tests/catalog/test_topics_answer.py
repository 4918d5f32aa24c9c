"""Answering citizens' questions from the topics: ranking, splitting, the reply as a whole."""

from __future__ import annotations

from datetime import date

import pytest

from bhxh_catalog import load_catalog
from bhxh_catalog.config import catalog_dir
from bhxh_catalog.topics import load_topics
from bhxh_catalog.topics_answer import (
    CONDOLENCE,
    KnowledgeBase,
    answer_message,
    is_question,
    is_scam,
    legal_line,
)
from bhxh_catalog.topics_rank import split_questions

DAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    root = catalog_dir()
    return KnowledgeBase.build(load_topics(root), load_catalog(root))


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Tiền mai táng phí bây giờ là bao nhiêu?", "mai_tang_phi_bao_nhieu"),
        ("tien ma chay bhxh tra bn", "mai_tang_phi_bao_nhieu"),
        ("đóng tự nguyện ít nhất mỗi tháng bao nhiêu", "tu_nguyen_dong_toi_thieu"),
        ("mấy năm thì có lương hưu", "may_nam_co_luong_huu"),
        ("tôi đóng từ 2012 đến 2024, lương 7 triệu thì rút được bao nhiêu",
         "bhxh_mot_lan_duoc_bao_nhieu"),
        ("co nguoi goi dien doi ma otp de cap nhat vssid", "lua_dao_otp"),
        ("nha toi 5 nguoi mua bhyt het bao nhieu", "bhyt_ho_gia_dinh_bao_nhieu"),
    ],
)
def test_the_right_topic_is_found(kb: KnowledgeBase, text: str, topic: str) -> None:
    assert kb.ranker.rank(text)[0][0] == topic


def test_mai_tang_answer_gives_the_figure_first(kb: KnowledgeBase) -> None:
    # Luật 41/2024 Điều 85 khoản 2: 10 × mức tham chiếu 2.340.000 đồng
    reply = answer_message("Tiền mai táng phí bây giờ là bao nhiêu?", kb, DAY)
    first = reply.answers[0]
    assert first.text.startswith("Trợ cấp mai táng là 23.400.000 đồng")
    assert first.legal == "Căn cứ: Điều 85, Điều 91, Luật Bảo hiểm xã hội số 41/2024/QH15."


def test_tu_nguyen_minimum(kb: KnowledgeBase) -> None:
    # Luật 41/2024 Điều 31 khoản 2: 22% × chuẩn nghèo nông thôn 1.500.000 = 330.000 đồng
    reply = answer_message("đóng tự nguyện ít nhất mỗi tháng bao nhiêu", kb, DAY)
    assert reply.answers[0].text.startswith(
        "Mức đóng BHXH tự nguyện thấp nhất là 330.000 đồng mỗi tháng"
    )


def test_years_to_pension(kb: KnowledgeBase) -> None:
    # Luật 41/2024 Điều 64: đủ 15 năm
    reply = answer_message("mấy năm thì có lương hưu", kb, DAY)
    assert reply.answers[0].text.startswith("Ông/bà cần đóng BHXH từ đủ 15 năm")
    assert "kiem_tra_dieu_kien" in [name for name, _ in reply.follow_ups]


def test_lump_sum_computed_from_the_message(kb: KnowledgeBase) -> None:
    reply = answer_message("tôi đóng từ 2012 đến 2024, lương 7 triệu thì rút được bao nhiêu",
                           kb, DAY)
    assert reply.answers[0].computed
    assert "175.000.000 đồng" in reply.answers[0].text.split(". ")[0]


def test_three_questions_are_answered_in_order(kb: KnowledgeBase) -> None:
    text = ("Cho hỏi đóng tự nguyện thấp nhất bao nhiêu? Mấy năm thì có lương hưu? "
            "Còn tiền mai táng bây giờ là bao nhiêu?")
    reply = answer_message(text, kb, DAY)
    assert [a.topic.id for a in reply.answers] == [
        "tu_nguyen_dong_toi_thieu", "may_nam_co_luong_huu", "mai_tang_phi_bao_nhieu"]
    names = [name for name, _ in reply.follow_ups]
    assert len(names) == len(set(names))


def test_a_death_gets_condolence_and_the_deadline(kb: KnowledgeBase) -> None:
    text = ("Bố tôi mất ngày 20/2/2026. Gia đình được tiền mai táng bao nhiêu? "
            "Hạn nộp hồ sơ khi nào?")
    reply = answer_message(text, kb, DAY)
    assert reply.condolence and CONDOLENCE.startswith("Xin chia buồn")
    assert [a.topic.id for a in reply.answers] == ["mai_tang_phi_bao_nhieu",
                                                  "han_nop_ho_so_tu_tuat"]
    assert reply.answers[0].text.startswith("Người mất ngày 20/02/2026 thì trợ cấp mai táng là "
                                            "23.400.000 đồng")
    assert "trước ngày 21/05/2026" in " ".join(a.text for a in reply.answers)


def test_a_scam_is_warned_with_the_hotline(kb: KnowledgeBase) -> None:
    reply = answer_message("có người xưng cán bộ bhxh gọi bảo đọc mã OTP để được nhận tiền",
                           kb, DAY)
    assert reply.scam and reply.answers[0].topic.tone == "scam"
    assert "1900 9068" in reply.answers[0].text


def test_unsure_offers_few_topics_never_everything(kb: KnowledgeBase) -> None:
    reply = answer_message("tiền", kb, DAY)
    assert not reply.answers
    assert len(reply.suggestions) <= 3


def test_split_questions() -> None:
    assert split_questions("A b c? D e f? G h i? K l m?") == ["A b c", "D e f", "G h i. K l m"]
    assert split_questions("cho hỏi mức đóng thấp nhất, ngoài ra mấy năm thì có lương hưu") == [
        "cho hỏi mức đóng thấp nhất", "mấy năm thì có lương hưu"]
    assert split_questions("tiền mai táng bao nhiêu") == ["tiền mai táng bao nhiêu"]


def test_is_question() -> None:
    assert is_question("mấy năm thì có lương hưu")
    assert is_question("tien mai tang bn")
    assert not is_question("tôi muốn rút bhxh một lần")


def test_legal_line_keeps_two_references() -> None:
    catalog = load_catalog(catalog_dir())
    refs = [catalog.legal_basis(r) for r in ("law41_art85", "law41_art91", "law41_art64")]
    assert legal_line(refs, DAY) == (
        "Căn cứ: Điều 85, Điều 91, Luật Bảo hiểm xã hội số 41/2024/QH15.")


@pytest.mark.parametrize(
    ("text", "scam"),
    [
        ("có người gọi xưng cán bộ bhxh bảo đọc mã OTP", True),
        ("co ng nhan tin bao dong phi de lam nhanh ho so rut 1 lan", True),
        ("nhận được tin nhắn có đường link cập nhật vssid", True),
        ("tôi không nhận được mã OTP khi đăng ký VssID", False),
        ("tôi muốn chuyển tiền lương hưu về tài khoản ngân hàng", False),
        ("phí cấp lại thẻ bhyt là bao nhiêu", False),
    ],
)
def test_is_scam(text: str, scam: bool) -> None:
    assert is_scam(text) is scam


def test_installing_the_official_app_is_not_a_scam() -> None:
    assert not is_scam("Cài ứng dụng bảo hiểm xã hội số trên điện thoại rồi mà không biết đăng ký")


def test_a_loss_is_not_a_death():
    """"rút 1 lần thì mất những quyền lợi gì" was answered with condolences."""
    from bhxh_catalog.topics_answer import _DEATH

    assert not _DEATH.search("rut 1 lan thi mat nhung quyen loi j z")
    assert not _DEATH.search("toi lam mat so bhxh")
    assert _DEATH.search("bo toi mat ngay 20/11")
    assert _DEATH.search("me toi moi mat")
