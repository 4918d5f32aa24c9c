"""The interactive eligibility check, one catalog question at a time, then the verdict."""

from __future__ import annotations

from bot.actions.eligibility import (
    ActionAskEligibilityAnswer,
    ActionAskEligibilityProcedure,
    ActionEligibilityStart,
    ActionEligibilityVerdict,
    ValidateEligibilityForm,
)
from tests.bot.conftest import (
    action_event,
    buttons,
    events_as_dict,
    form_turn,
    make_tracker,
    texts,
)

FORM = "eligibility_form"


def answers(procedure_answers: dict[str, object]) -> dict[str, object]:
    return {"thu_tuc_mau": procedure_answers}


def state(procedure_answers: dict[str, object], requested: str = "eligibility_answer"):
    return {
        "eligibility_procedure": "thu_tuc_mau",
        "eligibility_answers": answers(procedure_answers),
        "requested_slot": requested,
    }


async def validate(dispatcher, text, intent="inform", entities=None, answered=None, **kwargs):
    tracker = form_turn(
        FORM,
        text,
        intent,
        entities,
        slots=state(answered or {}),
        candidates={"eligibility_answer": text},
        **kwargs,
    )
    return await ValidateEligibilityForm().run(dispatcher, tracker, {})


async def test_start_uses_the_conversation_procedure_and_forgets_its_old_answers(dispatcher):
    tracker = make_tracker(
        "tôi có được hưởng không",
        "ask_eligibility",
        slots={
            "procedure": "thu_tuc_mau",
            "eligibility_answers": {"thu_tuc_mau": {"tinh_trang": "da_dung"}, "thu_tuc_khac": {}},
        },
    )
    events = events_as_dict(await ActionEligibilityStart().run(dispatcher, tracker, {}))
    assert events["eligibility_procedure"] == "thu_tuc_mau"
    assert events["eligibility_answers"] == {"thu_tuc_khac": {}}
    assert "Thủ tục mẫu" in texts(dispatcher)[0]
    assert "hủy" in texts(dispatcher)[0]


async def test_without_a_procedure_the_check_asks_which_one(dispatcher):
    tracker = make_tracker("tôi có được hưởng không", "ask_eligibility")
    events = events_as_dict(await ActionEligibilityStart().run(dispatcher, tracker, {}))
    assert events["eligibility_procedure"] is None
    assert dispatcher.messages == []

    await ActionAskEligibilityProcedure().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0] == "Ông/bà muốn kiểm tra điều kiện của thủ tục nào?"
    assert {b["payload"] for b in buttons(dispatcher)} == {
        '/inform{"procedure":"thu_tuc_mau"}',
        '/inform{"procedure":"thu_tuc_khac"}',
    }


async def test_activation_requests_the_first_question(dispatcher):
    tracker = make_tracker(
        "/ask_eligibility",
        "ask_eligibility",
        slots=state({}, requested=None),
        after=[action_event("action_eligibility_start"), action_event(FORM)],
    )
    events = events_as_dict(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert events["requested_slot"] == "eligibility_answer"
    assert dispatcher.messages == []


async def test_the_first_question_has_one_button_per_option(dispatcher):
    tracker = make_tracker(slots=state({}))
    await ActionAskEligibilityAnswer().run(dispatcher, tracker, {})
    assert texts(dispatcher) == ["Hiện nay ông/bà còn đóng BHXH không?"]
    assert buttons(dispatcher) == [
        {"title": "Đã dừng đóng", "payload": '/inform{"answer":"da_dung"}'},
        {"title": "Đang đóng", "payload": '/inform{"answer":"dang_dong"}'},
    ]


async def test_a_yes_no_question_has_yes_and_no_buttons(dispatcher):
    tracker = make_tracker(slots=state({"tinh_trang": "da_dung"}))
    await ActionAskEligibilityAnswer().run(dispatcher, tracker, {})
    assert [b["title"] for b in buttons(dispatcher)] == ["Có", "Không"]


async def test_a_date_question_shows_an_example_and_no_buttons(dispatcher):
    tracker = make_tracker(slots=state({"tinh_trang": "da_dung", "dinh_cu": False}))
    await ActionAskEligibilityAnswer().run(dispatcher, tracker, {})
    assert texts(dispatcher) == ["Ông/bà dừng đóng BHXH từ ngày nào?\nVí dụ: 01/07/2025."]
    assert buttons(dispatcher) == []


async def test_an_answer_is_stored_and_the_next_question_requested(dispatcher):
    events = events_as_dict(
        await validate(dispatcher, '/inform{"answer":"da_dung"}', entities={"answer": "da_dung"})
    )
    assert events["eligibility_answers"] == answers({"tinh_trang": "da_dung"})
    assert events["eligibility_answer"] is None
    assert events["requested_slot"] == "eligibility_answer"
    assert events["answer_rejected"] is False
    assert dispatcher.messages == []


async def test_dates_are_stored_as_iso_text(dispatcher):
    answered = {"tinh_trang": "da_dung", "dinh_cu": False}
    events = events_as_dict(await validate(dispatcher, "01/02/2025", answered=answered))
    assert events["eligibility_answers"]["thu_tuc_mau"]["ngay_dung_dong"] == "2025-02-01"


async def test_a_bad_answer_gets_one_message_and_the_question_is_not_repeated(dispatcher):
    answered = {"tinh_trang": "da_dung", "dinh_cu": False}
    events = events_as_dict(
        await validate(dispatcher, "năm ngoái", "nlu_fallback", answered=answered)
    )
    assert len(dispatcher.messages) == 1
    assert "01/07/2025" in texts(dispatcher)[0]
    assert events["answer_rejected"] is True
    assert events["requested_slot"] == "eligibility_answer"
    assert "eligibility_answers" not in events

    asked = make_tracker(slots={**state(answered), "answer_rejected": True})
    ask_events = await ActionAskEligibilityAnswer().run(dispatcher, asked, {})
    assert len(dispatcher.messages) == 1  # silent: the error already said what to type
    assert events_as_dict(ask_events) == {"answer_rejected": False}


async def test_a_bad_choice_answer_shows_the_options_again(dispatcher):
    await validate(dispatcher, "chắc là vậy", "inform")
    assert texts(dispatcher)[0].startswith("Ông/bà vui lòng chọn một mục dưới đây")
    assert [b["title"] for b in buttons(dispatcher)] == ["Đã dừng đóng", "Đang đóng"]


async def test_a_side_question_rejects_the_form_so_the_rules_answer_it(dispatcher):
    result = await validate(dispatcher, "cần giấy tờ gì", "ask_documents")
    assert {"event": "action_execution_rejected", "name": FORM} in [
        {"event": e["event"], "name": e.get("name")} for e in result
    ]
    assert events_as_dict(result) == {"eligibility_answer": None}


async def test_cancel_is_never_an_answer(dispatcher):
    tracker = form_turn(FORM, "hủy", "cancel", slots=state({}), candidates={})
    result = await ValidateEligibilityForm().run(dispatcher, tracker, {})
    assert any(e["event"] == "action_execution_rejected" for e in result)


async def test_returning_after_another_answer_asks_again_without_validating(dispatcher):
    tracker = form_turn(
        FORM,
        "xin chào",
        "greet",
        slots=state({"tinh_trang": "da_dung"}),
        between=[action_event("utter_greet")],
    )
    events = events_as_dict(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert events["requested_slot"] == "eligibility_answer"
    assert dispatcher.messages == []


async def test_yes_after_the_continue_prompt_continues_no_stops(dispatcher):
    prompt = [action_event("utter_ask_continue_eligibility")]
    answered = {"tinh_trang": "da_dung"}
    go_on = events_as_dict(
        await validate(dispatcher, "có", "affirm", answered=answered, history=prompt)
    )
    assert go_on["requested_slot"] == "eligibility_answer"
    assert "eligibility_answers" not in go_on  # "có" did not answer the yes/no question

    stop = events_as_dict(
        await validate(dispatcher, "không", "deny", answered=answered, history=prompt)
    )
    assert stop == {"eligibility_answer": None, "requested_slot": None}


async def test_the_last_answer_ends_the_loop(dispatcher):
    answered = {"tinh_trang": "da_dung"}
    events = events_as_dict(
        await validate(dispatcher, "/inform", "affirm", {"answer": "co"}, answered=answered)
    )
    assert events["requested_slot"] is None


async def test_choosing_the_procedure_inside_the_loop(dispatcher):
    tracker = form_turn(
        FORM,
        '/inform{"procedure":"thu_tuc_mau"}',
        "inform",
        {"procedure": "thu_tuc_mau"},
        slots={"requested_slot": "eligibility_procedure"},
        candidates={"eligibility_procedure": "thu_tuc_mau"},
    )
    events = events_as_dict(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert events["eligibility_procedure"] == "thu_tuc_mau"
    assert events["procedure"] == "thu_tuc_mau"
    assert events["requested_slot"] == "eligibility_answer"


async def test_eligible_verdict_with_reason_legal_basis_and_next_steps(dispatcher):
    tracker = make_tracker(slots=state({"tinh_trang": "da_dung", "dinh_cu": True}))
    events = events_as_dict(await ActionEligibilityVerdict().run(dispatcher, tracker, {}))
    text = texts(dispatcher)[0]
    assert "Đủ điều kiện" in text
    assert "Người ra nước ngoài định cư được hưởng." in text
    assert "Căn cứ: Điều 70 Luật Bảo hiểm xã hội số 41/2024/QH15" in text
    assert [b["title"] for b in buttons(dispatcher)] == [
        "Giấy tờ cần chuẩn bị",
        "Nộp ở đâu, nộp thế nào",
        "Ước tính số tiền",
        "Nộp hồ sơ ngay",
        "Gặp nhân viên",
    ]
    assert events == {"offer_human": False}


async def test_not_eligible_verdict_offers_the_alternatives(dispatcher):
    tracker = make_tracker(slots=state({"tinh_trang": "dang_dong"}))
    await ActionEligibilityVerdict().run(dispatcher, tracker, {})
    assert "Chưa đủ điều kiện" in texts(dispatcher)[0]
    assert buttons(dispatcher) == [
        {"title": "Thủ tục khác", "payload": "/proc_thu_tuc_khac"},
        {"title": "Gặp nhân viên", "payload": "/request_human"},
    ]


async def test_a_verdict_for_staff_asks_for_a_person(dispatcher):
    answered = {
        "tinh_trang": "da_dung",
        "dinh_cu": False,
        "ngay_dung_dong": "2024-01-01",
        "so_nam_dong": 25,
    }
    events = events_as_dict(
        await ActionEligibilityVerdict().run(dispatcher, make_tracker(slots=state(answered)), {})
    )
    assert "Cần cán bộ BHXH xem xét" in texts(dispatcher)[0]
    assert events == {"offer_human": True}


async def test_a_stopped_check_says_so(dispatcher):
    tracker = make_tracker(slots=state({"tinh_trang": "da_dung"}))
    events = events_as_dict(await ActionEligibilityVerdict().run(dispatcher, tracker, {}))
    assert "đã dừng kiểm tra điều kiện" in texts(dispatcher)[0]
    assert events == {"offer_human": False}


async def test_an_answer_after_the_continue_prompt_is_read_from_its_slot(dispatcher):
    # A rule brings the citizen back to the loop; Rasa then skips validation (no candidates).
    answered = {"tinh_trang": "da_dung", "dinh_cu": False}
    tracker = form_turn(
        FORM,
        "01/02/2025",
        "inform",
        slots={**state(answered), "eligibility_answer": "01/02/2025"},
        history=[action_event("utter_ask_continue_eligibility")],
    )
    events = events_as_dict(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert events["eligibility_answers"]["thu_tuc_mau"]["ngay_dung_dong"] == "2025-02-01"
    assert events["requested_slot"] == "eligibility_answer"


async def test_no_after_the_continue_prompt_stops_even_without_validation(dispatcher):
    tracker = form_turn(
        FORM,
        "/deny",
        "deny",
        slots=state({"tinh_trang": "da_dung"}),
        history=[action_event("utter_ask_continue_eligibility")],
    )
    events = events_as_dict(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert events == {"eligibility_answer": None, "requested_slot": None}


async def test_no_after_the_continue_prompt_stops_before_a_procedure_is_chosen(dispatcher):
    tracker = form_turn(
        FORM,
        "không",
        "deny",
        slots={"requested_slot": "eligibility_procedure"},
        history=[action_event("utter_ask_continue_eligibility")],
    )
    events = events_as_dict(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert events == {"eligibility_answer": None, "requested_slot": None}
    await ActionEligibilityVerdict().run(dispatcher, make_tracker(), {})
    assert "đã dừng kiểm tra điều kiện" in texts(dispatcher)[0]


async def test_facts_told_in_the_first_message_are_not_asked_again(dispatcher, real_catalog):
    """"nghỉ việc từ 2019, đóng từ 2008" filled nothing; the check asked both again."""
    from bot.actions.eligibility import _current

    tracker = make_tracker(
        "tôi muốn rút bhxh 1 lần, nghỉ việc từ 2019, đóng từ 2008",
        "ask_eligibility",
        entities={"procedure": "huong_bhxh_mot_lan"},
    )
    events = events_as_dict(await ActionEligibilityStart().run(dispatcher, tracker, {}))
    told = events["eligibility_answers"]["huong_bhxh_mot_lan"]
    assert told == {"ngay_dung_dong": "2019-01-01", "ngay_bat_dau_dong": "2008-01-01"}
    assert "Tôi ghi nhận từ tin nhắn của ông/bà" in texts(dispatcher)[1]
    assert "năm 2008" in texts(dispatcher)[1]
    asked = {"eligibility_procedure": "huong_bhxh_mot_lan", "eligibility_answers": events[
        "eligibility_answers"], "requested_slot": "eligibility_answer"}
    current = _current(asked)
    assert current is not None
    assert current[0].id not in {"ngay_dung_dong", "ngay_bat_dau_dong"}
