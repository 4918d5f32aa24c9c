"""The generic data-collection form: one question at a time, one error message, help, summary."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.submission import ActionStartSubmission
from bot.actions.submission_form import (
    ActionAskSubmissionAnswer,
    ActionAskSubmissionConfirm,
    ValidateSubmissionForm,
    send_or_cancel,
)
from tests.bot.conftest import (
    PENSION,
    PENSION_FIELDS,
    PENSION_TO_BANK,
    action_event,
    buttons,
    consent_given,
    events_as_dict,
    form_turn,
    make_tracker,
    run_validation,
    texts,
    user_event,
)

FORM = "submission_form"
pytestmark = pytest.mark.usefixtures("real_catalog")


def slots(fields: dict[str, Any] | None = None, requested: str = "submission_answer", **more):
    return {
        "submission_procedure": PENSION,
        "eligibility_answers": {PENSION: dict(PENSION_TO_BANK)},
        "submission_fields": dict(fields or {}),
        "submission_dossier_id": "d-1",
        "submission_failures": {},
        "requested_slot": requested,
        "privacy_consent": consent_given(),  # the notice was agreed to (tests/bot/test_consent.py)
        **more,
    }


async def validate(tracker, dispatcher) -> dict[str, Any]:
    return await run_validation(ValidateSubmissionForm(), tracker, dispatcher)


def confidence(intent: str, value: float = 0.95) -> list[tuple[str, float]]:
    return [(intent, value)]


async def test_a_wrong_answer_gets_one_message_with_one_example(dispatcher):
    tracker = form_turn(FORM, "12345", entities={"number": 12345}, slots=slots())
    result = await validate(tracker, dispatcher)
    # the first field is the name: a number is not a name
    assert result["answer_rejected"] is True
    assert result["requested_slot"] == "submission_answer"
    assert len(dispatcher.messages) == 1
    assert texts(dispatcher)[0].count("Ví dụ") == 1
    assert result["submission_failures"] == {"f:ho_ten": 1}


async def test_the_ask_action_stays_silent_right_after_the_error(dispatcher):
    tracker = make_tracker("12345", slots={**slots(), "answer_rejected": True})
    events = await ActionAskSubmissionAnswer().run(dispatcher, tracker, {})
    assert dispatcher.messages == []
    assert events_as_dict(events) == {"answer_rejected": False}


async def test_the_question_comes_with_its_example(dispatcher):
    tracker = make_tracker(
        "", slots=slots({"ho_ten": "Nguyễn Văn Bình", "ngay_sinh": "1960-08-20"})
    )
    await ActionAskSubmissionAnswer().run(dispatcher, tracker, {})
    assert texts(dispatcher) == [
        "Ông/bà cho biết số căn cước công dân (12 chữ số).\nVí dụ: 056160001234"
    ]


async def test_after_three_wrong_answers_help_and_a_person_are_offered(dispatcher):
    fields = {"ho_ten": "Nguyễn Văn Bình", "ngay_sinh": "1960-08-20"}
    current = slots(fields, submission_failures={"f:so_cccd": 2})
    tracker = form_turn(FORM, "123", entities={"number": 123}, slots=current)
    result = await validate(tracker, dispatcher)
    titles = [b["title"] for b in buttons(dispatcher)]
    assert titles == ["Giải thích thêm", "Gặp nhân viên"]  # the CCCD is required: no "Bỏ qua"
    assert result["submission_failures"] == {"f:so_cccd": 3}


async def test_explain_gives_the_fields_help_without_counting_a_failure(dispatcher):
    fields = {"ho_ten": "Nguyễn Văn Bình", "ngay_sinh": "1960-08-20", "so_cccd": "056160001234"}
    current = slots(fields, submission_failures={"f:ma_so_bhxh": 3})
    tracker = form_turn(
        FORM, '/inform{"answer":"giai_thich"}', entities={"answer": "giai_thich"}, slots=current
    )
    result = await validate(tracker, dispatcher)
    assert "quyết định hưởng lương hưu" in texts(dispatcher)[0]  # the catalog's help
    assert "Ví dụ: 5612345678" in texts(dispatcher)[0]
    assert result["answer_rejected"] is True
    assert "submission_failures" not in result or result["submission_failures"] == {
        "f:ma_so_bhxh": 3
    }


async def test_values_of_other_fields_in_the_same_sentence_are_kept(dispatcher):
    fields = {"ho_ten": "Nguyễn Văn Bình", "ngay_sinh": "1960-08-20"}
    text = "cccd cua toi la 056 160 001 234, sdt 0912 345 678"
    tracker = form_turn(
        FORM, text, entities={"cccd": "056160001234", "phone": "0912345678"}, slots=slots(fields)
    )
    result = await validate(tracker, dispatcher)
    assert result["submission_fields"]["so_cccd"] == "056160001234"
    assert result["submission_fields"]["so_dien_thoai"] == "0912345678"
    assert result["answer_rejected"] is False


async def test_a_side_question_is_left_to_the_rules(dispatcher):
    tracker = make_tracker(
        "cần giấy tờ gì",
        "ask_documents",
        slots=slots(),
        ranking=confidence("ask_documents", 0.99),
        after=[action_event(FORM)],
        active_loop=FORM,
    )
    result = await validate(tracker, dispatcher)
    assert result["_rejected"] is True
    assert dispatcher.messages == []


@pytest.mark.parametrize("intent", ["cancel", "request_human", "EXTERNAL_intake_event"])
async def test_cancel_a_person_or_an_intake_event_is_never_an_answer(dispatcher, intent):
    tracker = form_turn(FORM, "hủy", intent=intent, slots=slots())
    assert (await validate(tracker, dispatcher))["_rejected"] is True


async def test_back_from_a_side_question_the_question_is_asked_again(dispatcher):
    tracker = form_turn(
        FORM,
        "cần giấy tờ gì",
        intent="ask_documents",
        slots=slots(),
        between=[action_event("action_documents")],
    )
    result = await validate(tracker, dispatcher)
    assert result["requested_slot"] == "submission_answer"
    assert result["answer_rejected"] is False
    assert "submission_fields" not in result


async def test_an_optional_field_can_be_skipped(dispatcher):
    fields = {
        key: value
        for key, value in PENSION_FIELDS.items()
        if key not in ("chi_nhanh_ngan_hang", "so_tai_khoan", "xac_nhan_chinh_chu")
    }
    tracker = form_turn(FORM, "bỏ qua", intent="nlu_fallback", slots=slots(fields))
    result = await validate(tracker, dispatcher)
    assert result["submission_fields"]["chi_nhanh_ngan_hang"] is None


async def test_the_summary_follows_the_last_field(dispatcher):
    fields = {key: value for key, value in PENSION_FIELDS.items() if key != "xac_nhan_chinh_chu"}
    tracker = form_turn(
        FORM, '/inform{"answer":"co"}', entities={"answer": "co"}, slots=slots(fields)
    )
    result = await validate(tracker, dispatcher)
    assert result["submission_fields"]["xac_nhan_chinh_chu"] is True
    assert result["requested_slot"] == "submission_confirm"


async def test_the_summary_shows_the_owner_their_numbers_with_send_cancel_edit(dispatcher):
    tracker = make_tracker(
        "", slots={**slots(PENSION_FIELDS, "submission_confirm"), "submission_attachments": []}
    )
    await ActionAskSubmissionConfirm().run(dispatcher, tracker, {})
    summary = texts(dispatcher)[0]
    assert "• Số CCCD: 056 160 001 234" in summary
    assert "056160001234" not in summary
    assert "• Chi nhánh ngân hàng: (bỏ qua)" in summary
    assert "Văn bản đề nghị thay đổi hình thức nhận" in summary  # a missing document
    titles = [b["title"] for b in buttons(dispatcher)]
    assert titles[-2:] == ["Hủy", "Gửi hồ sơ"]  # the main action is the last button
    assert "Sửa Số điện thoại" in titles
    assert len([t for t in titles if t.startswith("Sửa ")]) == len(PENSION_FIELDS)
    assert all(len(m.get("buttons") or []) <= 5 for m in dispatcher.messages)


async def test_send_ends_the_form_confirmed(dispatcher):
    tracker = form_turn(
        FORM,
        '/inform{"answer":"gui_ho_so"}',
        entities={"answer": "gui_ho_so"},
        slots=slots(PENSION_FIELDS, "submission_confirm"),
    )
    result = await validate(tracker, dispatcher)
    assert result["submission_confirmed"] is True
    assert result["requested_slot"] is None


async def test_thoi_gui_di_at_the_summary_sends_the_dossier(dispatcher):
    """"thôi gửi đi" (NLU: cancel) once deleted the whole dossier."""
    tracker = form_turn(
        FORM, "thôi gửi đi", intent="cancel", slots=slots(PENSION_FIELDS, "submission_confirm")
    )
    result = await validate(tracker, dispatcher)
    assert result["submission_confirmed"] is True


async def test_send_and_cancel_in_one_message_are_asked_back(dispatcher):
    tracker = form_turn(
        FORM, "hủy hay gửi đây", intent="cancel", slots=slots(PENSION_FIELDS, "submission_confirm")
    )
    result = await validate(tracker, dispatcher)
    assert result.get("submission_confirmed") is not True
    assert texts(dispatcher) == ["Ông/bà muốn gửi hồ sơ hay hủy hồ sơ này?"]
    assert [b["title"] for b in buttons(dispatcher)] == ["Gửi hồ sơ", "Hủy hồ sơ"]


@pytest.mark.parametrize(
    ("typed", "meaning"),
    [("thôi gửi đi", "send"), ("ok nộp luôn", "send"), ("đồng ý", "send"),
     ("đừng gửi, hủy đi", "cancel"), ("không cần gửi nữa, hủy", "cancel"),
     ("chưa gửi vội", None), ("hủy hay gửi?", "both"), ("để tôi xem lại", None)],
)
def test_send_or_cancel_reads_what_the_citizen_means(typed, meaning):
    assert send_or_cancel(typed) == meaning


@pytest.mark.parametrize("typed", ["sđt đúng là 0905 123 456", "so dien thoai la 0905123456"])
async def test_a_correction_typed_without_sua_is_applied(dispatcher, typed):
    """"sđt đúng là 0905 123 456" at the summary was refused."""
    tracker = form_turn(FORM, typed, slots=slots(PENSION_FIELDS, "submission_confirm"))
    result = await validate(tracker, dispatcher)
    assert result["submission_fields"]["so_dien_thoai"] == "0905123456"
    assert result["requested_slot"] == "submission_confirm"


async def test_edit_asks_that_field_again_showing_its_value(dispatcher):
    tracker = form_turn(
        FORM,
        '/inform{"answer":"sua:so_dien_thoai"}',
        entities={"answer": "sua:so_dien_thoai"},
        slots=slots(PENSION_FIELDS, "submission_confirm"),
    )
    result = await validate(tracker, dispatcher)
    assert result["submission_editing"] == "so_dien_thoai"
    assert result["requested_slot"] == "submission_answer"
    editing = {**slots(PENSION_FIELDS), "submission_editing": "so_dien_thoai"}
    asked = make_tracker("", slots=editing)
    ask = CollectingDispatcher()
    await ActionAskSubmissionAnswer().run(ask, asked, {})
    assert "Hiện đang ghi: 0912 345 678." in texts(ask)[0]


async def test_a_typed_correction_with_its_value_is_applied_at_once(dispatcher):
    tracker = form_turn(
        FORM,
        "sửa số điện thoại thành 0987654321",
        entities={"phone": "0987654321"},
        slots=slots(PENSION_FIELDS, "submission_confirm"),
    )
    result = await validate(tracker, dispatcher)
    assert result["submission_fields"]["so_dien_thoai"] == "0987654321"
    assert texts(dispatcher) == ["Tôi đã sửa số điện thoại."]
    assert result["requested_slot"] == "submission_confirm"


async def test_an_answer_that_makes_the_citizen_not_eligible_ends_the_form(dispatcher):
    current = {**slots(), "eligibility_answers": {}}
    tracker = form_turn(
        FORM, '/inform{"answer":"khong"}', entities={"answer": "khong"}, slots=current
    )
    result = await validate(tracker, dispatcher)
    assert result["eligibility_answers"] == {PENSION: {"dang_huong": False}}
    assert result["requested_slot"] is None


async def test_a_photo_is_kept_and_filed_under_the_document_chosen(dispatcher):
    tracker = form_turn(FORM, "/inform", slots=slots())
    tracker.latest_message["metadata"] = {
        "attachments": [{"type": "image", "payload": {"url": "https://cdn.example/a.jpg"}}]
    }
    result = await validate(tracker, dispatcher)
    assert result["submission_attachments"] == [
        {
            "kind": "image",
            "url": "https://cdn.example/a.jpg",
            "name": None,
            "mime_type": None,
            "document": None,
        }
    ]
    assert "Đây là giấy tờ nào" in texts(dispatcher)[0]
    label = form_turn(
        FORM,
        '/inform{"answer":"giay_to:van_ban_de_nghi"}',
        entities={"answer": "giay_to:van_ban_de_nghi"},
        slots={**slots(), "submission_attachments": result["submission_attachments"]},
    )
    labelled = await validate(label, CollectingDispatcher())
    assert labelled["submission_attachments"][0]["document"] == "van_ban_de_nghi"
    assert labelled["answer_rejected"] is False  # the question is asked again


async def test_start_takes_values_typed_earlier_and_says_so(dispatcher):
    history = [
        action_event("action_listen"),
        user_event("sđt của tôi 0912345678", "inform", {"phone": "0912345678"}),
        action_event("action_inform"),
    ]
    tracker = make_tracker(
        "nộp hồ sơ ngay",
        "start_submission",
        {"procedure": PENSION},
        slots={"eligibility_answers": {PENSION: PENSION_TO_BANK}},
        history=history,
    )
    result = events_as_dict(await ActionStartSubmission().run(dispatcher, tracker, {}))
    assert result["submission_fields"] == {"so_dien_thoai": "0912345678"}
    assert result["submission_procedure"] == PENSION
    assert result["submission_dossier_id"]
    assert "Số điện thoại 0912 345 678" in texts(dispatcher)[0]


async def test_values_typed_before_a_cancel_are_forgotten(dispatcher):
    history = [
        action_event("action_listen"),
        user_event("sđt của tôi 0912345678", "inform", {"phone": "0912345678"}),
        action_event("action_cancel"),
    ]
    tracker = make_tracker(
        "nộp hồ sơ ngay", "start_submission", {"procedure": PENSION}, history=history
    )
    result = events_as_dict(await ActionStartSubmission().run(dispatcher, tracker, {}))
    assert result["submission_fields"] == {}


async def test_the_same_procedure_again_resumes_the_dossier(dispatcher):
    tracker = make_tracker(
        "nộp hồ sơ ngay",
        "start_submission",
        {"procedure": PENSION},
        slots=slots({"ho_ten": "Nguyễn Văn Bình"}),
    )
    result = events_as_dict(await ActionStartSubmission().run(dispatcher, tracker, {}))
    assert "submission_fields" not in result
    assert texts(dispatcher) == ["Chúng ta tiếp tục hồ sơ Đổi cách nhận lương hưu nhé."]


async def test_a_second_dossier_within_30_days_shows_the_first_receipt(dispatcher):
    from bot.actions import clock

    today = clock.today().isoformat()
    history = [{"procedure": PENSION, "receipt": "BHXH-2026-000123", "on": today}]
    tracker = make_tracker(
        "nộp hồ sơ", "start_submission", entities={"procedure": PENSION},
        slots={"submission_history": history},
    )
    await ActionStartSubmission().run(dispatcher, tracker, {})
    first = texts(dispatcher)[0]
    assert "mã biên nhận BHXH-2026-000123" in first
    assert buttons(dispatcher)[0]["title"] == "Xem hồ sơ đã gửi"


def test_submissions_older_than_30_days_are_forgotten():
    from datetime import date

    from bot.actions.submit import recent_submissions

    history = [{"procedure": "a", "receipt": "R1", "on": "2026-10-01"},
               {"procedure": "a", "receipt": "R2", "on": "2026-11-20"}]
    assert [h["receipt"] for h in recent_submissions(history, date(2026, 12, 7))] == ["R2"]
