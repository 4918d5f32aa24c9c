"""Headless Chromium drives the handoff inbox: a new conversation appears, claim, reply (the
fake bot confirms delivery), a citizen's message appears without reloading, hand back; a
citizen who cancels closes the reply box without reloading."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .browser_support import BROWSER_MARKS, headless_chromium
from .conftest import ADMIN, API_KEY, LiveServer, wait_for
from .handoff_support import handoff_payload
from .test_browser import click_and_load

TIMEOUT = 15

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    with headless_chromium(tmp_path / "chromium-profile", implicit_wait=2) as driver:
        yield driver


def test_staff_claims_replies_and_hands_back(live_server: LiveServer, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, TIMEOUT)
    api = httpx.Client(base_url=live_server.url, headers={"X-API-Key": API_KEY}, timeout=10)

    browser.get(f"{live_server.url}/console/inbox")
    browser.find_element(By.ID, "username").send_keys(ADMIN[0])
    browser.find_element(By.ID, "password").send_keys(ADMIN[1])
    click_and_load(browser, browser.find_element(By.ID, "login-button"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Hộp thư hỗ trợ"
    browser.execute_script("window.__sameInboxPage = true;")

    # The assistant hands a conversation over while the inbox is open: it appears by itself.
    sender = f"zalo:{uuid.uuid4().hex[:8]}"
    created = api.post("/api/v1/handoffs", json=handoff_payload(sender_id=sender)).json()
    handoff_id = created["handoff_id"]
    row = wait.until(
        ec.presence_of_element_located(
            (By.CSS_SELECTOR, f'#waiting-table tbody tr[data-id="{handoff_id}"]')
        )
    )
    assert browser.execute_script("return window.__sameInboxPage === true;")
    assert "056075001234" not in row.text  # masked in the queue
    click_and_load(browser, row.find_element(By.CSS_SELECTOR, "button.claim"))
    assert browser.current_url.endswith(f"/console/handoffs/{handoff_id}")

    status = wait.until(ec.presence_of_element_located((By.ID, "handoff-status")))
    assert status.text == "Cán bộ đang hỗ trợ"
    transcript = browser.find_element(By.ID, "transcript")
    assert "cho tôi gặp nhân viên" in transcript.text
    wait_for(lambda: bool(live_server.bot.events("handoff_claimed")), TIMEOUT)

    # Reply with a template plus a few words; the fake bot confirms the delivery.
    browser.find_element(By.CSS_SELECTOR, "#reply-templates .template").click()
    box = browser.find_element(By.ID, "reply-text")
    assert box.get_attribute("value").startswith("Xin chào ông/bà")
    box.send_keys(" Ông/bà đã nộp hồ sơ chưa?")
    browser.find_element(By.ID, "reply-send").click()
    delivered = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".msg-staff .delivery.d-delivered"))
    )
    assert delivered.text == "Đã gửi tới người dân"
    [sent] = [e for e in live_server.bot.events("staff_message") if e["handoff_id"] == handoff_id]
    assert str(sent["text"]).endswith("Ông/bà đã nộp hồ sơ chưa?")
    assert box.get_attribute("value") == ""

    # The citizen answers on Zalo: the message shows up without reloading the page.
    browser.execute_script("window.__samePage = true;")
    api.post(
        f"/api/v1/handoffs/{handoff_id}/messages",
        json={"from": "citizen", "text": "Tôi chưa nộp, cần giấy tờ gì ạ?"},
    )
    wait.until(
        ec.text_to_be_present_in_element((By.ID, "transcript"), "Tôi chưa nộp, cần giấy tờ gì ạ?")
    )
    assert browser.execute_script("return window.__samePage === true;")

    # Hand back: the assistant continues collecting the dossier.
    browser.find_element(By.ID, "resume-continue_form").click()
    click_and_load(browser, browser.find_element(By.ID, "return-button"))
    assert browser.current_url.endswith("/console/inbox")
    flash = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "Đã chuyển lại trợ lý: tiếp tục thu thập hồ sơ" in flash.text
    wait_for(
        lambda: any(
            e["handoff_id"] == handoff_id for e in live_server.bot.events("handoff_returned")
        ),
        TIMEOUT,
    )
    returned = [
        e for e in live_server.bot.events("handoff_returned") if e["handoff_id"] == handoff_id
    ]
    assert returned[0]["resume"] == "continue_form"
    active = api.get("/api/v1/handoffs/active", params={"channel": "zalo", "sender_id": sender})
    assert active.status_code == 404
    api.close()


def test_a_citizen_who_cancels_closes_the_reply_box_live(live_server: LiveServer, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, TIMEOUT)
    api = httpx.Client(base_url=live_server.url, headers={"X-API-Key": API_KEY}, timeout=10)
    sender = f"zalo:{uuid.uuid4().hex[:8]}"
    handoff_id = api.post("/api/v1/handoffs", json=handoff_payload(sender_id=sender)).json()[
        "handoff_id"
    ]
    browser.get(f"{live_server.url}/console/handoffs/{handoff_id}")
    browser.find_element(By.ID, "username").send_keys(ADMIN[0])
    browser.find_element(By.ID, "password").send_keys(ADMIN[1])
    click_and_load(browser, browser.find_element(By.ID, "login-button"))
    click_and_load(browser, browser.find_element(By.ID, "claim-button"))
    box = wait.until(ec.presence_of_element_located((By.ID, "reply-text")))
    assert box.is_enabled()

    api.post(f"/api/v1/handoffs/{handoff_id}/withdraw", json={"reason": "cancel"})
    wait.until(ec.text_to_be_present_in_element((By.ID, "transcript"), "Người dân đã hủy yêu cầu"))
    wait_for(lambda: not box.is_enabled(), TIMEOUT)
    status = browser.find_element(By.ID, "reply-status").text
    assert status.startswith("Người dân đã hủy yêu cầu hỗ trợ lúc ")
    assert browser.find_element(By.ID, "handoff-status").text == "Người dân đã hủy yêu cầu"
    api.close()
