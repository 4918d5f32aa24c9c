"""Issue 16's trial in real browsers: a citizen on a phone-sized web chat, hotline staff in the
console, the whole system running (see ``conftest``: the office is closed today, so asking for
a person first asks for a call-back number while the handoff waits in the queue).

* A staff member claims the conversation while the call-back question is pending: the citizen's
  text and photo reach the console, the assistant stays silent, the staff reply is labelled
  "Cán bộ BHXH · <name>", the header says a person is here; "Kết thúc" tells the citizen, with
  the name the console shows; the transcript has every turn in the citizen's words.
* "Kết thúc và xóa trên máy này" starts afresh; a citizen who declines the call back leaves the
  queue at once; a hand-back "kết thúc" tells the citizen and asks the rating; ratings count.
* A caller's code typed in the middle of a form continues the dossier prepared on the phone.
* The dossier's status drop-down keeps the choice after "note required".
"""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack import RunningStack
from stack.system import API_KEY
from tests.intake.browser_support import BROWSER_MARKS
from tests.webchat.conftest import Chat, Console, wait_until

pytestmark = [*BROWSER_MARKS, pytest.mark.slow]

STAFF_NAME = "Quản trị viên"  # the administrator's name, from the intake's bootstrap
PENSION = "doi_hinh_thuc_nhan_luong_huu"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def ask_for_a_person(chat: Chat) -> None:
    shown = len(chat.bot_texts())
    chat.driver.find_element("css selector", "#human").click()
    chat.wait_for("ngoài giờ làm việc", after=shown)
    chat.wait_for("số điện thoại để cán bộ gọi lại", after=shown)


def claim(staff: Console, sender: str) -> int:
    handoff = wait_until(lambda: staff.active_handoff(sender), "the handoff in the queue")
    handoff_id = int(handoff["handoff_id"])
    staff.open(f"/console/handoffs/{handoff_id}")
    staff.click_and_load(staff.find("#claim-button"))
    return handoff_id


def test_a_claim_while_the_call_back_question_is_pending_and_the_end(
    web_stack: RunningStack, page_url: str, citizen: Chat, staff_browser: Any, tmp_path: Path
):
    chat = citizen
    chat.driver.get(page_url)
    chat.wait_for("Xin chào ông/bà")
    ask_for_a_person(chat)
    staff = Console(staff_browser, web_stack)
    handoff_id = claim(staff, chat.sender())

    # the citizen is told, with the name the console shows, and the header says so
    told = chat.wait_for("đang hỗ trợ ông/bà")
    assert told.startswith(f"Cán bộ {STAFF_NAME} ")
    who = chat.driver.find_element("css selector", "#who")
    wait_until(lambda: who.is_displayed() and STAFF_NAME in who.text, "the header")
    assert STAFF_NAME in staff.find("dl.facts").text  # "Cán bộ nhận: Quản trị viên · …"
    notice = wait_until(
        lambda: "đã báo" in staff.find("#notices").text and staff.find("#notices").text,
        "the claim notice",
    )
    assert "Báo người dân có cán bộ hỗ trợ: đã báo" in notice

    # the pending phone question is suspended: text and photo go to staff, the bot is silent
    shown = len(chat.bot_texts())
    chat.type("số tôi là 0912")
    wait_until(lambda: "số tôi là 0912" in staff.transcript(), "the relayed text")
    photo = tmp_path / "so-bhxh.png"
    photo.write_bytes(_png())
    chat.send_file(photo)
    wait_until(
        lambda: chat.elements(".msg.user img") and "so-bhxh.png" in staff.transcript(),
        "the thumbnail and the relayed photo",
    )
    assert chat.bot_texts()[shown:] == []  # no "Số điện thoại chỉ gồm chữ số…"
    assert all(not b.is_enabled() for b in chat.elements(".msg .buttons button"))

    # a staff reply looks like a person's
    staff.find("#reply-text").send_keys("Chào ông, tôi đã nhận ảnh sổ BHXH.")
    staff.find("#reply-send").click()
    reply = wait_until(lambda: chat.elements(".msg.staff"), "the staff reply")[-1]
    assert reply.find_element("css selector", ".who").text == f"Cán bộ BHXH · {STAFF_NAME}"
    assert reply.value_of_css_property("background-color") != (
        chat.elements(".msg.bot")[0].value_of_css_property("background-color")
    )
    wait_until(lambda: f"Cán bộ · {STAFF_NAME}" in staff.transcript(), "the name in the console")

    # every turn in the citizen's words, no payloads
    transcript = staff.transcript()
    assert "Gặp nhân viên" in transcript and "ngoài giờ làm việc" in transcript
    assert "số điện thoại để cán bộ gọi lại" in transcript
    assert "/request_human" not in transcript and "/inform" not in transcript

    # "Kết thúc, không chuyển lại": the citizen is told, with the same name
    staff.click_and_load(staff.find("#close-button"))
    ended = chat.wait_for("đã kết thúc cuộc trò chuyện")
    assert ended.startswith(f"Cán bộ {STAFF_NAME} ")
    wait_until(lambda: not who.is_displayed(), "the header without the staff member")
    staff.open(f"/console/handoffs/{handoff_id}")
    wait_until(
        lambda: "Báo người dân cuộc trò chuyện đã kết thúc: đã báo" in staff.find("#notices").text,
        "the end notice",
    )


def test_decline_leaves_the_queue_and_an_end_asks_the_rating_which_counts(
    web_stack: RunningStack, page_url: str, citizen: Chat, staff_browser: Any
):
    chat = citizen
    chat.driver.get(page_url)
    chat.wait_for("Xin chào ông/bà")
    chat.type("tôi tên Hoa, số CCCD 056075001234")
    before = chat.sender()

    # a shared phone: end and delete the conversation here
    chat.driver.find_element("css selector", "#forget").click()
    chat.driver.switch_to.alert.accept()
    wait_until(lambda: chat.sender() != before, "a new conversation id")
    chat.wait_for("Xin chào ông/bà")
    assert not any("056075001234" in m.text for m in chat.elements(".msg"))
    answer = httpx.get(
        page_url + "messages", params={"sender": before, "after": 0}, timeout=10
    ).json()
    assert answer["messages"] == []  # deleted on the server too

    staff = Console(staff_browser, web_stack)
    ask_for_a_person(chat)
    sender = chat.sender()
    declined = wait_until(lambda: staff.active_handoff(sender), "the waiting handoff")
    chat.click("Không cần")
    chat.wait_for("Khi cần, ông/bà gọi")
    wait_until(lambda: staff.active_handoff(sender) is None, "the handoff out of the queue")
    staff.open("/console/inbox")
    assert not staff.driver.find_elements(
        "css selector", f'#waiting-table tr[data-id="{declined["handoff_id"]}"]'
    )
    staff.open(f"/console/handoffs/{declined['handoff_id']}")
    assert "Không cần" in staff.transcript() and "/deny" not in staff.transcript()

    ratings_before = rating_count(staff)
    for score, comment in (("5", "Không góp ý"), ("4", "Cán bộ trả lời nhanh")):
        ask_for_a_person(chat)
        shown = len(chat.bot_texts())
        claim(staff, sender)
        chat.wait_for("đang hỗ trợ ông/bà", after=shown)
        staff.find("#resume-end").click()
        shown = len(chat.bot_texts())
        staff.click_and_load(staff.find("#return-button"))
        done = chat.wait_for("đã hoàn tất hỗ trợ", after=shown)
        assert done.startswith(f"Cán bộ {STAFF_NAME} ")
        chat.wait_for("chấm điểm từ 1", after=shown)
        shown = len(chat.bot_texts())
        chat.click(score)
        chat.wait_for("góp ý gì thêm", after=shown)
        shown = len(chat.bot_texts())
        if comment == "Không góp ý":
            chat.click(comment)
        else:
            chat.type(comment)
        chat.wait_for("Cảm ơn ông/bà đã đánh giá", after=shown)
    assert rating_count(staff) == ratings_before + 2


def rating_count(staff: Console) -> int:
    staff.open("/console/stats")
    found = re.search(r"\((\d+) đánh giá", staff.find("main").text)
    assert found is not None
    return int(found.group(1))


def test_a_callers_code_in_the_middle_of_a_form(
    web_stack: RunningStack, page_url: str, citizen: Chat, staff_browser: Any
):
    staff = Console(staff_browser, web_stack)
    staff.open(f"/console/handoff-codes?procedure={PENSION}")
    staff.find('[name="f_ho_ten"]').send_keys("Trần Thị Hoa")
    staff.find('[name="f_ngay_sinh"]').send_keys("02/09/1958")
    staff.find('[name="note"]').send_keys("Bà nhớ chụp CCCD hai mặt.")
    staff.click_and_load(staff.find("#code-submit"))
    code = staff.find("#issued-code").text.strip()

    chat = citizen
    chat.driver.get(page_url)
    chat.wait_for("Xin chào ông/bà")
    chat.click("Rút BHXH một lần")
    chat.click("Điều kiện")
    chat.wait_for("kiểm tra điều kiện")  # a question of the eligibility form is pending
    shown = len(chat.bot_texts())
    chat.type(code.lower())
    ready = chat.wait_for("Cán bộ đã chuẩn bị sẵn hồ sơ", after=shown)
    assert "Bà nhớ chụp CCCD hai mặt." in ready
    assert not any("vui lòng chọn" in t for t in chat.bot_texts()[shown:])
    # the prepared dossier asks consent first (issue 17), then goes on with its first open
    # question (name and birth date known)
    chat.wait_for("có đồng ý", after=shown)
    chat.type("đồng ý")
    chat.wait_for("đang hưởng lương hưu", after=shown)
    assert not any("họ và tên" in t for t in chat.bot_texts()[shown:])


def test_the_status_drop_down_keeps_the_choice_after_an_error(
    web_stack: RunningStack, staff_browser: Any
):
    from selenium.webdriver.support.ui import Select

    answer = httpx.post(
        f"{web_stack.intake_url}/api/v1/dossiers",
        json={
            "procedure_id": "cap_lai_the_bhyt",
            "channel": "webchat",
            "sender_id": f"web-{uuid.uuid4().hex[:16]}",
            "fields": {
                "ho_ten": "Đỗ Văn Nam",
                "ngay_sinh": "1980-01-01",
                "ma_so_bhxh": "0112345679",
                "so_cccd": "001080001234",
                "so_dien_thoai": "0912345679",
                "tinh": "Hà Nội",
                "noi_nhan_the": "tai_bhxh",
            },
            "answers": {"ly_do": "mat_hong", "the_con_han": True},
            "province": None,
        },
        headers={"X-API-Key": API_KEY, "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    code = answer.json()["receipt_code"]
    staff = Console(staff_browser, web_stack)
    staff.open(f"/console/dossiers/{code}")
    Select(staff.find("#status-select")).select_by_value("needs_info")
    staff.click_and_load(staff.find("#status-submit"))
    assert "ghi chú" in staff.find("#status-error").text.lower()
    assert Select(staff.find("#status-select")).first_selected_option.get_attribute(
        "value"
    ) == "needs_info"
    staff.find("#status-note").send_keys("Xin bổ sung bản chụp CCCD.")
    staff.click_and_load(staff.find("#status-submit"))
    assert "Cần bổ sung thông tin" in staff.find("#current-status").text
