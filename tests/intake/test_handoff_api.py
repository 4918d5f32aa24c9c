"""The handoff HTTP contract (docs/contracts.md "Human handoff") on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intake_service.bootstrap import create_user
from intake_service.db import Database
from intake_service.handoff_codes import display, new_code, normalize
from intake_service.models import AuditEntry, HandoffMessage, User, WebhookDelivery

from .conftest import STAFF
from .handoff_support import (
    BOT,
    MONDAY_9AM,
    SUNDAY_10AM,
    Clock,
    build_app_client,
    handoff_payload,
    open_handoff,
)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9AM)


@pytest.fixture
def api(tmp_path: Path, database_url: str, clock: Clock) -> Iterator[Any]:
    with build_app_client(tmp_path, database_url, clock=clock) as client:
        yield client


def transcript_of(database_url: str, handoff_id: int) -> list[tuple[str, str]]:
    with Database(database_url).session() as session:
        rows = session.query(HandoffMessage).filter_by(handoff_id=handoff_id)
        return [(m.author, m.text) for m in rows.order_by(HandoffMessage.id)]


def staff_user(database_url: str, username: str = STAFF[0]) -> User:
    with Database(database_url).session() as session:
        user = session.query(User).filter_by(username=username).one()
        session.expunge(user)
        return user


def test_handoff_inside_office_hours_tells_the_expected_wait(api: Any, database_url: str) -> None:
    created = open_handoff(api)
    assert created["status"] == "waiting"
    assert created["office_open"] is True
    assert created["expected_wait_minutes"] == 10
    assert created["message"].startswith("Cán bộ sẽ trả lời ông/bà trong khoảng 10 phút")
    assert created["expires_at"] > created["created_at"]
    assert transcript_of(database_url, created["handoff_id"]) == [
        ("bot", "Ông/bà cho biết số CCCD."),
        ("citizen", "cho tôi gặp nhân viên"),
    ]


def test_outside_office_hours_offers_a_call_back(api: Any, clock: Clock) -> None:
    clock.now = SUNDAY_10AM
    created = open_handoff(api)
    assert created["office_open"] is False
    assert created["expected_wait_minutes"] is None
    message = created["message"]
    assert "ngoài giờ làm việc" in message
    assert "Thứ Hai–Thứ Sáu: 07:30–11:30, 13:30–17:00" in message
    assert "để lại số điện thoại" in message
    assert "07:30 thứ Hai, 23/11" in message
    assert "1900 9068" in message


def test_a_second_handoff_of_the_same_conversation_returns_the_open_one(api: Any) -> None:
    payload = handoff_payload()
    first = api.post("/api/v1/handoffs", json=payload, headers=BOT)
    again = api.post("/api/v1/handoffs", json=payload, headers=BOT)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["handoff_id"] == first.json()["handoff_id"]
    other = api.post("/api/v1/handoffs", json=handoff_payload(), headers=BOT)
    assert other.json()["handoff_id"] != first.json()["handoff_id"]


def test_concurrent_handoffs_of_one_conversation_make_one(api: Any) -> None:
    payload = handoff_payload()
    results: list[tuple[int, int]] = []

    def post() -> None:
        response = api.post("/api/v1/handoffs", json=payload, headers=BOT)
        results.append((response.status_code, response.json()["handoff_id"]))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [code for code, _ in results].count(201) == 1
    assert {code for code, _ in results} <= {200, 201}
    assert len({handoff_id for _, handoff_id in results}) == 1


def test_active_lookup(api: Any) -> None:
    payload = handoff_payload(channel="telegram", sender_id="telegram:555")
    created = api.post("/api/v1/handoffs", json=payload, headers=BOT).json()
    found = api.get(
        "/api/v1/handoffs/active",
        params={"channel": "telegram", "sender_id": "telegram:555"},
        headers=BOT,
    )
    assert found.status_code == 200
    body = found.json()
    assert body["handoff_id"] == created["handoff_id"]
    assert body["status"] == "waiting"
    assert body["province"] == "TP Hồ Chí Minh"  # Bình Dương is now part of TP Hồ Chí Minh
    assert body["collected"]["ho_ten"] == "Nguyễn Văn An"
    missing = api.get(
        "/api/v1/handoffs/active",
        params={"channel": "telegram", "sender_id": "telegram:556"},
        headers=BOT,
    )
    assert missing.status_code == 404
    assert "không có cán bộ phụ trách" in missing.json()["detail"]
    one = api.get(f"/api/v1/handoffs/{created['handoff_id']}", headers=BOT).json()
    assert one["status_label"] == "Đang chờ cán bộ"


def test_the_api_needs_the_bot_key(api: Any) -> None:
    response = api.post("/api/v1/handoffs", json=handoff_payload())
    assert response.status_code == 401
    assert api.get("/api/v1/handoff-codes/7K3M9Q").status_code == 401


def test_citizen_messages_are_stored_once_and_refused_after_the_hand_back(
    api: Any, database_url: str
) -> None:
    handoff_id = open_handoff(api)["handoff_id"]
    url = f"/api/v1/handoffs/{handoff_id}/messages"
    key = {**BOT, "Idempotency-Key": uuid.uuid4().hex}
    body = {
        "from": "citizen",
        "text": "Tôi nghỉ việc từ tháng 3",
        "at": "2026-11-23T02:01:00Z",
        "attachments": [{"type": "image", "url": "https://zalo.example/anh.jpg"}],
    }
    first = api.post(url, json=body, headers=key)
    replay = api.post(url, json=body, headers=key)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert first.json()["message_id"] == replay.json()["message_id"]
    assert first.json()["from"] == "citizen"
    assert first.json()["attachments"][0]["url"] == "https://zalo.example/anh.jpg"
    empty = api.post(url, json={"from": "citizen", "text": "  "}, headers=BOT)
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["field"] == "text"
    assert api.post("/api/v1/handoffs/999999/messages", json=body, headers=BOT).status_code == 404

    svc = api.app.state.services.handoffs
    user = staff_user(database_url)
    svc.claim(handoff_id, user)
    svc.hand_back(handoff_id, user, "end")
    late = api.post(url, json={"from": "citizen", "text": "còn đó không?"}, headers=BOT)
    assert late.status_code == 409
    assert "trở lại với trợ lý" in late.json()["detail"]
    texts = [
        text for author, text in transcript_of(database_url, handoff_id) if author == "citizen"
    ]
    assert texts.count("Tôi nghỉ việc từ tháng 3") == 1


def test_a_call_back_closes_a_waiting_handoff(api: Any, clock: Clock) -> None:
    clock.now = SUNDAY_10AM
    payload = handoff_payload()
    handoff_id = api.post("/api/v1/handoffs", json=payload, headers=BOT).json()["handoff_id"]
    url = f"/api/v1/handoffs/{handoff_id}/callback"
    wrong = api.post(url, json={"phone": "12345"}, headers=BOT)
    assert wrong.status_code == 422
    assert "10 chữ số" in wrong.json()["detail"][0]["message"]
    done = api.post(url, json={"phone": "0912 345 678", "note": "gọi buổi sáng"}, headers=BOT)
    assert done.status_code == 201
    body = done.json()
    assert body["phone"] == "0912345678"
    assert body["handoff_status"] == "closed"
    assert "gọi lại" in body["message"]
    active = api.get(
        "/api/v1/handoffs/active",
        params={"channel": payload["channel"], "sender_id": payload["sender_id"]},
        headers=BOT,
    )
    assert active.status_code == 404


def test_a_call_back_during_a_claimed_handoff_keeps_it_open(api: Any, database_url: str) -> None:
    handoff_id = open_handoff(api)["handoff_id"]
    api.app.state.services.handoffs.claim(handoff_id, staff_user(database_url))
    body = api.post(
        f"/api/v1/handoffs/{handoff_id}/callback", json={"phone": "0912345678"}, headers=BOT
    ).json()
    assert body["handoff_status"] == "claimed"


def withdraw(api: Any, handoff_id: int, **body: Any) -> Any:
    return api.post(f"/api/v1/handoffs/{handoff_id}/withdraw", json=body or None, headers=BOT)


def test_a_citizen_who_cancels_leaves_the_queue_at_once(
    api: Any, database_url: str, clock: Clock
) -> None:
    payload = handoff_payload()
    handoff_id = api.post("/api/v1/handoffs", json=payload, headers=BOT).json()["handoff_id"]
    clock.advance(minutes=2)
    done = withdraw(api, handoff_id, reason="cancel", at="2026-11-23T02:01:30Z")
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["status_label"]) == ("withdrawn", "Người dân đã hủy yêu cầu")
    assert body["closed_at"].startswith("2026-11-23T02:01:30")
    who = {"channel": payload["channel"], "sender_id": payload["sender_id"]}
    assert api.get("/api/v1/handoffs/active", params=who, headers=BOT).status_code == 404
    queue = api.app.state.services.handoffs.open_handoffs()
    assert handoff_id not in [h.id for h in queue]
    assert transcript_of(database_url, handoff_id)[-1] == (
        "system",
        "Người dân đã hủy yêu cầu hỗ trợ lúc 09:01.",
    )
    # The citizen may ask for a person again later: a new handoff, not the withdrawn one.
    again = api.post("/api/v1/handoffs", json=payload, headers=BOT)
    assert again.status_code == 201 and again.json()["handoff_id"] != handoff_id


def test_withdrawing_twice_answers_the_same_and_is_audited_once(
    api: Any, database_url: str
) -> None:
    handoff_id = open_handoff(api)["handoff_id"]
    first = withdraw(api, handoff_id)  # no body: reason "cancel", now
    replay = withdraw(api, handoff_id, reason="restart")
    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json() == first.json()
    with Database(database_url).session() as session:
        audited = session.query(AuditEntry).filter_by(
            action="withdraw_handoff", target=f"handoff:{handoff_id}"
        )
        assert [(a.actor, a.detail) for a in audited] == [("bot", "cancel")]
        # The bot asked for it: no event goes back.
        assert session.query(WebhookDelivery).filter_by(handoff_id=handoff_id).count() == 0
    lines = [a for a, _ in transcript_of(database_url, handoff_id) if a == "system"]
    assert lines == ["system"]


def test_a_withdrawn_conversation_takes_no_staff_action(api: Any, database_url: str) -> None:
    from intake_service.handoffs import HandoffConflict

    handoff_id = open_handoff(api)["handoff_id"]
    svc = api.app.state.services.handoffs
    user = staff_user(database_url)
    svc.claim(handoff_id, user)
    assert withdraw(api, handoff_id, reason="restart").json()["status"] == "withdrawn"
    with pytest.raises(HandoffConflict, match="người dân đã hủy yêu cầu"):
        svc.correct(handoff_id, user, {"ho_ten": "Nguyễn Văn Ba"})
    with pytest.raises(HandoffConflict, match="người dân đã hủy yêu cầu"):
        svc.close(handoff_id, user)
    late = api.post(f"/api/v1/handoffs/{handoff_id}/messages", json={"text": "alo"}, headers=BOT)
    assert late.status_code == 409


def test_a_handoff_that_ended_otherwise_cannot_be_withdrawn(api: Any, database_url: str) -> None:
    handoff_id = open_handoff(api)["handoff_id"]
    svc = api.app.state.services.handoffs
    user = staff_user(database_url)
    svc.claim(handoff_id, user)
    svc.hand_back(handoff_id, user, "end")
    refused = withdraw(api, handoff_id)
    assert refused.status_code == 409
    assert "trở lại với trợ lý" in refused.json()["detail"]
    assert api.get(f"/api/v1/handoffs/{handoff_id}", headers=BOT).json()["status"] == "returned"
    assert withdraw(api, 999999).status_code == 404
    assert withdraw(api, handoff_id, reason="later").status_code == 422
    no_key = api.post(f"/api/v1/handoffs/{handoff_id}/withdraw")
    assert no_key.status_code == 401


def test_a_caller_code_is_redeemed_once_and_expires(
    api: Any, database_url: str, clock: Clock
) -> None:
    codes = api.app.state.services.codes
    user = staff_user(database_url)
    issued = codes.issue(
        user,
        "huong_bhxh_mot_lan",
        {"ho_ten": "Trần Thị Bình", "so_cccd": "056 175 001 234", "tinh_nop_ho_so": ""},
        {"ly_do": "dinh_cu"},
        "Ông/bà chuẩn bị ảnh CCCD.",
    )
    spoken = display(issued.code).lower()  # "7k3 m9q": as a citizen might type it
    url = f"/api/v1/handoff-codes/{spoken}"
    who = {"channel": "zalo", "sender_id": "zalo:caller"}
    first = api.get(url, params=who, headers=BOT)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["procedure_id"] == "huong_bhxh_mot_lan"
    assert body["fields"] == {"ho_ten": "Trần Thị Bình", "so_cccd": "056175001234"}
    assert body["answers"] == {"ly_do": "dinh_cu"}
    assert body["note"] == "Ông/bà chuẩn bị ảnh CCCD."
    assert api.get(url, params=who, headers=BOT).status_code == 200  # the same chat retrying
    other = api.get(url, params={"channel": "zalo", "sender_id": "zalo:other"}, headers=BOT)
    assert other.status_code == 410
    assert "đã được dùng" in other.json()["detail"]

    later = codes.issue(user, "huong_bhxh_mot_lan", {}, {}, "")
    clock.advance(hours=25)
    expired = api.get(f"/api/v1/handoff-codes/{later.code}", params=who, headers=BOT)
    assert expired.status_code == 410
    assert "hết hạn" in expired.json()["detail"]
    typo = later.code[:-1] + ("2" if later.code[-1] != "2" else "3")
    assert api.get(f"/api/v1/handoff-codes/{typo}", headers=BOT).status_code == 404


def test_caller_codes_are_checked_by_the_shared_validators(api: Any, database_url: str) -> None:
    from intake_service.dossiers import SubmissionRejected

    with pytest.raises(SubmissionRejected) as rejected:
        api.app.state.services.codes.issue(
            staff_user(database_url), "huong_bhxh_mot_lan", {"so_cccd": "123"}, {}, ""
        )
    assert "12 chữ số" in dict(rejected.value.errors)["fields.so_cccd"]


def test_code_format() -> None:
    for _ in range(200):
        code = new_code()
        assert len(code) == 6
        assert not set(code) & set("01OIL")
        assert normalize(f" {code[:3].lower()}-{code[3:]} ") == code
        wrong = code[:2] + ("Z" if code[2] != "Z" else "Y") + code[3:]
        assert normalize(wrong) is None
        if code[0] != code[1]:
            assert normalize(code[1] + code[0] + code[2:]) is None
    assert normalize("HS7K2") is None


def test_handoff_paths_are_published(api: Any) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/handoffs"]
    assert "get" in paths["/api/v1/handoffs/active"]
    assert "post" in paths["/api/v1/handoffs/{handoff_id}/messages"]
    assert "post" in paths["/api/v1/handoffs/{handoff_id}/callback"]
    assert "post" in paths["/api/v1/handoffs/{handoff_id}/withdraw"]
    assert "get" in paths["/api/v1/handoff-codes/{code}"]


def test_a_staff_member_without_a_full_name_is_named_by_login(database_url: str) -> None:
    db = Database(database_url)
    name = f"cb{uuid.uuid4().hex[:6]}"
    try:
        create_user(db, name, "Matkhau-2026-x", "staff", "")
    finally:
        db.dispose()
    from intake_service.handoffs import staff_name

    assert staff_name(staff_user(database_url, name)) == name
