"""Staff see whether the citizen was told of each status change (the bot's answer is kept).

A real HTTP server stands in for the bot (:class:`FakeBot`); the service's webhook worker sends
it the status changes over the network and records what it answers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from intake_service.db import Database
from intake_service.models import Dossier, WebhookDelivery

from .conftest import ADMIN, STAFF, FakeBot, submit, wait_for
from .handoff_support import build_app_client
from .test_console import login

REFUSED = (
    "Người dân không nhắn với OA trong 7 ngày; chưa cấu hình mẫu tin ZBS — hãy gọi điện cho "
    "người dân."
)
TAGGED = "Đã gửi bằng thẻ ACCOUNT_UPDATE (quá 24 giờ kể từ tin nhắn cuối của người dân)."
COUNT = re.compile(r'id="not-notified">([\d.]+)<')


def change_status(client: Any, code: str, status: str, note: str | None = None) -> None:
    response = client.post(
        f"/api/v1/dossiers/{code}/status", json={"status": status, "note": note}, auth=STAFF
    )
    assert response.status_code == 200, response.text


def settled_notification(url: str, code: str) -> WebhookDelivery:
    """The newest status notification of a dossier, once the bot has answered it."""
    found: list[WebhookDelivery] = []

    def answered() -> bool:
        with Database(url).session() as session:
            row = session.scalar(
                select(WebhookDelivery)
                .join(Dossier, Dossier.id == WebhookDelivery.dossier_id)
                .where(Dossier.receipt_code == code, WebhookDelivery.event == "status_changed")
                .order_by(WebhookDelivery.id.desc())
            )
        if row is None or row.state == "pending":
            return False
        found.append(row)
        return True

    wait_for(answered)
    return found[-1]


def not_notified_count(client: Any) -> int:
    match = COUNT.search(client.get("/console/stats").text)
    assert match, "no count of dossiers not notified on the statistics page"
    return int(match.group(1).replace(".", ""))


def test_a_refused_notification_is_final_and_staff_are_told_to_call(
    tmp_path: Path, database_url: str, fake_bot: FakeBot
) -> None:
    fake_bot.event_answers["status_changed"] = {"delivered": False, "reason": REFUSED}
    with build_app_client(tmp_path, database_url, BOT_EVENTS_URL=fake_bot.url) as client:
        login(client)
        before = not_notified_count(client)
        code = submit(client)["receipt_code"]
        change_status(client, code, "needs_info", "Xin gửi ảnh hộ chiếu.")
        refused = settled_notification(database_url, code)
        page = client.get(f"/console/dossiers/{code}").text
        listed = client.get("/console/dossiers?notified=no").text
        after = not_notified_count(client)

        # The citizen writes again; the next status change reaches them.
        fake_bot.event_answers["status_changed"] = {"delivered": True}
        change_status(client, code, "in_review")
        told = settled_notification(database_url, code)
        later_page = client.get(f"/console/dossiers/{code}").text
        later_list = client.get("/console/dossiers?notified=no").text

    # Final at the first answer: the platform refused, a retry would not help.
    assert (refused.state, refused.attempts) == ("delivered", 1)
    assert (refused.citizen_notified, refused.citizen_reason) == (False, REFUSED)
    sent = [e for e in fake_bot.events("status_changed") if e["receipt_code"] == code]
    assert [e["status"] for e in sent] == ["needs_info", "in_review"]
    # The status history says so, with the number to call.
    assert f"Chưa báo được cho người dân: {REFUSED}" in page
    assert "Hãy gọi điện cho người dân" in page
    assert 'href="tel:0912345678"' in page
    assert "Trợ lý đã nhận, chưa báo được người dân" in page
    # The list filter finds the dossier, the statistics count it.
    assert code in listed
    assert 'value="no" selected' in listed
    assert after == before + 1
    # A later status the citizen was told clears the dossier from the filter.
    assert (told.citizen_notified, told.citizen_reason) == (True, None)
    assert "Đã báo cho người dân qua Zalo" in later_page
    assert f"Chưa báo được cho người dân: {REFUSED}" in later_page  # the history stays
    assert code not in later_list


def test_a_notification_sent_with_a_tag_is_told_with_the_bots_note(
    tmp_path: Path, sqlite_url: str, fake_bot: FakeBot
) -> None:
    fake_bot.event_answers["status_changed"] = {"delivered": True, "reason": TAGGED}
    with build_app_client(tmp_path, sqlite_url, BOT_EVENTS_URL=fake_bot.url) as client:
        login(client)
        code = submit(client, channel="messenger", sender_id="messenger:4242")["receipt_code"]
        change_status(client, code, "in_review")
        row = settled_notification(sqlite_url, code)
        page = client.get(f"/console/dossiers/{code}").text
        listed = client.get("/console/dossiers?notified=no").text
    assert (row.state, row.citizen_notified, row.citizen_reason) == ("delivered", True, TAGGED)
    assert "Đã báo cho người dân qua Messenger" in page
    assert TAGGED in page
    assert "Chưa báo được" not in page
    assert code not in listed


def test_an_answer_that_is_not_json_counts_as_told_with_a_note(
    tmp_path: Path, sqlite_url: str, fake_bot: FakeBot
) -> None:
    fake_bot.event_answers["status_changed"] = "OK"
    with build_app_client(tmp_path, sqlite_url, BOT_EVENTS_URL=fake_bot.url) as client:
        login(client)
        code = submit(client)["receipt_code"]
        change_status(client, code, "in_review")
        row = settled_notification(sqlite_url, code)
        page = client.get(f"/console/dossiers/{code}").text
    assert (row.state, row.attempts, row.citizen_notified) == ("delivered", 1, True)
    assert "phiên bản cũ" in (row.citizen_reason or "")
    assert "Đã báo cho người dân qua Zalo" in page
    assert "phiên bản cũ" in page


def test_paper_dossiers_say_no_notification_is_sent(tmp_path: Path, sqlite_url: str) -> None:
    with build_app_client(tmp_path, sqlite_url) as client:
        login(client)
        code = submit(client, channel="counter", sender_id="staff:canbo")["receipt_code"]
        change_status(client, code, "in_review")
        page = client.get(f"/console/dossiers/{code}").text
    assert "Không gửi (hồ sơ giấy)" in page
    assert "Chưa báo được" not in page


def test_sending_a_failed_notification_again_forgets_its_outcome(
    tmp_path: Path, sqlite_url: str
) -> None:
    with build_app_client(tmp_path, sqlite_url, INTAKE_WEBHOOKS="0") as client:
        code = submit(client)["receipt_code"]
        change_status(client, code, "in_review")
        with Database(sqlite_url).transaction() as session:
            row = session.scalar(
                select(WebhookDelivery)
                .join(Dossier, Dossier.id == WebhookDelivery.dossier_id)
                .where(Dossier.receipt_code == code)
            )
            assert row is not None
            row.state, row.attempts = "failed", 30
            row.citizen_notified = False
            row.citizen_reason = "Trợ lý không nhận thông báo sau 30 lần gửi."
            delivery_id = row.id
        token = login(client, ADMIN)
        page = client.get(f"/console/dossiers/{code}").text
        assert "Chưa báo được cho người dân: Trợ lý không nhận thông báo sau 30 lần gửi" in page
        response = client.post(
            f"/console/notifications/{delivery_id}/retry", data={"csrf_token": token}
        )
        assert response.status_code == 200
        assert "Đang gửi thông báo…" in response.text
    with Database(sqlite_url).session() as session:
        again = session.get(WebhookDelivery, delivery_id)
    assert again is not None
    assert (again.state, again.attempts, again.citizen_notified) == ("pending", 0, None)
