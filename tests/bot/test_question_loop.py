"""How a question loop reads the citizen's message for the current question."""

from __future__ import annotations

from datetime import date

import pytest

from bot.actions import catalog_access
from bot.actions.conversation import LatestMessage
from bot.actions.question_loop import Decision, decide


def message(
    text: str, intent: str = "inform", entities: dict[str, object] | None = None
) -> LatestMessage:
    return LatestMessage(text, intent, tuple((entities or {}).items()), ((intent, 0.9),))


def question(question_id: str):
    proc = catalog_access.procedure("thu_tuc_mau")
    assert proc is not None
    found = proc.question(question_id)
    assert found is not None
    return found


def run(question_id: str, msg: LatestMessage, after_prompt: bool = False, optional: bool = False):
    return decide(
        question(question_id),
        msg,
        after_prompt=after_prompt,
        start_intent="ask_eligibility",
        procedure_id="thu_tuc_mau",
        optional=optional,
    )


def test_a_button_answers_a_choice_question():
    outcome = run(
        "tinh_trang", message('/inform{"answer":"da_dung"}', entities={"answer": "da_dung"})
    )
    assert outcome.decision is Decision.ACCEPT
    assert outcome.value == "da_dung"


@pytest.mark.parametrize("typed", ["Đã dừng đóng", "da dung dong", "1"])
def test_a_typed_label_or_number_answers_a_choice_question(typed):
    outcome = run("tinh_trang", message(typed))
    assert (outcome.decision, outcome.value) == (Decision.ACCEPT, "da_dung")


def test_yes_and_no_are_read_for_a_yes_no_question():
    assert run("dinh_cu", message("có", "affirm")).value is True
    assert run("dinh_cu", message("không ạ", "deny")).value is False


def test_a_date_is_read_in_the_vietnamese_order():
    outcome = run("ngay_dung_dong", message("15/02/2025"))
    assert outcome.value == date(2025, 2, 15)


def test_an_unreadable_date_gets_one_message_with_an_example():
    outcome = run("ngay_dung_dong", message("dạo trước", "nlu_fallback"))
    assert outcome.decision is Decision.ERROR
    assert "ví dụ" in outcome.message.lower()
    assert "/" in outcome.message  # the example shows the date format


def test_a_number_out_of_range_is_an_error():
    outcome = run("so_nam_dong", message("99"))
    assert outcome.decision is Decision.ERROR
    assert "60" in outcome.message


def test_a_date_inside_a_sentence_is_taken_from_the_extracted_entity():
    outcome = run(
        "ngay_dung_dong", message("tôi nghỉ từ 1/3/2024", entities={"date": "2024-03-01"})
    )
    assert outcome.value == date(2024, 3, 1)


def test_a_side_question_is_left_to_the_rules():
    assert (
        run("tinh_trang", message("cần giấy tờ gì", "ask_documents")).decision is Decision.REJECT
    )
    assert run("ngay_dung_dong", message("nộp ở đâu", "ask_where_to_submit")).decision is (
        Decision.REJECT
    )


def test_a_number_classified_as_a_side_question_still_answers_a_number_question():
    outcome = run("so_nam_dong", message("12 năm", "ask_amount"))
    assert (outcome.decision, outcome.value) == (Decision.ACCEPT, 12)


def test_a_button_of_another_question_is_left_to_the_rules():
    assert run("tinh_trang", message("/greet", "greet")).decision is Decision.REJECT


def test_continue_repeats_the_question():
    assert run("tinh_trang", message("tiếp tục", "continue")).decision is Decision.REASK


def test_after_the_continue_prompt_yes_repeats_and_no_stops():
    assert run("dinh_cu", message("có", "affirm"), after_prompt=True).decision is Decision.REASK
    assert run("dinh_cu", message("không", "deny"), after_prompt=True).decision is Decision.STOP


def test_asking_eligibility_again_repeats_unless_another_procedure_is_named():
    same = message("tôi có đủ điều kiện không", "ask_eligibility")
    other = message("còn thủ tục khác thì sao", "ask_eligibility", {"procedure": "thu_tuc_khac"})
    assert run("tinh_trang", same).decision is Decision.REASK
    assert run("tinh_trang", other).decision is Decision.REJECT


def test_an_optional_question_can_be_skipped_by_button_or_words():
    skip_button = message('/inform{"answer":"bo_qua"}', entities={"answer": "bo_qua"})
    assert run("so_nam_dong", skip_button, optional=True).value is None
    assert run("so_nam_dong", message("Bỏ qua"), optional=True).decision is Decision.ACCEPT
    assert run("so_nam_dong", message("Bỏ qua")).decision is Decision.ERROR


def test_a_duration_typed_in_words_is_read_back():
    from bot.actions.catalog_access import Question
    from bot.actions.render_loop import read_back

    years = Question("so_nam_dong", "Bao nhiêu năm?", "number", unit="năm")
    assert [r.text for r in read_back(years, "10 năm 8 tháng", 128 / 12)] == [
        "Tôi ghi: 10 năm 8 tháng (128 tháng)."
    ]
    assert read_back(years, "12", 12) == []


def test_a_month_or_a_year_alone_is_read_back():
    from datetime import date

    from bot.actions.catalog_access import Question
    from bot.actions.render_loop import read_back

    start = Question("ngay_bat_dau_dong", "Từ ngày nào?", "date")
    assert [r.text for r in read_back(start, "t8/2024", date(2024, 8, 1))] == [
        "Tôi ghi: tháng 08/2024."
    ]
    assert [r.text for r in read_back(start, "từ năm 2008", date(2008, 1, 1))] == [
        "Tôi ghi: năm 2008."
    ]
    assert read_back(start, "01/03/2012", date(2012, 3, 1)) == []


def _real(procedure_id: str, question_id: str):
    proc = catalog_access.procedure(procedure_id)
    assert proc is not None
    found = proc.question(question_id)
    assert found is not None
    return found


@pytest.mark.usefixtures("real_catalog")
@pytest.mark.parametrize("intent", ["proc_huong_bhxh_mot_lan", "cancel_like", "out_of_scope"])
def test_a_typed_answer_to_a_closed_question_is_read_whatever_the_intent(intent):
    """"tôi nghỉ rồi, không đóng nữa" got "vui lòng chọn một mục", again and again."""
    outcome = decide(
        _real("huong_bhxh_mot_lan", "tinh_trang_dong"),
        message("tôi nghỉ rồi, không đóng nữa", intent),
        after_prompt=False,
        start_intent="ask_eligibility",
        procedure_id="huong_bhxh_mot_lan",
    )
    assert outcome.decision is Decision.ACCEPT and outcome.value == "da_dung"


@pytest.mark.usefixtures("real_catalog")
def test_a_question_in_the_middle_of_a_closed_question_is_left_to_the_dialogue():
    outcome = decide(
        _real("huong_bhxh_mot_lan", "tinh_trang_dong"),
        message("bao lâu thì có tiền vậy", "ask_processing_time"),
        after_prompt=False,
        start_intent="ask_eligibility",
        procedure_id="huong_bhxh_mot_lan",
    )
    assert outcome.decision is Decision.REJECT
