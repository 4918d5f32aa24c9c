"""Questions of fact answered from the knowledge base: what the citizen reads, buttons, routing."""

from __future__ import annotations

import pytest

from bot.actions.answer_question import ActionAnswerQuestion, answer_replies, knowledge
from bot.actions.fallback import ActionFallback
from bot.nlu.topic_router import route
from tests.bot.conftest import buttons, events_as_dict, make_tracker, texts

pytestmark = pytest.mark.usefixtures("real_catalog")


@pytest.fixture(autouse=True)
def fresh_knowledge() -> None:
    knowledge.cache_clear()


async def test_mai_tang_is_answered_with_the_figure_and_buttons(dispatcher):
    # Luật 41/2024 Điều 85 khoản 2: 10 × mức tham chiếu 2.340.000 đồng (01/03/2026)
    tracker = make_tracker("Tiền mai táng phí bây giờ là bao nhiêu?", "ask_question")
    events = events_as_dict(await ActionAnswerQuestion().run(dispatcher, tracker, {}))
    lines = texts(dispatcher)[0].split("\n")
    assert lines[0] == "Xin chia buồn cùng gia đình ông/bà."
    assert lines[1].startswith("Trợ cấp mai táng là 23.400.000 đồng")
    assert lines[2] == "Căn cứ: Điều 85, Điều 91, Luật Bảo hiểm xã hội số 41/2024/QH15."
    assert [b["title"] for b in buttons(dispatcher)] == [
        "Tính chi tiết", "Giấy tờ cần có", "Nộp hồ sơ", "Gặp nhân viên"]
    assert buttons(dispatcher)[0]["payload"] == '/ask_amount{"procedure":"che_do_tu_tuat"}'
    assert events["procedure"] == "che_do_tu_tuat"


async def test_three_questions_then_one_set_of_buttons(dispatcher):
    text = ("đóng tự nguyện ít nhất mỗi tháng bao nhiêu? mấy năm thì có lương hưu? "
            "còn tiền mai táng bây giờ là bao nhiêu?")
    await ActionAnswerQuestion().run(dispatcher, make_tracker(text, "ask_question"), {})
    said = texts(dispatcher)
    assert len(said) == 3
    assert said[0].split("\n")[1].startswith("Mức đóng BHXH tự nguyện thấp nhất là 330.000 đồng")
    assert said[1].startswith("Ông/bà cần đóng BHXH từ đủ 15 năm")
    assert "23.400.000 đồng" in said[2]
    assert [bool(m.get("buttons")) for m in dispatcher.messages] == [False, False, True]
    assert len(dispatcher.messages[-1]["buttons"]) <= 5


async def test_a_topic_button_answers_that_topic(dispatcher):
    tracker = make_tracker('/ask_question{"topic":"lua_dao_otp"}', "ask_question",
                           {"topic": "lua_dao_otp"})
    await ActionAnswerQuestion().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Đây rất có thể là lừa đảo.")
    assert "1900 9068" in texts(dispatcher)[0]


def test_answer_replies_for_a_form_computes_from_the_message():
    result = answer_replies("tôi đóng từ 2012 đến 2024, lương 7 triệu thì rút được bao nhiêu")
    assert result.answered and result.procedure == "huong_bhxh_mot_lan"
    assert "175.000.000 đồng" in result.replies[0].text.split("\n")[0]


async def test_the_fallback_offers_the_closest_topics(dispatcher):
    tracker = make_tracker("tiền mai táng", "nlu_fallback")
    tracker.latest_message["topics"] = [
        {"id": "mai_tang_phi_bao_nhieu", "score": 0.6}, {"id": "han_nop_ho_so_tu_tuat",
                                                        "score": 0.35},
        {"id": "lua_dao_otp", "score": 0.05}]
    await ActionFallback().run(dispatcher, tracker, {})
    assert [b["title"] for b in buttons(dispatcher)] == [
        "Trợ cấp mai táng bao nhiêu tiền", "Hạn nộp hồ sơ tử tuất và nộp ở đâu", "Gặp nhân viên"]


@pytest.mark.parametrize(
    ("intent", "text", "score", "routed"),
    [
        ("ask_amount", "Tiền mai táng phí bây giờ là bao nhiêu?", 0.87, True),
        ("proc_huong_bhxh_mot_lan", "mấy năm thì có lương hưu", 0.9, True),
        ("proc_huong_bhxh_mot_lan", "tôi muốn rút bhxh một lần", 0.8, False),
        ("proc_che_do_tu_tuat", "Bố tôi mất tháng trước, gia đình được hưởng gì?", 0.6, False),
        ("greet", "chào bạn, tiền mai táng bao nhiêu", 0.8, False),
        ("proc_huong_bhxh_mot_lan", "Tôi muốn rút bảo hiểm xã hội một lần", 0.9, False),
        ("ask_capabilities", "bot lam dc j", 0.5, False),
        ("ask_documents", "rút một lần cần giấy tờ gì", 0.5, False),
        ("inform", "co nguoi doi ma otp", 0.6, True),
        ("ask_amount", "được bao nhiêu", 0.3, False),
    ],
)
def test_route(intent: str, text: str, score: float, routed: bool) -> None:
    assert route(intent, text, [("t", score), ("u", 0.1)], has_procedure=False) is routed
