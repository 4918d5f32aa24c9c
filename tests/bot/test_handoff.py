"""Handing a conversation to a person and taking it back (actions; the intake is faked)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.actions import intake_access
from bot.actions.caller_codes import caller_code_in, check_character, names_a_code
from bot.actions.fallback import ActionFallback
from bot.actions.handoff import (
    ActionCallerCode,
    ActionHandoffCallback,
    ValidateHandoffCallbackForm,
    caller_code,
)
from bot.actions.handoff_data import transcript
from bot.actions.human import ActionOfferHuman
from bot.actions.intake_access import (
    CallbackReceipt,
    CallerCode,
    CodeNotFound,
    CodeUnavailable,
    FieldError,
    HandoffRequest,
    HandoffTicket,
    IntakeRejected,
    IntakeUnavailable,
)
from bot.actions.menu import ActionInform
from bot.actions.session import ActionCancel, ActionRestart, ActionSessionStart
from bot.actions.status import ActionIntakeEvent
from tests.bot.conftest import (
    PENSION,
    action_event,
    buttons,
    events_as_dict,
    form_turn,
    make_tracker,
    slot_event,
    texts,
    user_event,
)

pytestmark = pytest.mark.usefixtures("real_catalog")
WAIT = "Cán bộ sẽ trả lời ông/bà trong khoảng 5 phút. Trong lúc chờ, ông/bà cứ nhắn thêm tại đây."
DECLINE_PAYLOAD = '/deny{"answer":"khong_can"}'
CLOSED = "Hiện đã ngoài giờ làm việc của cán bộ. Ông/bà có thể để lại số điện thoại."



class FakeIntake:
    """The intake's handoff calls, recorded."""

    def __init__(self) -> None:
        self.handoffs: list[HandoffRequest] = []
        self.callbacks: list[tuple[int, str]] = []
        self.redeemed: list[tuple[str, str, str]] = []
        self.office_open = True
        self.down = False
        self.callback_status = "closed"
        self.codes: dict[str, Any] = {}
        self.lines: list[tuple[int, str, str]] = []
        self.withdrawn: list[int] = []

    async def record_lines(self, handoff_id: int, lines: Any) -> None:
        self.lines.extend((handoff_id, line.author, line.text) for line in lines)

    async def withdraw_handoff(self, handoff_id: int, reason: str = "cancel") -> None:
        self.withdrawn.append(handoff_id)

    async def hand_off(self, request: HandoffRequest) -> HandoffTicket:
        if self.down:
            raise IntakeUnavailable("down")
        self.handoffs.append(request)
        message = WAIT if self.office_open else CLOSED
        return HandoffTicket(41, "waiting", self.office_open, 5, message)

    async def request_callback(self, handoff_id: int, phone: str) -> CallbackReceipt:
        if self.down:
            raise IntakeUnavailable("down")
        if phone == "0000":
            raise IntakeRejected([FieldError("phone", "Số điện thoại không đúng.")])
        self.callbacks.append((handoff_id, phone))
        message = f"Đã ghi nhận số {phone}. Cán bộ sẽ gọi lại."
        return CallbackReceipt(1, handoff_id, self.callback_status, phone, message)

    async def redeem_code(self, code: str, channel: str, sender_id: str) -> CallerCode:
        self.redeemed.append((code, channel, sender_id))
        found = self.codes.get(code)
        if found is None:
            raise CodeNotFound(code)
        if isinstance(found, Exception):
            raise found
        return found


@pytest.fixture
def intake(monkeypatch: pytest.MonkeyPatch) -> FakeIntake:
    fake = FakeIntake()
    monkeypatch.setattr(intake_access, "hand_off", fake.hand_off)
    monkeypatch.setattr(intake_access, "request_callback", fake.request_callback)
    monkeypatch.setattr(intake_access, "redeem_code", fake.redeem_code)
    monkeypatch.setattr(intake_access, "record_lines", fake.record_lines)
    monkeypatch.setattr(intake_access, "withdraw_handoff", fake.withdraw_handoff)
    return fake


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [event["event"] for event in events]


# ---------------------------------------------------------------------- handing over
async def test_asking_for_a_person_hands_over_with_the_transcript_and_pauses(dispatcher, intake):
    history = [
        user_event("rút bhxh một lần", "proc_huong_bhxh_mot_lan"),
        {"event": "bot", "text": "Thủ tục hưởng BHXH một lần …", "timestamp": 1772330400.0},
    ]
    tracker = make_tracker("cho tôi gặp nhân viên", "request_human", history=history)
    events = await ActionOfferHuman().run(dispatcher, tracker, {})
    [sent] = intake.handoffs
    assert sent.reason == "asked" and sent.sender_id == "test-user" and sent.channel == "rest"
    assert [(line.author, line.text) for line in sent.transcript] == [
        ("citizen", "rút bhxh một lần"),
        ("bot", "Thủ tục hưởng BHXH một lần …"),
        ("citizen", "cho tôi gặp nhân viên"),
    ]
    assert sent.transcript[1].at == "2026-03-01T02:00:00+00:00"
    assert texts(dispatcher)[0].startswith(WAIT)
    assert "hủy" in texts(dispatcher)[0]  # how to stop waiting
    assert events_as_dict(events)["handoff_id"] == "41"
    assert kinds(events)[-1] == "pause"


async def test_a_person_during_the_dossier_gets_the_procedure_and_data_and_the_form_stops(
    dispatcher, intake
):
    slots = {
        "submission_procedure": PENSION,
        "submission_fields": {"ho_ten": "Nguyễn Văn Bình", "tinh_nhan_luong_huu": "Khánh Hòa"},
        "eligibility_answers": {PENSION: {"dang_huong": True}},
        "submission_failures": {"field:so_cccd": 3},
    }
    tracker = make_tracker(
        "/request_human", "request_human", slots=slots, active_loop="submission_form"
    )
    events = await ActionOfferHuman().run(dispatcher, tracker, {})
    [sent] = intake.handoffs
    assert sent.reason == "field_failures"
    assert sent.procedure_id == PENSION
    assert sent.collected == slots["submission_fields"]
    assert sent.answers == {"dang_huong": True}
    assert sent.province == "Khánh Hòa"
    assert {"event": "active_loop", "name": None} in [
        {k: v for k, v in e.items() if k != "timestamp"} for e in events
    ]


async def test_a_complaint_is_handed_over_as_a_complaint(dispatcher, intake):
    await ActionOfferHuman().run(dispatcher, make_tracker("thái độ kém quá", "complain"), {})
    assert intake.handoffs[0].reason == "complaint"


async def test_outside_office_hours_the_office_message_then_a_phone_number_is_asked(
    dispatcher, intake
):
    intake.office_open = False
    events = await ActionOfferHuman().run(
        dispatcher, make_tracker("gặp cán bộ", "request_human"), {}
    )
    assert texts(dispatcher) == [CLOSED]
    assert "pause" not in kinds(events)
    assert {"event": "followup", "name": "handoff_callback_form"} in [
        {k: v for k, v in e.items() if k != "timestamp"} for e in events
    ]


async def test_without_the_intake_the_hotline_and_no_pause(dispatcher, intake):
    intake.down = True
    events = await ActionOfferHuman().run(
        dispatcher, make_tracker("gặp cán bộ", "request_human"), {}
    )
    assert "1900 9068" in texts(dispatcher)[0]
    assert "pause" not in kinds(events)


async def test_two_misunderstandings_offer_a_person_who_then_gets_the_reason(dispatcher, intake):
    after = [action_event("action_fallback"), slot_event("offer_human", True)]
    tracker = make_tracker("???", "nlu_fallback", after=after)
    events = await ActionOfferHuman().run(dispatcher, tracker, {})
    assert not intake.handoffs  # offered, not forced
    assert [b["title"] for b in buttons(dispatcher)] == ["Gặp cán bộ", "Không, cảm ơn"]
    assert events_as_dict(events) == {"handoff_offered": "misunderstood"}
    history = [
        user_event("???", "nlu_fallback"),
        action_event("action_fallback"),
        action_event("action_offer_human"),
        slot_event("handoff_offered", "misunderstood"),
    ]
    tracker = make_tracker(
        "/request_human",
        "request_human",
        slots={"handoff_offered": "misunderstood"},
        history=history,
    )
    await ActionOfferHuman().run(dispatcher, tracker, {})
    assert intake.handoffs[0].reason == "misunderstood"


async def test_a_verdict_that_needs_staff_offers_a_person(dispatcher, intake):
    after = [action_event("eligibility_form"), action_event("action_eligibility_verdict")]
    events = await ActionOfferHuman().run(
        dispatcher, make_tracker("có", "affirm", after=after), {}
    )
    assert "cần cán bộ BHXH xem xét" in texts(dispatcher)[0]
    assert events_as_dict(events) == {"handoff_offered": "needs_staff"}


def test_the_transcript_shows_button_titles_staff_replies_and_photos():
    events = [
        {
            "event": "bot",
            "text": "Chọn:",
            "data": {"buttons": [{"title": "Gặp nhân viên", "payload": "/request_human"}]},
        },
        user_event("/request_human", "request_human"),
        {"event": "user", "text": "EXTERNAL: EXTERNAL_intake_event", "parse_data": {}},
        {"event": "bot", "text": "Chào anh", "metadata": {"staff_name": "Lan"}},
        {
            "event": "user",
            "text": "/inform",
            "metadata": {"attachments": [{"type": "image", "url": "http://x/a.jpg"}]},
        },
        {"event": "bot", "text": "Cảm ơn."},  # a message without buttons after the choice
        user_event("/request_human", "request_human"),  # still titled from the earlier buttons
        {"event": "user", "text": "/greet", "metadata": {"hidden": True}},  # never shown
        {"event": "user", "text": '/inform{"answer":"5"}', "metadata": {"title": "5"}},
        user_event('/inform{"answer":"x"}', "inform"),  # nothing tells its words
    ]
    tracker = make_tracker("ok", "affirm", history=events)
    lines = transcript(tracker)
    assert [(line.author, line.text) for line in lines] == [
        ("bot", "Chọn:"),
        ("citizen", "Gặp nhân viên"),
        ("staff", "Chào anh"),
        ("citizen", ""),
        ("bot", "Cảm ơn."),
        ("citizen", "Gặp nhân viên"),
        ("citizen", "5"),
        ("citizen", "(bấm một nút)"),
        ("citizen", "ok"),
    ]
    assert lines[3].attachments[0].url == "http://x/a.jpg"
    assert len(transcript(tracker, limit=2)) == 2


# ---------------------------------------------------------------------- call back
async def test_the_phone_number_is_read_with_the_shared_validator(dispatcher):
    form = ValidateHandoffCallbackForm()
    tracker = form_turn("handoff_callback_form", "0912 345 678", candidates={"handoff_phone": "x"})
    value = await form.validate_handoff_phone("0912 345 678", dispatcher, tracker, {})
    assert value == {"handoff_phone": "0912345678"}
    tracker = form_turn("handoff_callback_form", "số tôi là 0912 345 678")
    value = await form.validate_handoff_phone("số tôi là 0912 345 678", dispatcher, tracker, {})
    assert value == {"handoff_phone": "0912345678"}
    tracker = form_turn("handoff_callback_form", "không cần", "deny")
    assert await form.validate_handoff_phone("không cần", dispatcher, tracker, {}) == {
        "handoff_phone": "khong_can"
    }
    tracker = form_turn("handoff_callback_form", "12345")
    value = await form.validate_handoff_phone("12345", dispatcher, tracker, {})
    assert value == {"handoff_phone": None, "answer_rejected": True}
    assert "Ví dụ" in texts(dispatcher)[0] or "ví dụ" in texts(dispatcher)[0].lower()
    assert buttons(dispatcher)[0]["title"] == "Không cần"


async def test_the_number_is_left_with_the_office(dispatcher, intake):
    slots = {"handoff_phone": "0912345678", "handoff_id": "41"}
    events = await ActionHandoffCallback().run(dispatcher, make_tracker(slots=slots), {})
    assert intake.callbacks == [(41, "0912345678")]
    assert texts(dispatcher)[0].startswith("Đã ghi nhận số 0912345678.")
    assert events_as_dict(events) == {"handoff_phone": None, "handoff_id": None}


async def test_declining_the_call_back_gives_the_hotline_and_leaves_the_queue(dispatcher, intake):
    slots = {"handoff_phone": "khong_can", "handoff_id": "41"}
    history = [
        {
            "event": "bot",
            "text": "Ông/bà vui lòng nhập số điện thoại …",
            "data": {"buttons": [{"title": "Không cần", "payload": DECLINE_PAYLOAD}]},
        }
    ]
    tracker = make_tracker(DECLINE_PAYLOAD, "deny", slots=slots, history=history)
    await ActionHandoffCallback().run(dispatcher, tracker, {})
    assert not intake.callbacks
    assert "1900 9068" in texts(dispatcher)[0]
    assert intake.withdrawn == [41]  # nobody claims a conversation whose citizen has gone
    # staff read the button's words and the reply, not the payload (issue 16, items 2 and 3)
    assert intake.lines == [(41, "citizen", "Không cần"), (41, "bot", texts(dispatcher)[0])]


@pytest.mark.parametrize(
    ("action", "reason"), [(ActionCancel, "cancel"), (ActionRestart, "restart")]
)
async def test_cancel_or_restart_while_the_office_waits_leaves_the_queue(
    dispatcher, intake, action, reason
):
    slots = {"handoff_id": "41", "requested_slot": "handoff_phone"}
    await action().run(dispatcher, make_tracker("hủy", reason, slots=slots), {})
    assert intake.withdrawn == [41]
    await action().run(dispatcher, make_tracker("hủy", reason), {})  # no handoff: no call
    assert intake.withdrawn == [41]


async def test_every_turn_of_the_call_back_question_reaches_the_transcript(dispatcher, intake):
    intake.office_open = False
    await ActionOfferHuman().run(dispatcher, make_tracker("gặp cán bộ", "request_human"), {})
    assert intake.lines == [(41, "bot", CLOSED)]  # the out-of-hours reply
    form = ValidateHandoffCallbackForm()
    tracker = form_turn("handoff_callback_form", "12345", slots={"handoff_id": "41"})
    await form.validate_handoff_phone("12345", dispatcher, tracker, {})
    assert intake.lines[1] == (41, "citizen", "12345")
    assert intake.lines[2][1] == "bot" and "Không cần" in intake.lines[2][2]
    slots = {"handoff_phone": "0912345678", "handoff_id": "41"}
    await ActionHandoffCallback().run(dispatcher, make_tracker("0912 345 678", slots=slots), {})
    assert intake.lines[3] == (41, "citizen", "0912 345 678")
    assert intake.lines[4][1:] == ("bot", texts(dispatcher)[-1])


async def test_a_call_back_on_a_claimed_handoff_keeps_the_assistant_silent(dispatcher, intake):
    intake.callback_status = "claimed"
    slots = {"handoff_phone": "0912345678", "handoff_id": "41"}
    events = await ActionHandoffCallback().run(dispatcher, make_tracker(slots=slots), {})
    assert kinds(events)[-1] == "pause"


# ---------------------------------------------------------------------- person → bot
def event_tracker(**values: Any) -> Any:
    return make_tracker("", "EXTERNAL_intake_event", entities=values, slots={"handoff_id": "41"})


async def test_hand_back_to_the_dossier_applies_the_corrected_data_and_resumes_the_form(
    dispatcher,
):
    tracker = event_tracker(
        event="handoff_returned",
        handoff_id=41,
        resume="continue_form",
        procedure_id=PENSION,
        staff_name="Nguyễn Thị Lan",
        fields={"ho_ten": "Nguyễn Văn Bình", "so_dien_thoai": "0912345678", "la": "x"},
        answers={"dang_huong": True},
        corrected=["so_dien_thoai"],
    )
    events = await ActionIntakeEvent().run(dispatcher, tracker, {})
    text = texts(dispatcher)[0]
    assert "Cán bộ Nguyễn Thị Lan đã chuyển lại cho trợ lý" in text
    assert "Cán bộ đã cập nhật: Số điện thoại." in text
    slots = events_as_dict(events)
    assert slots["handoff_id"] is None
    assert slots["submission_procedure"] == PENSION
    assert slots["submission_fields"] == {
        "ho_ten": "Nguyễn Văn Bình",
        "so_dien_thoai": "0912345678",
    }
    assert slots["eligibility_answers"] == {PENSION: {"dang_huong": True}}
    assert slots["submission_dossier_id"]
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "submission_form"


async def test_hand_back_at_the_end_thanks_and_asks_the_rating(dispatcher):
    tracker = event_tracker(
        event="handoff_returned", handoff_id=41, resume="end", staff_name="Lan"
    )
    events = await ActionIntakeEvent().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Cán bộ Lan đã hoàn tất hỗ trợ.")
    assert len(buttons(dispatcher)) == 5  # the menu
    assert events[-1]["name"] == "rating_form"


async def test_nobody_free_gives_the_hotline_and_the_menu(dispatcher):
    events = await ActionIntakeEvent().run(
        dispatcher, event_tracker(event="handoff_expired", handoff_id=41), {}
    )
    assert "chưa có cán bộ nào rảnh" in texts(dispatcher)[0]
    assert "1900 9068" in texts(dispatcher)[0]
    assert events_as_dict(events) == {"handoff_id": None}


async def test_a_new_session_keeps_the_slots_and_the_pause(dispatcher):
    tracker = make_tracker("alo", "greet", slots={"handoff_id": "41"})
    tracker._paused = True
    events = await ActionSessionStart().run(dispatcher, tracker, {"session_config": {}})
    assert kinds(events) == ["session_started", "slot", "pause", "action"]
    tracker._paused = False
    events = await ActionSessionStart().run(dispatcher, tracker, {})
    assert "pause" not in kinds(events)


# ---------------------------------------------------------------------- caller codes
def test_caller_codes_are_recognised_without_a_lookup():
    code = "7K3M9" + check_character("7K3M9")
    assert caller_code_in(f"mã của tôi là {code[:3].lower()} {code[3:]}") == code
    assert caller_code_in(f"{code[:3]}-{code[3:]}") == code
    wrong = "7K3M9" + ("A" if code[5] != "A" else "B")
    assert caller_code_in(wrong) is None  # the check character is wrong
    assert caller_code_in("0912 345 678") is None
    assert caller_code_in("345 678") is None  # digits only: not a code
    assert caller_code_in("toi muon rut bhxh mot lan") is None
    assert names_a_code("Mã: 7K3 M9Q") and not names_a_code("7K3 M9Q")


CODE = "UMV4H7"


async def test_a_callers_code_continues_the_dossier_prepared_on_the_phone(dispatcher, intake):
    intake.codes[CODE] = CallerCode(
        CODE,
        PENSION,
        "Chuyển lương hưu",
        {"ho_ten": "Nguyễn Văn Bình"},
        {"dang_huong": True},
        "Anh nhớ chuẩn bị số tài khoản.",
    )
    events = await ActionInform().run(dispatcher, make_tracker("umv 4h7", "inform"), {})
    assert intake.redeemed == [(CODE, "rest", "test-user")]
    assert "Cán bộ đã chuẩn bị sẵn hồ sơ" in texts(dispatcher)[0]
    assert "Lời nhắn của cán bộ: Anh nhớ chuẩn bị số tài khoản." in texts(dispatcher)[0]
    slots = events_as_dict(events)
    assert slots["submission_fields"] == {"ho_ten": "Nguyễn Văn Bình"}
    assert slots["procedure"] == PENSION
    assert events[-1]["name"] == "submission_form"


async def test_a_code_typed_as_a_misunderstanding_is_redeemed_too(dispatcher, intake):
    intake.codes[CODE] = CallerCode(CODE, PENSION, "Chuyển lương hưu", {}, {})
    events = await ActionFallback().run(dispatcher, make_tracker(CODE, "nlu_fallback"), {})
    assert events[-1]["name"] == "submission_form"


async def test_an_unknown_code_is_said_only_when_the_citizen_says_it_is_one(dispatcher, intake):
    assert await caller_code(CODE, False, make_tracker(CODE), dispatcher) is None
    assert not texts(dispatcher)
    assert await caller_code(CODE, True, make_tracker("mã " + CODE), dispatcher) == []
    assert "Tôi không tìm thấy mã UMV 4H7" in texts(dispatcher)[0]


async def test_a_code_in_the_middle_of_a_form_makes_way_for_the_prepared_dossier(
    dispatcher, intake
):
    intake.codes[CODE] = CallerCode(CODE, PENSION, "Chuyển lương hưu", {"ho_ten": "Hoa"}, {})
    tracker = make_tracker("umv 4h7", "EXTERNAL_caller_code", active_loop="eligibility_form")
    events = await ActionCallerCode().run(dispatcher, tracker, {})
    assert kinds(events)[0] == "active_loop" and events[0]["name"] is None
    assert events[-1]["name"] == "submission_form"
    assert "Cán bộ đã chuẩn bị sẵn hồ sơ" in texts(dispatcher)[0]


async def test_an_unknown_code_in_a_form_is_said_and_the_form_goes_on(dispatcher, intake):
    tracker = make_tracker(CODE, "EXTERNAL_caller_code", active_loop="submission_form")
    assert await ActionCallerCode().run(dispatcher, tracker, {}) == []
    assert "Tôi không tìm thấy mã UMV 4H7" in texts(dispatcher)[0]


async def test_a_code_used_elsewhere_says_why(dispatcher, intake):
    intake.codes[CODE] = CodeUnavailable("Mã này đã được dùng.")
    await ActionInform().run(dispatcher, make_tracker(CODE, "inform"), {})
    assert texts(dispatcher)[0].startswith("Mã này đã được dùng. Ông/bà vui lòng gọi")
    assert "1900 9068" in texts(dispatcher)[0]
