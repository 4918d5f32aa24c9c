"""Handoff events reach the bot signed, with event ids; staff replies record what the bot said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from intake_service.db import Database
from intake_service.models import HandoffMessage
from intake_service.webhooks import verify_signature

from .conftest import STAFF, WEBHOOK_SECRET, BotStub, FakeBot, free_port, wait_for
from .handoff_support import build_app_client, events, open_handoff
from .test_console import csrf_of, login


def reply(client: Any, handoff_id: int, text: str) -> dict[str, Any]:
    token = csrf_of(client.get(f"/console/handoffs/{handoff_id}").text)
    response = client.post(
        f"/console/handoffs/{handoff_id}/reply",
        data={"text": text, "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    message: dict[str, Any] = response.json()["message"]
    return message


def claim(client: Any, handoff_id: int) -> None:
    token = csrf_of(client.get("/console/inbox").text)
    response = client.post(
        f"/console/handoffs/{handoff_id}/claim", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/handoffs/{handoff_id}"


def claimed_by_staff(client: Any, **handoff: Any) -> int:
    """Opens a handoff, signs the staff member in and claims it: its id."""
    handoff_id: int = open_handoff(client, **handoff)["handoff_id"]
    login(client)
    claim(client, handoff_id)
    return handoff_id


def test_claim_hand_back_and_close_are_signed_events(
    tmp_path: Path, database_url: str, bot: BotStub
) -> None:
    with build_app_client(tmp_path, database_url, bot=bot) as client:
        first = open_handoff(client, channel="messenger", sender_id="messenger:77")["handoff_id"]
        second = open_handoff(client)["handoff_id"]
        token = login(client)
        claim(client, first)
        claim(client, second)
        client.post(
            f"/console/handoffs/{first}/data",
            data={
                "csrf_token": token,
                "f_so_cccd": "056 075 009 876",
                "f_ho_ten": "Nguyễn Văn An",
            },
        )
        client.post(
            f"/console/handoffs/{first}/return",
            data={"csrf_token": token, "resume": "continue_form", "procedure": ""},
        )
        client.post(f"/console/handoffs/{second}/close", data={"csrf_token": token})
        wait_for(lambda: bool(events(bot, "handoff_returned", first)))
        wait_for(lambda: bool(events(bot, "handoff_closed", second)))
        wait_for(lambda: len(events(bot, "handoff_claimed")) >= 2)
    for request in bot.requests:
        body = json.loads(request.content)
        if body.get("handoff_id") not in (first, second):
            continue
        assert verify_signature(
            WEBHOOK_SECRET, request.content, request.headers["X-Intake-Signature"]
        )
        assert request.headers["X-Intake-Event-Id"] == body["event_id"]
    claimed = json.loads(events(bot, "handoff_claimed", first)[0].content)
    assert claimed["staff_name"] == "Cán bộ thử"
    assert (claimed["channel"], claimed["sender_id"]) == ("messenger", "messenger:77")
    returned = json.loads(events(bot, "handoff_returned", first)[0].content)
    assert returned["resume"] == "continue_form"
    assert returned["procedure_id"] == "huong_bhxh_mot_lan"
    assert returned["fields"]["so_cccd"] == "056075009876"
    assert returned["corrected"] == ["so_cccd"]
    assert returned["answers"] == {"ly_do": "dinh_cu"}
    closed = json.loads(events(bot, "handoff_closed", second)[0].content)
    assert closed["staff_name"] == "Cán bộ thử"


def test_a_reply_delivered_by_the_bot(tmp_path: Path, sqlite_url: str, fake_bot: FakeBot) -> None:
    with build_app_client(tmp_path, sqlite_url, BOT_EVENTS_URL=fake_bot.url) as client:
        handoff_id = claimed_by_staff(client, channel="telegram", sender_id="telegram:9")
        message = reply(client, handoff_id, "Xin chào ông/bà, tôi là cán bộ BHXH.")
    assert message["delivery"] == "delivered"
    assert message["delivery_label"] == "Đã gửi tới người dân"
    [event] = fake_bot.events("staff_message")
    assert fake_bot.bad_signatures == 0
    assert event["text"] == "Xin chào ông/bà, tôi là cán bộ BHXH."
    assert event["staff_name"] == "Cán bộ thử"
    assert (event["channel"], event["sender_id"]) == ("telegram", "telegram:9")
    assert event["handoff_id"] == handoff_id and event["message_id"] == message["id"]
    headers = fake_bot.headers[fake_bot.received.index(event)]
    assert headers["X-Intake-Event-Id"] == event["event_id"]


def test_a_reply_sent_with_a_tag_keeps_the_bots_note(
    tmp_path: Path, sqlite_url: str, fake_bot: FakeBot
) -> None:
    note = "Đã gửi bằng thẻ HUMAN_AGENT (quá 24 giờ kể từ tin nhắn cuối của người dân)."
    fake_bot.answer = {"delivered": True, "reason": note}
    with build_app_client(tmp_path, sqlite_url, BOT_EVENTS_URL=fake_bot.url) as client:
        handoff_id = claimed_by_staff(client, channel="messenger", sender_id="messenger:88")
        message = reply(client, handoff_id, "Hồ sơ của ông/bà đã đủ giấy tờ.")
        page = client.get(f"/console/handoffs/{handoff_id}").text
        polled = client.get(f"/console/handoffs/{handoff_id}/messages.json?after=0").json()
    assert (message["delivery"], message["reason"]) == ("delivered", note)
    assert f'Đã gửi tới người dân · <span class="note">{note}</span>' in page
    [shown] = [m for m in polled["messages"] if m["id"] == message["id"]]
    assert shown["reason"] == note


def test_a_reply_the_channel_refuses_shows_the_reason(
    tmp_path: Path, sqlite_url: str, fake_bot: FakeBot
) -> None:
    fake_bot.answer = {
        "delivered": False,
        "reason": "Đã quá 48 giờ kể từ tin nhắn cuối của người dân (Zalo không cho gửi).",
    }
    with build_app_client(tmp_path, sqlite_url, BOT_EVENTS_URL=fake_bot.url) as client:
        handoff_id = claimed_by_staff(client)
        message = reply(client, handoff_id, "Ông/bà còn cần hỗ trợ không?")
        assert message["delivery"] == "failed"
        assert "48 giờ" in message["reason"]
        page = client.get(f"/console/handoffs/{handoff_id}").text
    assert "Gửi không được" in page
    assert "Zalo không cho gửi" in page
    assert "Ông/bà còn cần hỗ trợ không?" in page  # the message stays in the transcript


def test_an_unreachable_bot_and_a_slow_bot_are_failures_not_silence(
    tmp_path: Path, sqlite_url: str, fake_bot: FakeBot
) -> None:
    down = f"http://127.0.0.1:{free_port()}/webhooks/intake/events"
    with build_app_client(
        tmp_path, sqlite_url, BOT_EVENTS_URL=down, INTAKE_WEBHOOKS="0"
    ) as client:
        handoff_id = claimed_by_staff(client)
        message = reply(client, handoff_id, "Tin nhắn thử")
    assert message["delivery"] == "failed"
    assert "Không kết nối được với trợ lý" in message["reason"]

    fake_bot.delay = 1.5
    with build_app_client(
        tmp_path, sqlite_url, BOT_EVENTS_URL=fake_bot.url, STAFF_MESSAGE_TIMEOUT_SECONDS="0.3"
    ) as client:
        handoff_id = claimed_by_staff(client)
        message = reply(client, handoff_id, "Tin nhắn chậm")
    assert message["delivery"] == "failed"
    assert "không trả lời trong 0.3 giây" in message["reason"]
    with Database(sqlite_url).session() as session:
        stored = session.get(HandoffMessage, message["id"])
        assert stored is not None
        assert (stored.delivery, stored.author, stored.staff_user) == ("failed", "staff", STAFF[0])


def test_a_reply_left_pending_by_a_crash_is_marked_failed(tmp_path: Path, sqlite_url: str) -> None:
    with build_app_client(tmp_path, sqlite_url) as client:
        handoff_id = open_handoff(client)["handoff_id"]
        service = client.app.state.services.handoffs
        with Database(sqlite_url).transaction() as session:
            stale = HandoffMessage(
                handoff_id=handoff_id,
                author="staff",
                text="gửi dở",
                attachments=[],
                delivery="pending",
                at=service.clock().replace(year=2020),
            )
            session.add(stale)
        assert service.fail_stale_replies() >= 1
    with Database(sqlite_url).session() as session:
        stored = session.get(HandoffMessage, stale.id)
        assert stored is not None
        assert stored.delivery == "failed"
        assert "gửi lại" in (stored.delivery_reason or "")
