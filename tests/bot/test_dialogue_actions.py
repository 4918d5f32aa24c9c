"""Menu, fallback, a person, cancel and restart."""

from __future__ import annotations

from bot.actions.fallback import ActionDefaultFallback, ActionFallback
from bot.actions.human import ActionOfferHuman
from bot.actions.menu import ActionInform, ActionMenu
from bot.actions.session import ActionCancel, ActionRestart, ActionRestoreWork
from tests.bot.conftest import buttons, events_as_dict, make_tracker, texts, user_event


async def test_menu_lists_the_procedure_groups(dispatcher):
    await ActionMenu().run(dispatcher, make_tracker("bạn giúp được gì", "ask_capabilities"), {})
    assert buttons(dispatcher) == [
        {
            "title": "Chế độ bảo hiểm xã hội",
            "payload": '/ask_capabilities{"answer":"che_do_bhxh"}',
        },
        {
            "title": "Bảo hiểm xã hội tự nguyện",
            "payload": '/ask_capabilities{"answer":"tu_nguyen"}',
        },
    ]


async def test_menu_of_one_group_lists_its_procedures(dispatcher):
    tracker = make_tracker("/ask_capabilities", "ask_capabilities", {"answer": "tu_nguyen"})
    await ActionMenu().run(dispatcher, tracker, {})
    assert buttons(dispatcher) == [{"title": "Thủ tục khác", "payload": "/proc_thu_tuc_khac"}]


async def test_a_bare_answer_naming_a_procedure_opens_it(dispatcher):
    tracker = make_tracker("thủ tục mẫu", "inform", {"procedure": "thu_tuc_mau"})
    events = events_as_dict(await ActionInform().run(dispatcher, tracker, {}))
    assert texts(dispatcher)[0].startswith("Thủ tục mẫu để kiểm thử")
    assert events == {"procedure": "thu_tuc_mau"}


async def test_a_bare_answer_without_procedure_offers_the_main_menu(dispatcher):
    await ActionInform().run(dispatcher, make_tracker("0912345678", "inform"), {})
    assert [b["title"] for b in buttons(dispatcher)] == [
        "Rút BHXH một lần",
        "Chuyển lương hưu sang ATM",
        "Chế độ tử tuất",
        "Thẻ BHYT",
        "Khác",
    ]


async def test_first_misunderstanding_suggests_the_likeliest_intents(dispatcher):
    tracker = make_tracker(
        "hồ sơ thế nào",
        "nlu_fallback",
        slots={"procedure": "thu_tuc_mau"},
        ranking=[
            ("nlu_fallback", 0.5),
            ("ask_documents", 0.3),
            ("proc_thu_tuc_khac", 0.2),
            ("greet", 0.1),
            ("ask_processing_time", 0.08),
            ("ask_amount", 0.01),
        ],
    )
    events = events_as_dict(await ActionFallback().run(dispatcher, tracker, {}))
    assert texts(dispatcher) == ["Xin lỗi, tôi chưa hiểu rõ ý ông/bà. Có phải ông/bà muốn hỏi:"]
    assert buttons(dispatcher) == [
        {"title": "Giấy tờ cần chuẩn bị", "payload": '/ask_documents{"procedure":"thu_tuc_mau"}'},
        {"title": "Thủ tục khác", "payload": "/proc_thu_tuc_khac"},
        {
            "title": "Thời gian giải quyết",
            "payload": '/ask_processing_time{"procedure":"thu_tuc_mau"}',
        },
        {"title": "Gặp nhân viên", "payload": "/request_human"},
    ]
    assert events == {"offer_human": False}


async def test_second_misunderstanding_in_a_row_hands_over_to_a_person(dispatcher):
    history = [user_event("???", "nlu_fallback"), {"event": "action", "name": "action_fallback"}]
    tracker = make_tracker("!!!", "nlu_fallback", history=history)
    events = events_as_dict(await ActionFallback().run(dispatcher, tracker, {}))
    assert events == {"offer_human": True}


async def test_misunderstandings_not_in_a_row_start_again(dispatcher):
    history = [user_event("???", "nlu_fallback"), user_event("chào", "greet")]
    tracker = make_tracker("!!!", "nlu_fallback", history=history)
    events = events_as_dict(await ActionFallback().run(dispatcher, tracker, {}))
    assert events == {"offer_human": False}


async def test_offer_human_gives_the_hotline(dispatcher, monkeypatch):
    from bot.actions import intake_access

    async def intake_down(request):
        raise intake_access.IntakeUnavailable("down")

    monkeypatch.setattr(intake_access, "hand_off", intake_down)
    await ActionOfferHuman().run(dispatcher, make_tracker("gặp nhân viên", "request_human"), {})
    assert "1900 9068" in texts(dispatcher)[0]


async def test_cancel_ends_the_loop_and_forgets_everything(dispatcher):
    events = await ActionCancel().run(dispatcher, make_tracker("hủy", "cancel"), {})
    assert [event["event"] for event in events] == ["active_loop", "reset_slots"]
    assert events[0]["name"] is None
    assert texts(dispatcher)[0].startswith("Đã hủy.")
    assert len(buttons(dispatcher)) == 5


WORK = {"submission_procedure": "huong_bhxh_mot_lan", "requested_slot": "submission_answer",
        "submission_fields": {"ho_ten": "Nguyễn Văn An"}, "submission_receipt": "BHXH-1"}


async def _cancel_with_work(dispatcher):
    tracker = make_tracker("thôi", "cancel", slots=WORK, active_loop="submission_form")
    return await ActionCancel().run(dispatcher, tracker, {})


async def test_a_cancel_with_work_under_way_asks_first_and_keeps_the_work(dispatcher):
    """"thôi gửi đi" once deleted a dossier with no confirmation and no way back."""
    events = await _cancel_with_work(dispatcher)
    assert texts(dispatcher)[0].startswith("Ông/bà muốn hủy hồ sơ đang làm?")
    assert [b["title"] for b in buttons(dispatcher)] == ["Có, hủy hồ sơ", "Không, làm tiếp"]
    kept = next(e for e in events if e.get("name") == "cancelled_work")["value"]
    assert kept["loop"] == "submission_form"
    assert kept["slots"]["submission_fields"] == {"ho_ten": "Nguyễn Văn An"}
    assert {"event": "slot", "name": "submission_receipt", "value": "BHXH-1",
            "timestamp": None} in events


async def test_the_second_cancel_confirms_with_a_way_back(dispatcher):
    events = await _cancel_with_work(dispatcher)
    kept = next(e for e in events if e.get("name") == "cancelled_work")["value"]
    dispatcher.messages.clear()
    tracker = make_tracker("có", "affirm", slots={"cancelled_work": kept})
    events = await ActionCancel().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Đã hủy hồ sơ đang làm.")
    assert [b["title"] for b in buttons(dispatcher)] == ["Khôi phục hồ sơ vừa hủy"]
    assert next(e for e in events if e.get("name") == "cancelled_work")["value"]["confirmed"]


async def test_restoring_brings_the_form_back_at_the_same_question(dispatcher):
    events = await _cancel_with_work(dispatcher)
    kept = next(e for e in events if e.get("name") == "cancelled_work")["value"]
    dispatcher.messages.clear()
    tracker = make_tracker("khôi phục hồ sơ", "restore_work", slots={"cancelled_work": kept})
    events = await ActionRestoreWork().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Đã khôi phục hồ sơ.")
    restored = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert restored["submission_fields"] == {"ho_ten": "Nguyễn Văn An"}
    assert restored["requested_slot"] == "submission_answer"
    assert restored["cancelled_work"] is None
    assert {"event": "active_loop", "name": "submission_form", "timestamp": None} in events
    assert events[-1] == {"event": "followup", "name": "submission_form", "timestamp": None}


async def test_nothing_to_restore_after_24_hours(dispatcher):
    old = {"slots": {"submission_procedure": "huong_bhxh_mot_lan"}, "loop": "submission_form",
           "at": "2026-01-01T00:00:00+00:00", "confirmed": True}
    tracker = make_tracker("khôi phục hồ sơ", "restore_work", slots={"cancelled_work": old})
    events = await ActionRestoreWork().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Không có hồ sơ nào vừa hủy")
    assert [e["event"] for e in events] == ["slot", "slot"]


async def test_restart_greets_again_and_restarts(dispatcher):
    events = await ActionRestart().run(dispatcher, make_tracker("/restart", "restart"), {})
    assert [event["event"] for event in events] == ["restart"]
    assert buttons(dispatcher)[0]["title"] == "Rút BHXH một lần"


async def test_core_fallback_offers_the_menu_and_a_person(dispatcher):
    events = await ActionDefaultFallback().run(dispatcher, make_tracker("abc", "greet"), {})
    assert [event["event"] for event in events] == ["rewind"]
    assert buttons(dispatcher)[-1]["title"] == "Gặp nhân viên"
    assert len(buttons(dispatcher)) == 5
