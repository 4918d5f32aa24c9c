"""The console's "Hộp thư hỗ trợ": queue, conversation, data correction, codes, call backs."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from intake_service.db import Database
from intake_service.models import AuditEntry, WebhookDelivery

from .conftest import ADMIN, STAFF, BotStub
from .handoff_support import BOT, FAR_MONDAY_9AM, Clock, build_app_client, open_handoff
from .test_console import login
from .test_handoff_api import staff_user

CCCD = "056075001234"


@pytest.fixture
def console(tmp_path: Path, sqlite_url: str) -> Iterator[Any]:
    with build_app_client(tmp_path, sqlite_url, INTAKE_WEBHOOKS="0") as client:
        yield client


def actions(url: str, actor: str) -> set[str]:
    with Database(url).session() as session:
        rows = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == actor))
        return set(rows)


def claim(client: Any, handoff_id: int, token: str) -> Any:
    return client.post(f"/console/handoffs/{handoff_id}/claim", data={"csrf_token": token})


def last_message_id(page: str) -> int:
    """The id of the last message of a conversation page (where its live transcript starts)."""
    found = re.search(r'data-after="(\d+)"', page)
    assert found is not None
    return int(found.group(1))


def test_the_queue_shows_waiting_conversations_with_personal_numbers_masked(
    console: Any,
) -> None:
    created = open_handoff(
        console,
        channel="messenger",
        transcript=[{"from": "citizen", "text": f"CCCD của tôi là {CCCD}, SĐT 0912345678"}],
    )
    login(console)
    page = console.get("/console/inbox").text
    assert "Đang chờ cán bộ" in page
    assert f'data-id="{created["handoff_id"]}"' in page
    assert "Messenger" in page and "TP Hồ Chí Minh" in page and "Người dân muốn gặp cán bộ" in page
    assert CCCD not in page and "0912345678" not in page
    assert "056******234" in page  # the identifier, masked like the dossier list
    queue = console.get("/console/inbox/queue.json").json()
    item = next(i for i in queue["waiting"] if i["id"] == created["handoff_id"])
    assert item["waited"] == 0 and item["procedure"]
    assert CCCD not in str(queue) and "0912345678" not in str(queue)
    # The conversation itself shows everything to staff, and the viewing is audited.
    full = console.get(f"/console/handoffs/{created['handoff_id']}").text
    assert CCCD in full


def test_claim_then_the_live_transcript_gets_new_citizen_messages(
    console: Any, sqlite_url: str
) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    token = login(console)
    page = claim(console, handoff_id, token)
    assert "Đã nhận cuộc trò chuyện" in page.text
    last = last_message_id(page.text)
    console.post(
        f"/api/v1/handoffs/{handoff_id}/messages",
        json={"from": "citizen", "text": "Tôi đang chờ ạ"},
        headers=BOT,
    )
    polled = console.get(f"/console/handoffs/{handoff_id}/messages.json", params={"after": last})
    body = polled.json()
    assert body["status"] == "claimed" and body["can_act"] is True
    assert [m["text"] for m in body["messages"]] == ["Tôi đang chờ ạ"]
    assert body["messages"][0]["author_label"] == "Người dân"
    nothing_new = console.get(
        f"/console/handoffs/{handoff_id}/messages.json",
        params={"after": body["messages"][0]["id"]},
    )
    assert nothing_new.json()["messages"] == []
    assert {"view_handoff", "claim_handoff"} <= actions(sqlite_url, STAFF[0])


def test_a_second_staff_member_sees_who_owns_it(console: Any) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    claim(console, handoff_id, login(console, STAFF))
    console.cookies.clear()
    token = login(console, ADMIN)
    refused = claim(console, handoff_id, token)
    assert "Cán bộ thử đã nhận cuộc trò chuyện này" in refused.text
    page = console.get(f"/console/handoffs/{handoff_id}").text
    assert "Cán bộ thử" in page


def test_the_staff_member_reads_that_the_citizen_cancelled_and_can_no_longer_reply(
    console: Any,
) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    token = login(console)
    page = claim(console, handoff_id, token)
    assert 'id="reply-form"' in page.text
    last = last_message_id(page.text)
    withdrawn = console.post(
        f"/api/v1/handoffs/{handoff_id}/withdraw", json={"reason": "cancel"}, headers=BOT
    )
    assert withdrawn.status_code == 200
    polled = console.get(
        f"/console/handoffs/{handoff_id}/messages.json", params={"after": last}
    ).json()
    assert polled["status_label"] == "Người dân đã hủy yêu cầu"
    assert polled["can_act"] is False
    [line] = polled["messages"]
    assert line["author_label"] == "Hệ thống"
    assert re.fullmatch(r"Người dân đã hủy yêu cầu hỗ trợ lúc \d\d:\d\d\.", line["text"])
    assert polled["ended"] == line["text"]  # the reason shown in the disabled reply box
    page = console.get(f"/console/handoffs/{handoff_id}")
    assert 'id="reply-form"' not in page.text and line["text"] in page.text
    refused = console.post(
        f"/console/handoffs/{handoff_id}/reply",
        data={"csrf_token": token, "text": "Chào anh"},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 409
    assert "người dân đã hủy yêu cầu" in refused.json()["error"]
    queue = console.get("/console/inbox/queue.json").json()
    listed = [i["id"] for part in ("waiting", "mine", "others") for i in queue[part]]
    assert handoff_id not in listed
    inbox = console.get("/console/inbox").text
    assert f"/console/handoffs/{handoff_id}" in inbox  # under "recent", with its label
    assert "Người dân đã hủy yêu cầu" in inbox


def test_collected_data_is_corrected_with_the_shared_validators(
    console: Any, sqlite_url: str
) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    token = login(console)
    claim(console, handoff_id, token)
    wrong = console.post(
        f"/console/handoffs/{handoff_id}/data",
        data={"csrf_token": token, "f_so_cccd": "12345", "f_ho_ten": "Nguyễn Văn An"},
    )
    assert wrong.status_code == 422
    assert "12 chữ số" in wrong.text
    assert 'value="12345"' in wrong.text  # what was typed stays in the box
    fixed = console.post(
        f"/console/handoffs/{handoff_id}/data",
        data={
            "csrf_token": token,
            "f_so_cccd": "056 075 009 876",
            "f_ho_ten": "Nguyễn Văn An",
            "f_so_dien_thoai": "0912 345 678",
        },
    )
    assert fixed.status_code == 200
    assert "Đã lưu 2 thông tin" in fixed.text
    assert "đã sửa" in fixed.text
    data = console.get(f"/api/v1/handoffs/{handoff_id}", headers=BOT).json()
    assert data["collected"]["so_cccd"] == "056075009876"
    assert data["collected"]["so_dien_thoai"] == "0912345678"
    assert sorted(data["corrected"]) == ["so_cccd", "so_dien_thoai"]
    assert "correct_handoff_data" in actions(sqlite_url, STAFF[0])


def test_a_conversation_without_a_procedure_gets_one_then_goes_back(console: Any) -> None:
    handoff_id = open_handoff(console, procedure_id=None, collected={})["handoff_id"]
    token = login(console)
    claim(console, handoff_id, token)
    page = console.get(f"/console/handoffs/{handoff_id}").text
    assert "Chưa rõ thủ tục" in page
    refused = console.post(
        f"/console/handoffs/{handoff_id}/return",
        data={"csrf_token": token, "resume": "continue_form", "procedure": ""},
    )
    assert "Chọn thủ tục để trợ lý tiếp tục" in refused.text
    chosen = console.post(
        f"/console/handoffs/{handoff_id}/procedure",
        data={"csrf_token": token, "procedure": "huong_bhxh_mot_lan"},
    )
    assert 'name="f_so_cccd"' in chosen.text
    back = console.post(
        f"/console/handoffs/{handoff_id}/return",
        data={"csrf_token": token, "resume": "continue_form", "procedure": ""},
    )
    assert "Đã chuyển lại trợ lý: tiếp tục thu thập hồ sơ" in back.text
    body = console.get(f"/api/v1/handoffs/{handoff_id}", headers=BOT).json()
    assert (body["status"], body["resume"]) == ("returned", "continue_form")
    assert body["procedure_id"] == "huong_bhxh_mot_lan"


def test_every_new_form_needs_the_csrf_token(console: Any) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    login(console, ADMIN)
    for path in (
        f"/console/handoffs/{handoff_id}/claim",
        f"/console/handoffs/{handoff_id}/reply",
        f"/console/handoffs/{handoff_id}/data",
        f"/console/handoffs/{handoff_id}/procedure",
        f"/console/handoffs/{handoff_id}/return",
        f"/console/handoffs/{handoff_id}/close",
        "/console/callbacks/1/done",
        "/console/handoff-codes",
        "/console/reply-templates",
        "/console/reply-templates/1",
    ):
        response = console.post(path, data={"text": "x", "procedure": "huong_bhxh_mot_lan"})
        assert response.status_code == 403, path
        assert "Xin tải lại trang" in response.text
    status = console.get(f"/api/v1/handoffs/{handoff_id}", headers=BOT).json()["status"]
    assert status == "waiting"


def test_a_code_for_a_caller(tmp_path: Path, sqlite_url: str) -> None:
    with build_app_client(
        tmp_path, sqlite_url, INTAKE_WEBHOOKS="0", ZALO_OA_ID="3662729599332560487"
    ) as client:
        token = login(client)
        form = client.get("/console/handoff-codes", params={"procedure": "huong_bhxh_mot_lan"})
        assert 'name="f_so_cccd"' in form.text and 'name="q_ly_do"' in form.text
        data = {
            "csrf_token": token,
            "procedure": "huong_bhxh_mot_lan",
            "f_ho_ten": "Lê Văn Cường",
            "f_so_cccd": "079 080 001 234",
            "q_ly_do": "dinh_cu",
            "note": "",
        }
        wrong = client.post("/console/handoff-codes", data={**data, "f_so_cccd": "0790"})
        assert wrong.status_code == 422 and "12 chữ số" in wrong.text
        done = client.post("/console/handoff-codes", data=data)
        assert done.status_code == 200
        spoken = re.search(r'id="issued-code">([^<]+)<', done.text).group(1)  # type: ignore[union-attr]
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{3} [2-9A-HJKMNP-Z]{3}", spoken)
        code = spoken.replace(" ", "")
        assert f"https://zalo.me/3662729599332560487?code={code}" in done.text
        redeemed = client.get(f"/api/v1/handoff-codes/{code}", headers=BOT).json()
        assert redeemed["fields"]["so_cccd"] == "079080001234"
        assert redeemed["answers"] == {"ly_do": "dinh_cu"}
        assert "Đã dùng" in client.get("/console/handoff-codes").text
    assert "create_handoff_code" in actions(sqlite_url, STAFF[0])


def test_no_zalo_link_without_an_official_account(console: Any) -> None:
    token = login(console)
    done = console.post(
        "/console/handoff-codes",
        data={"csrf_token": token, "procedure": "huong_bhxh_mot_lan", "f_ho_ten": "Lê Văn An"},
    )
    assert 'id="issued-code"' in done.text
    assert "zalo.me" not in done.text


def test_call_backs_are_listed_and_marked_done(console: Any, sqlite_url: str) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    console.post(
        f"/api/v1/handoffs/{handoff_id}/callback",
        json={"phone": "0987654321", "note": "sau 8 giờ"},
        headers=BOT,
    )
    token = login(console)
    assert 'id="callback-count">' in console.get("/console/inbox").text
    page = console.get("/console/callbacks").text
    assert "0987654321" in page and "sau 8 giờ" in page
    callback_id = re.search(r"/console/callbacks/(\d+)/done", page).group(1)  # type: ignore[union-attr]
    done = console.post(
        f"/console/callbacks/{callback_id}/done",
        data={"csrf_token": token, "note": "Đã hướng dẫn nộp hồ sơ", "outcome": "reached"},
    )
    assert "Đã ghi kết quả cuộc gọi: đã gọi được" in done.text
    assert "Đã gọi được: Đã hướng dẫn nộp hồ sơ" in done.text
    assert {"view_callbacks", "complete_callback"} <= actions(sqlite_url, STAFF[0])


def test_reply_templates_are_seeded_and_edited_by_administrators(console: Any) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    token = login(console, STAFF)
    assert console.get("/console/reply-templates").status_code == 403
    claim(console, handoff_id, token)
    page = console.get(f"/console/handoffs/{handoff_id}").text
    assert 'class="template"' in page and "Xin chờ" in page  # seeded by the migration
    console.cookies.clear()
    token = login(console, ADMIN)
    added = console.post(
        "/console/reply-templates",
        data={"csrf_token": token, "title": "Giờ làm việc", "text": "Cán bộ làm việc từ 7:30."},
    )
    assert "Đã thêm mẫu “Giờ làm việc”" in added.text
    template_id = re.findall(r'action="/console/reply-templates/(\d+)"', added.text)[-1]
    empty = console.post(
        f"/console/reply-templates/{template_id}",
        data={"csrf_token": token, "action": "save", "title": "", "text": "x"},
    )
    assert empty.status_code == 422 and "Cần tên ngắn" in empty.text
    removed = console.post(
        f"/console/reply-templates/{template_id}", data={"csrf_token": token, "action": "delete"}
    )
    assert "Đã xóa mẫu “Giờ làm việc”" in removed.text


def test_close_and_audit(console: Any, sqlite_url: str) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    token = login(console)
    claim(console, handoff_id, token)
    closed = console.post(f"/console/handoffs/{handoff_id}/close", data={"csrf_token": token})
    assert "Đã kết thúc cuộc trò chuyện" in closed.text
    assert f"/console/handoffs/{handoff_id}" in closed.text  # listed under "recent"
    assert "close_handoff" in actions(sqlite_url, STAFF[0])


def test_expected_wait_follows_recent_claims(tmp_path: Path, sqlite_url: str) -> None:
    clock = Clock(FAR_MONDAY_9AM)  # alone in its 7-day window
    with build_app_client(tmp_path, sqlite_url, clock=clock, INTAKE_WEBHOOKS="0") as client:
        service = client.app.state.services.handoffs
        user = staff_user(sqlite_url)
        for _ in range(3):
            handoff_id = open_handoff(client)["handoff_id"]
            clock.advance(minutes=2)
            service.claim(handoff_id, user)
        assert open_handoff(client)["expected_wait_minutes"] == 2


# ---------------------------------------------------------------------- issue 16
class LeftBot(BotStub):
    """A bot whose citizen left the handoff: every event is answered "not told"."""

    REASON = "Người dân đã rời yêu cầu hỗ trợ này; trợ lý không gửi gì cho người dân."

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"delivered": False, "reason": self.REASON})


def test_the_console_shows_whether_the_citizen_was_told_of_the_claim(
    tmp_path: Path, sqlite_url: str
) -> None:
    """Never "người dân được báo" when nothing was sent (issue 16, item 2)."""
    with build_app_client(tmp_path, sqlite_url, bot=LeftBot()) as client:
        handoff_id = open_handoff(client)["handoff_id"]
        page = claim(client, handoff_id, login(client))
        assert "người dân được báo có cán bộ" not in page.text
        assert "Trợ lý đang báo người dân" in page.text

        def notices() -> list[dict[str, Any]]:
            url = f"/console/handoffs/{handoff_id}/messages.json"
            found: list[dict[str, Any]] = client.get(url).json()["notices"]
            return found

        deadline = time.monotonic() + 10
        while notices()[-1]["state"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
        [notice] = notices()
        assert notice["label"] == "Báo người dân có cán bộ hỗ trợ"
        assert (notice["state"], notice["text"]) == ("not_told", "chưa báo được")
        assert notice["reason"] == LeftBot.REASON
        page = client.get(f"/console/handoffs/{handoff_id}").text
        assert "chưa báo được" in page and LeftBot.REASON in page


def test_staff_see_the_name_the_citizen_reads_and_every_turn_of_the_assistant(
    console: Any,
) -> None:
    """The same name everywhere (items 4) and the assistant's lines after the end (item 3)."""
    handoff_id = open_handoff(console)["handoff_id"]
    token = login(console)
    claim(console, handoff_id, token)
    sent = console.post(
        f"/console/handoffs/{handoff_id}/reply",
        data={"csrf_token": token, "text": "Chào anh"},
        headers={"Accept": "application/json"},
    ).json()["message"]
    assert sent["staff"] == "Cán bộ thử"  # not the account name "canbo"
    polled = console.get(f"/console/handoffs/{handoff_id}/messages.json").json()
    assert [m["staff"] for m in polled["messages"] if m["author"] == "staff"] == ["Cán bộ thử"]
    page = console.get(f"/console/handoffs/{handoff_id}").text
    assert "Cán bộ · Cán bộ thử" in page and "Cán bộ · canbo" not in page
    console.post(f"/console/handoffs/{handoff_id}/close", data={"csrf_token": token})
    said = console.post(
        f"/api/v1/handoffs/{handoff_id}/messages",
        json={"from": "bot", "text": "Vâng. Khi cần, ông/bà gọi 1900 9068."},
        headers=BOT,
    )
    assert said.status_code == 201  # the assistant's words are kept after the end
    late = console.post(
        f"/api/v1/handoffs/{handoff_id}/messages", json={"text": "alo"}, headers=BOT
    )
    assert late.status_code == 409  # a citizen's message goes back to the assistant


def test_repeat_call_backs_of_one_number_are_one_line_with_the_topic(console: Any) -> None:
    phone = "0977" + uuid.uuid4().hex[:6].translate(str.maketrans("abcdef", "123456"))
    first = open_handoff(console, procedure_id="huong_bhxh_mot_lan")["handoff_id"]
    for handoff_id in (first,):
        console.post(f"/api/v1/handoffs/{handoff_id}/callback", json={"phone": phone}, headers=BOT)
    second = open_handoff(console, procedure_id="cap_lai_the_bhyt")["handoff_id"]
    console.post(f"/api/v1/handoffs/{second}/callback", json={"phone": phone}, headers=BOT)
    token = login(console)
    page = console.get("/console/callbacks").text
    row = re.search(rf'<tr data-phone="{phone}">(.*?)</tr>', page, re.S)
    assert row is not None and page.count(f'data-phone="{phone}"') == 1
    assert re.search(r'class="requests">2<', row.group(1))
    assert "BHXH một lần" in row.group(1) and "thẻ BHYT" in row.group(1)
    callback_id = re.search(r"/console/callbacks/(\d+)/done", row.group(1)).group(1)  # type: ignore[union-attr]
    refused = console.post(
        f"/console/callbacks/{callback_id}/done", data={"csrf_token": token, "outcome": "x"}
    )
    assert "Chọn kết quả cuộc gọi" in refused.text
    console.post(
        f"/console/callbacks/{callback_id}/done",
        data={"csrf_token": token, "outcome": "no_answer", "note": "gọi 2 lần"},
    )
    page = console.get("/console/callbacks").text
    assert f'data-phone="{phone}"' not in page  # both requests are done
    assert page.count("Không liên lạc được: gọi 2 lần") == 2


def test_notes_stay_with_staff_and_a_colleague_takes_over(console: Any, sqlite_url: str) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    token = login(console)
    claim(console, handoff_id, token)
    noted = console.post(
        f"/console/handoffs/{handoff_id}/note",
        data={"csrf_token": token, "text": "Người này đã gọi tổng đài hôm qua."},
    )
    assert "Đã lưu ghi chú nội bộ" in noted.text
    polled = console.get(f"/console/handoffs/{handoff_id}/messages.json").json()
    [note] = [m for m in polled["messages"] if m["author"] == "note"]
    assert note["author_label"].startswith("Ghi chú nội bộ") and note["staff"] == "Cán bộ thử"
    page = console.get(f"/console/handoffs/{handoff_id}").text
    assert 'id="transfer-to"' in page and 'value="quantri"' in page
    moved = console.post(
        f"/console/handoffs/{handoff_id}/transfer", data={"csrf_token": token, "to": ADMIN[0]}
    )
    assert "Đã chuyển cuộc trò chuyện cho cán bộ Quản trị thử" in moved.text
    body = console.get(f"/api/v1/handoffs/{handoff_id}", headers=BOT).json()
    assert body["staff_name"] == "Quản trị thử" and body["status"] == "claimed"
    polled = console.get(f"/console/handoffs/{handoff_id}/messages.json").json()
    assert polled["can_act"] is False  # the account that passed it on
    assert any("đã chuyển cuộc trò chuyện cho cán bộ Quản trị thử" in m["text"]
               for m in polled["messages"])
    assert "transfer_handoff" in actions(sqlite_url, STAFF[0])
    with Database(sqlite_url).session() as session:
        events = session.scalars(
            select(WebhookDelivery.payload).where(
                WebhookDelivery.handoff_id == handoff_id,
                WebhookDelivery.event == "handoff_claimed",
            )
        ).all()
    assert '"staff_name":"Quản trị thử"' in events[-1]  # the citizen is told who helps now


def test_past_conversations_are_found_and_shown_beside_the_current_one(console: Any) -> None:
    sender = f"zalo:{uuid.uuid4().hex[:10]}"
    marker = f"mất sổ {uuid.uuid4().hex[:6]}"
    older = open_handoff(
        console, sender_id=sender, transcript=[{"from": "citizen", "text": marker}]
    )["handoff_id"]
    console.post(f"/api/v1/handoffs/{older}/withdraw", json={}, headers=BOT)
    newer = open_handoff(console, sender_id=sender)["handoff_id"]
    login(console)
    found = console.get("/console/inbox", params={"q": marker}).text
    assert f'href="/console/handoffs/{older}"' in re.search(
        r'id="found-table".*?</table>', found, re.S
    ).group(0)  # type: ignore[union-attr]
    page = console.get(f"/console/handoffs/{newer}").text
    earlier = re.search(r'id="earlier-list".*?</ul>', page, re.S)
    assert earlier is not None and f"/console/handoffs/{older}" in earlier.group(0)


def test_the_statistics_show_response_times_and_workload_per_staff_member(console: Any) -> None:
    handoff_id = open_handoff(console)["handoff_id"]
    token = login(console)
    claim(console, handoff_id, token)
    console.post(
        f"/console/handoffs/{handoff_id}/reply",
        data={"csrf_token": token, "text": "Chào ông"},
        headers={"Accept": "application/json"},
    )
    page = console.get("/console/stats").text
    table = re.search(r'id="staff-stats".*?</section>', page, re.S)
    assert table is not None
    row = re.search(r"<tr><td>Cán bộ thử</td><td>(\d+)</td><td>(\d+)</td>", table.group(0))
    assert row is not None and int(row.group(1)) >= 1 and int(row.group(2)) >= 1
