"""Dossiers collected in a conversation and submitted to the running intake service.

Real processes (intake service, action server, Rasa with the trained model), real databases; the
citizen talks through the REST channel, typing answers or pressing the buttons the bot sent. The
stored dossiers are then read back from the intake API field by field.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
import uuid
from datetime import datetime, timezone

import httpx
import pytest

from stack import RunningStack
from tests.e2e.conftest import PNG
from tests.e2e.harness import (
    WEBHOOK_SECRET,
    Chat,
    WebChat,
    change_status,
    intake_dossier,
    intake_dossiers,
    notices,
    receipt_code,
    submit_directly,
    wait_for,
    webchat_texts,
)

pytestmark = pytest.mark.slow

QUEUED = "đã được lưu và sẽ gửi ngay khi hệ thống tiếp nhận hoạt động lại"


def assert_one_error(reply: str, question: str) -> None:
    """A wrong answer: one message with one example, and the question is not repeated."""
    assert reply.count("Ví dụ") == 1, reply
    assert question not in reply, reply


def test_pension_to_a_bank_account_with_a_wrong_answer_corrected(
    system: RunningStack, sender: str
):
    chat = Chat(system, sender)
    reply = chat.start('/start_submission{"procedure":"doi_hinh_thuc_nhan_luong_huu"}')
    assert "Ông/bà đang hưởng lương hưu" in reply
    chat.say("có")
    reply = chat.press("Tiền mặt → tài khoản ngân hàng")
    assert "đứng tên chính ông/bà" in reply
    assert "họ và tên" in chat.press("Có")
    assert "sinh ngày nào" in chat.say("tên tôi là Nguyễn Văn Bình")
    assert "căn cước công dân" in chat.say("20/08/1960")
    wrong = chat.say("cccd cua toi la 056 160 001 23")
    assert "12 chữ số" in wrong
    assert_one_error(wrong, "Ông/bà cho biết số căn cước công dân")
    # the phone number in the same sentence is kept: it is not asked later
    assert "mã số BHXH" in chat.say("cccd cua toi la 056 160 001 234, sdt 0912 345 678")
    assert "tỉnh/thành phố nào" in chat.say("5612345678")
    assert "ngân hàng nào" in chat.say("Khánh Hòa")
    assert "chi nhánh" in chat.say("ngân hàng ngoại thương")
    assert "số tài khoản" in chat.press("Bỏ qua")
    assert "xác nhận" in chat.say("stk 0011001234567")
    summary = chat.say("có")
    # the citizen sees in full what they typed, grouped to be checked (masked elsewhere)
    assert "• Số CCCD: 056 160 001 234" in summary
    assert "• Số điện thoại: 0912 345 678" in summary
    assert "0912345678" not in summary
    assert {"Gửi hồ sơ", "Hủy", "Sửa Số CCCD", "Sửa Số tài khoản"} <= set(chat.buttons())
    assert all(len(m.get("buttons") or []) <= 5 for m in chat.last)

    receipt = chat.press("Gửi hồ sơ")
    code = receipt_code(receipt)
    assert "05 ngày làm việc" in receipt
    assert "Hồ sơ của tôi đến đâu rồi" in receipt
    stored = intake_dossier(system, code)
    assert stored["procedure_id"] == "doi_hinh_thuc_nhan_luong_huu"
    assert (stored["channel"], stored["sender_id"], stored["status"]) == (
        "rest",
        sender,
        "received",
    )
    assert stored["fields"] == {
        "ho_ten": "Nguyễn Văn Bình",
        "ngay_sinh": "1960-08-20",
        "so_cccd": "056160001234",
        "ma_so_bhxh": "5612345678",
        "so_dien_thoai": "0912345678",
        "tinh_nhan_luong_huu": "Khánh Hòa",
        "ngan_hang": "Vietcombank",
        "so_tai_khoan": "0011001234567",
        "xac_nhan_chinh_chu": True,
    }
    assert stored["answers"] == {
        "dang_huong": True,
        "thay_doi": "sang_tai_khoan",
        "tai_khoan_chinh_chu": True,
    }

    # the rating, stored with the intake service
    assert "chấm điểm từ 1" in receipt
    assert "góp ý" in chat.press("5")
    assert "Cảm ơn ông/bà đã đánh giá" in chat.say("Trợ lý hướng dẫn dễ hiểu")
    with sqlite3.connect(system.work / "intake.db") as db:
        rows = db.execute(
            "SELECT score, comment, receipt_code FROM ratings WHERE sender_id = ?", (sender,)
        ).fetchall()
    assert rows == [(5, "Trợ lý hướng dẫn dễ hiểu", code)]

    status = chat.say("hồ sơ của tôi đến đâu rồi")
    assert f"Hồ sơ {code}" in status
    assert "Đã tiếp nhận" in status


def test_one_time_payment_with_help_after_three_wrong_answers_and_a_photo(
    system: RunningStack,
):
    # a web chat conversation: its uploads are what the action server fetches (the REST channel
    # ignores a client's metadata, and the action server fetches no other address of this host)
    chat = WebChat(system)
    chat.start('/start_submission{"procedure":"huong_bhxh_mot_lan"}')
    chat.press("Đã dừng đóng BHXH")
    assert "đóng BHXH lần đầu" in chat.press("Nghỉ việc, không đóng tiếp")
    chat.say("01/03/2012")
    chat.say("01/01/2025")
    assert "họ và tên" in chat.say("12 năm")
    chat.say("Trần Thị Lan")
    assert "căn cước" in chat.say("20/08/1975")
    # a photo of the paper sổ BHXH, sent in the middle of the questions
    reply = chat.upload("so-bhxh.png", PNG)
    assert "Đây là giấy tờ nào" in reply
    reply = chat.press("Sổ bảo hiểm xã hội")
    assert "Tôi đã ghi nhận ảnh/tệp là: Sổ bảo hiểm xã hội." in reply
    assert "căn cước công dân" in reply  # back to the question that was asked
    assert "mã số BHXH" in chat.say("056175001234")
    for attempt in ("123", "mã của tôi là abc", "99"):
        reply = chat.say(attempt)
    assert {"Giải thích thêm", "Gặp nhân viên"} <= set(chat.buttons())
    assert "Bỏ qua" not in chat.buttons()  # mã số BHXH is required
    assert "sổ BHXH" in chat.press("Giải thích thêm")
    assert "số điện thoại" in chat.say("7912345678")
    wrong = chat.say("0123")
    assert_one_error(wrong, "Ông/bà cho biết số điện thoại")
    assert "tỉnh/thành phố nào" in chat.say("0912345678")
    assert "địa chỉ" in chat.say("Đà Nẵng")
    assert "hình thức nào" in chat.say("12 Lê Lợi, phường Hải Châu, TP Đà Nẵng")
    assert "ngân hàng nào" in chat.press("Chuyển khoản ngân hàng")
    chat.say("Agribank")
    wrong = chat.say("12ab34")
    assert "chữ số" in wrong
    assert "đứng tên" in chat.say("1234567890123")
    summary = chat.press("Có")
    assert "Sổ bảo hiểm xã hội (1 tệp)" in summary
    assert "Văn bản đề nghị hưởng BHXH một lần" in summary  # still missing

    receipt = chat.press("Gửi hồ sơ")
    code = receipt_code(receipt)
    assert "07 ngày làm việc" in receipt
    assert "Sổ bảo hiểm xã hội (bản chính)" in receipt  # the paper book goes by post
    assert "đính kèm 1 ảnh/tệp" in receipt
    stored = intake_dossier(system, code)
    assert stored["fields"] == {
        "ho_ten": "Trần Thị Lan",
        "ngay_sinh_nguoi_de_nghi": "1975-08-20",
        "so_cccd": "056175001234",
        "ma_so_bhxh": "7912345678",
        "so_dien_thoai": "0912345678",
        "tinh_nop_ho_so": "TP Đà Nẵng",
        "dia_chi": "12 Lê Lợi, phường Hải Châu, TP Đà Nẵng",
        "hinh_thuc_nhan": "tai_khoan",
        "ngan_hang": "Agribank",
        "so_tai_khoan": "1234567890123",
        "tai_khoan_chinh_chu": True,
    }
    assert stored["answers"]["ly_do"] == "nghi_viec"
    assert len(stored["attachments"]) == 1
    assert stored["attachments"][0]["content_type"] == "image/png"
    assert stored["attachments"][0]["filename"].startswith("so_bhxh")


def test_health_card_with_a_conditional_field_and_a_correction(system: RunningStack, sender: str):
    chat = Chat(system, sender)
    chat.start('/start_submission{"procedure":"cap_lai_the_bhyt"}')
    chat.press("Thông tin trên thẻ sai/thay đổi")
    chat.press("Có")
    assert "sinh ngày nào" in chat.say("Vũ Thị Mai")
    wrong = chat.say("32/13/1985")
    assert_one_error(wrong, "Ông/bà sinh ngày nào?")
    assert "mã số BHXH" in chat.say("03/05/1985")
    chat.say("0112345678")
    chat.say("001185001234")
    chat.say("0965123456")
    assert "cần sửa thông tin gì" in chat.say("Hà Nội")
    assert "nhận thẻ ở đâu" in chat.say("Sửa ngày sinh thành 03/05/1985")
    assert "địa chỉ nhận thẻ" in chat.press("Gửi qua bưu điện (tự trả cước)")
    summary = chat.say("Số 5 ngõ 10 Trần Duy Hưng, Hà Nội")
    assert "Sửa Số điện thoại" in chat.buttons()
    assert "0965 123 456" in summary
    prompt = chat.press("Sửa Số điện thoại")
    assert "Hiện đang ghi: 0965 123 456" in prompt
    summary = chat.say("0987654321")
    assert "0987 654 321" in summary
    code = receipt_code(chat.press("Gửi hồ sơ"))
    stored = intake_dossier(system, code)
    assert stored["fields"] == {
        "ho_ten": "Vũ Thị Mai",
        "ngay_sinh": "1985-05-03",
        "ma_so_bhxh": "0112345678",
        "so_cccd": "001185001234",
        "so_dien_thoai": "0987654321",
        "tinh": "TP Hà Nội",
        "thong_tin_thay_doi": "Sửa ngày sinh thành 03/05/1985",
        "noi_nhan_the": "buu_dien",
        "dia_chi_nhan_the": "Số 5 ngõ 10 Trần Duy Hưng, Hà Nội",
    }
    assert stored["answers"] == {"ly_do": "sai_thong_tin", "the_con_han": True}


def test_cancel_in_the_middle_leaves_no_dossier_and_nothing_for_the_next_attempt(
    system: RunningStack, sender: str
):
    chat = Chat(system, sender)
    chat.start('/start_submission{"procedure":"doi_hinh_thuc_nhan_luong_huu"}')
    chat.say("có")
    chat.press("Tiền mặt → tài khoản ngân hàng")
    chat.press("Có")
    chat.say("Nguyễn Văn Bình")
    chat.say("20/08/1960")
    chat.say("056160001234")
    assert "muốn hủy hồ sơ đang làm?" in chat.say("hủy")
    assert "Đã hủy" in chat.say("có")
    assert intake_dossiers(system, sender) == []

    # the next attempt starts from nothing: procedure, eligibility answers, fields
    assert "thủ tục nào" in chat.say("nộp hồ sơ ngay")
    chat.press("Đổi cách nhận lương hưu")
    assert "đang hưởng lương hưu" in chat.press("Đồng ý")  # consent again: a cancel forgets it
    chat.say("có")
    chat.press("Tiền mặt → tài khoản ngân hàng")
    chat.press("Có")
    chat.say("Nguyễn Văn Bình")
    assert "căn cước công dân" in chat.say("20/08/1960")  # the old CCCD is not reused
    chat.say("hủy")
    assert intake_dossiers(system, sender) == []


def fill_health_card(chat: Chat) -> str:
    """Answers every question of cap_lai_the_bhyt; returns the summary."""
    chat.start('/start_submission{"procedure":"cap_lai_the_bhyt"}')
    chat.press("Thẻ bị mất hoặc hỏng")
    chat.press("Có")
    for answer in ("Lê Văn Hùng", "12/02/1970", "0212345678", "001070001234", "0912345678"):
        chat.say(answer)
    chat.say("Hải Phòng")
    return chat.press("Nhận tại cơ quan BHXH")


def test_intake_down_at_submit_is_delivered_once_when_it_returns(
    system: RunningStack, sender: str
):
    chat = Chat(system, sender)
    assert "Lê Văn Hùng" in fill_health_card(chat)
    assert "Gửi hồ sơ" in chat.buttons()
    system.process("intake").stop()
    try:
        reply = chat.press("Gửi hồ sơ")
        assert QUEUED in reply
        assert "HS-" not in reply
        status = chat.say("hồ sơ của tôi đến đâu rồi")
        assert "đang" in status  # queued, or the lookup is down: never an error page
    finally:
        system.process("intake").start()

    def told() -> str | None:
        return next((t for t in notices(system, sender) if "Mã hồ sơ: HS-" in t), None)

    notice = wait_for(told, 120, "the receipt code told to the citizen")
    code = receipt_code(notice)
    time.sleep(4)  # a few more worker rounds: nothing is sent twice
    dossiers = intake_dossiers(system, sender)
    assert [item["receipt_code"] for item in dossiers] == [code]
    assert intake_dossier(system, code)["fields"]["ho_ten"] == "Lê Văn Hùng"
    assert len([t for t in notices(system, sender) if "Mã hồ sơ: HS-" in t]) == 1
    assert code in chat.say("hồ sơ của tôi đến đâu rồi")


def test_the_form_continues_after_the_bot_restarts(system: RunningStack, sender: str):
    chat = Chat(system, sender)
    chat.start('/start_submission{"procedure":"cap_lai_the_bhyt"}')
    chat.press("Thẻ bị mất hoặc hỏng")
    chat.press("Có")
    assert "sinh ngày nào" in chat.say("Phạm Thị Hoa")
    system.restart("rasa-1", "actions-1")
    assert "mã số BHXH" in chat.say("01/01/1980")
    chat.say("hủy")


def test_a_status_change_reaches_the_citizen_on_their_channel(system: RunningStack):
    webchat_sender = f"e2e{uuid.uuid4().hex[:16]}"
    code = submit_directly(
        system,
        "cap_lai_the_bhyt",
        "webchat",
        webchat_sender,
        {
            "ho_ten": "Đỗ Văn Nam",
            "ngay_sinh": "1980-01-01",
            "ma_so_bhxh": "0112345679",
            "so_cccd": "001080001234",
            "so_dien_thoai": "0912345679",
            "tinh": "Hà Nội",
            "noi_nhan_the": "tai_bhxh",
        },
        {"ly_do": "mat_hong", "the_con_han": True},
    )
    change_status(system, code, "needs_info", "Ông/bà gửi thêm ảnh CCCD mặt sau.")

    def told() -> list[str]:
        return [t for t in webchat_texts(system, webchat_sender) if code in t]

    messages = wait_for(told, 60, "the status change on the web chat")
    assert "Cần bổ sung thông tin" in messages[0]
    assert "Ông/bà gửi thêm ảnh CCCD mặt sau." in messages[0]

    # the citizen sends the photo from the web chat page: it goes to that dossier
    uploaded = httpx.post(
        f"{system.rasa_url}/webhooks/webchat/upload",
        data={"sender": webchat_sender},
        files={"file": ("cccd-mat-sau.png", PNG, "image/png")},
        timeout=120,
    )
    assert uploaded.json() == {"ok": True}
    assert any("đính kèm 1 ảnh/tệp" in t for t in webchat_texts(system, webchat_sender))
    assert len(intake_dossier(system, code)["attachments"]) == 1

    # the same event delivered again (same X-Intake-Event-Id) is dropped
    body = json.dumps(
        {
            "event": "status_changed",
            "event_id": "e2e-duplicate",
            "receipt_code": code,
            "procedure_id": "cap_lai_the_bhyt",
            "status": "in_review",
            "status_label": "Đang xem xét",
            "note": None,
            "channel": "webchat",
            "sender_id": webchat_sender,
            "at": "2026-03-01T08:00:00+00:00",
            "sent_at": datetime.now(timezone.utc).isoformat(),  # signed and fresh (issue 17)
        }
    ).encode()
    signature = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-Intake-Signature": signature, "X-Intake-Event-Id": "e2e-duplicate"}
    url = f"{system.rasa_url}/webhooks/intake/events"
    first = httpx.post(url, content=body, headers=headers, timeout=60)
    second = httpx.post(url, content=body, headers=headers, timeout=60)
    assert first.json() == {"delivered": True}
    assert second.json()["duplicate"] is True
    reviewing = [t for t in webchat_texts(system, webchat_sender) if "Đang xem xét" in t]
    assert len(reviewing) == 1
    forged = httpx.post(url, content=body, headers={"X-Intake-Signature": "sha256=00"})
    assert forged.status_code == 403
