"""Answers about a procedure: overview, documents, where and how, time, legal basis, submit now."""

from __future__ import annotations

from bot.actions.procedure_info import (
    ActionDocuments,
    ActionLegalBasis,
    ActionProcedureOverview,
    ActionProcessingTime,
)
from bot.actions.submission import ActionStartSubmission, ActionWhereToSubmit
from tests.bot.conftest import buttons, events_as_dict, make_tracker, texts

CONFIRM = "Thông tin này ông/bà nên hỏi lại cơ quan BHXH để chắc chắn (1900 9068)."


async def test_overview_is_short_and_cites_the_law(dispatcher):
    tracker = make_tracker("/proc_thu_tuc_mau", "proc_thu_tuc_mau")
    events = events_as_dict(await ActionProcedureOverview().run(dispatcher, tracker, {}))
    first = texts(dispatcher)[0].split("\n")
    assert first[0] == "Thủ tục mẫu để kiểm thử"
    assert first[1] == "Câu thứ nhất tóm tắt thủ tục. Câu thứ hai bổ sung."
    # At most two instruments on the line; the "Căn cứ pháp lý" button lists them all.
    assert first[2] == (
        "Căn cứ: Điều 70, 78 Luật Bảo hiểm xã hội số 41/2024/QH15 (hiệu lực từ 01/07/2025); "
        "Quyết định 2222/QĐ-BHXH (hiệu lực từ 29/07/2025)."
    )
    assert events == {"procedure": "thu_tuc_mau"}


async def test_overview_buttons_fit_in_messages_of_five(dispatcher):
    tracker = make_tracker("/proc_thu_tuc_mau", "proc_thu_tuc_mau")
    await ActionProcedureOverview().run(dispatcher, tracker, {})
    first, second = dispatcher.messages
    assert [b["title"] for b in first["buttons"]] == [
        "Điều kiện",
        "Giấy tờ cần chuẩn bị",
        "Nộp ở đâu, nộp thế nào",
        "Thời gian giải quyết",
        "Ước tính số tiền",
    ]
    assert first["buttons"][1]["payload"] == '/ask_documents{"procedure":"thu_tuc_mau"}'
    assert [b["title"] for b in second["buttons"]] == [
        "Nộp hồ sơ ngay", "Gặp nhân viên", "Căn cứ pháp lý",
    ]


async def test_overview_without_amounts_has_no_estimate_button_and_flags_unverified(dispatcher):
    tracker = make_tracker("/proc_thu_tuc_khac", "proc_thu_tuc_khac")
    await ActionProcedureOverview().run(dispatcher, tracker, {})
    assert "Ước tính số tiền" not in [b["title"] for b in buttons(dispatcher)]
    text = texts(dispatcher)[0]
    assert "chưa được xác minh" not in text
    assert text.endswith(CONFIRM) and text.count(CONFIRM) == 1


async def test_an_unknown_procedure_gets_the_hotline_and_the_menu(dispatcher):
    tracker = make_tracker("/proc_che_do_tu_tuat", "proc_che_do_tu_tuat")
    await ActionProcedureOverview().run(dispatcher, tracker, {})
    assert "1900 9068" in texts(dispatcher)[0]
    assert buttons(dispatcher)


async def test_documents_before_any_answer_mark_what_depends_on_the_case(dispatcher):
    tracker = make_tracker("cần giấy tờ gì", "ask_documents", slots={"procedure": "thu_tuc_mau"})
    await ActionDocuments().run(dispatcher, tracker, {})
    text = texts(dispatcher)[0]
    assert "1. Sổ bảo hiểm xã hội (bản chính)" in text
    assert "2. Văn bản đề nghị (bản chính)\n" in text
    assert "chưa được xác minh" not in text and text.count(CONFIRM) == 1
    assert "3. Giấy tờ chứng minh định cư (bản sao có chứng thực) – tùy trường hợp" in text
    assert buttons(dispatcher)[0]["title"] == "Điều kiện"


async def test_documents_are_tailored_to_the_answers_given(dispatcher):
    slots = {
        "procedure": "thu_tuc_mau",
        "eligibility_answers": {"thu_tuc_mau": {"tinh_trang": "da_dung", "dinh_cu": False}},
    }
    tracker = make_tracker("cần giấy tờ gì", "ask_documents", slots=slots)
    await ActionDocuments().run(dispatcher, tracker, {})
    text = texts(dispatcher)[0]
    assert "theo thông tin ông/bà đã trả lời" in text
    assert "định cư" not in text
    assert "tùy trường hợp" not in text


async def test_without_a_procedure_the_assistant_asks_which_one(dispatcher):
    tracker = make_tracker("cần giấy tờ gì", "ask_documents")
    events = await ActionDocuments().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0] == "Ông/bà muốn hỏi về thủ tục nào?"
    assert buttons(dispatcher)[0]["payload"] == '/ask_documents{"procedure":"thu_tuc_mau"}'
    assert events == []


async def test_the_procedure_named_in_the_message_wins_over_the_conversation(dispatcher):
    tracker = make_tracker(
        "thủ tục khác cần gì",
        "ask_documents",
        {"procedure": "thu_tuc_khac"},
        slots={"procedure": "thu_tuc_mau"},
    )
    events = events_as_dict(await ActionDocuments().run(dispatcher, tracker, {}))
    assert "Tờ khai" in texts(dispatcher)[0]
    assert events == {"procedure": "thu_tuc_khac"}


async def test_where_to_submit_lists_the_ways_with_one_button_each(dispatcher):
    tracker = make_tracker("nộp ở đâu", "ask_where_to_submit", slots={"procedure": "thu_tuc_mau"})
    await ActionWhereToSubmit().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Nơi nộp hồ sơ Thủ tục mẫu: Cơ quan BHXH nơi cư trú.")
    assert buttons(dispatcher) == [
        {
            "title": "Ứng dụng VssID",
            "payload": '/ask_where_to_submit{"procedure":"thu_tuc_mau","answer":"vssid"}',
        },
        {
            "title": "Qua bưu điện",
            "payload": '/ask_where_to_submit{"procedure":"thu_tuc_mau","answer":"post"}',
        },
        {
            "title": "Nộp trực tiếp",
            "payload": '/ask_where_to_submit{"procedure":"thu_tuc_mau","answer":"in_person"}',
        },
        {"title": "Nộp hồ sơ ngay", "payload": '/start_submission{"procedure":"thu_tuc_mau"}'},
    ]


async def test_vssid_steps_when_the_citizen_asks_about_vssid(dispatcher):
    tracker = make_tracker(
        "làm trên VssID thế nào", "ask_where_to_submit", slots={"procedure": "thu_tuc_mau"}
    )
    await ActionWhereToSubmit().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0] == (
        "Làm trên ứng dụng VssID:\n1. Đăng nhập VssID.\n2. Chọn dịch vụ công.\n"
        "3. Gửi và nhập mã OTP."
    )
    assert [b["title"] for b in buttons(dispatcher)] == [
        "Qua bưu điện",
        "Nộp trực tiếp",
        "Nộp hồ sơ ngay",
        "Gặp nhân viên",
    ]


async def test_post_steps_include_what_to_write_on_the_envelope(dispatcher):
    tracker = make_tracker(
        "/ask_where_to_submit",
        "ask_where_to_submit",
        {"procedure": "thu_tuc_mau", "answer": "post"},
    )
    await ActionWhereToSubmit().run(dispatcher, tracker, {})
    assert "Ghi ngoài phong bì: tên thủ tục." in texts(dispatcher)[0]


async def test_submit_now_without_catalog_fields_shows_the_ways_to_submit(dispatcher):
    # thu_tuc_mau has no data fields: the assistant cannot take its dossier (no form data).
    tracker = make_tracker("nộp luôn", "start_submission", slots={"procedure": "thu_tuc_mau"})
    events = events_as_dict(await ActionStartSubmission().run(dispatcher, tracker, {}))
    assert "sẽ sớm có" in texts(dispatcher)[0]
    assert "Ứng dụng VssID" in [b["title"] for b in buttons(dispatcher)]
    assert events["procedure"] == "thu_tuc_mau"
    assert events["submission_procedure"] is None


async def test_processing_time_with_its_basis(dispatcher):
    tracker = make_tracker("bao lâu", "ask_processing_time", slots={"procedure": "thu_tuc_mau"})
    await ActionProcessingTime().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0] == (
        "Thời gian giải quyết thủ tục Thủ tục mẫu: 05 ngày làm việc kể từ ngày nhận đủ hồ sơ.\n"
        "Căn cứ: Điều 79 Luật Bảo hiểm xã hội số 41/2024/QH15 (hiệu lực từ 01/07/2025)."
    )


async def test_legal_basis_lists_every_reference(dispatcher):
    tracker = make_tracker("theo luật nào", "ask_legal_basis", slots={"procedure": "thu_tuc_mau"})
    await ActionLegalBasis().run(dispatcher, tracker, {})
    lines = texts(dispatcher)[0].split("\n")
    assert lines[1] == (
        "• Điều 70 khoản 1, Luật Bảo hiểm xã hội số 41/2024/QH15 (hiệu lực từ 01/07/2025)"
    )
    assert lines[3] == "• Quyết định 2222/QĐ-BHXH (hiệu lực từ 29/07/2025)"
    assert lines[-1] == CONFIRM
