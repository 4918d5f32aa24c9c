"""Headless Chromium drives the console: sign in, find a dossier, change its status."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .browser_support import BROWSER_MARKS, headless_chromium
from .conftest import ADMIN, API_KEY, LiveServer, make_payload

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    with headless_chromium(tmp_path / "chromium-profile", implicit_wait=5) as driver:
        yield driver


def click_and_load(browser, element) -> None:
    """Clicks something that loads a new page and waits until the new page has loaded."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old_page = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def old_page_gone(_driver: object) -> bool:
        try:
            old_page.is_enabled()
        except WebDriverException:  # stale, or "node does not belong to the document"
            return True
        return False

    wait = WebDriverWait(browser, 15)
    wait.until(old_page_gone)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def test_staff_finds_a_dossier_and_asks_for_more_information(
    live_server: LiveServer, browser
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    payload = make_payload()
    response = httpx.post(
        f"{live_server.url}/api/v1/dossiers",
        json=payload,
        headers={"X-API-Key": API_KEY, "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    code = response.json()["receipt_code"]

    browser.get(f"{live_server.url}/console/")
    assert "/console/login" in browser.current_url
    browser.find_element(By.ID, "username").send_keys(ADMIN[0])
    browser.find_element(By.ID, "password").send_keys(ADMIN[1])
    click_and_load(browser, browser.find_element(By.ID, "login-button"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Hồ sơ"

    # The citizen reads the CCCD over the phone; the staff member types it with spaces.
    cccd = payload["fields"]["so_cccd"]
    search = browser.find_element(By.ID, "search")
    search.send_keys(f"{cccd[:4]} {cccd[4:8]} {cccd[8:]}")
    click_and_load(browser, browser.find_element(By.ID, "search-button"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#dossier-table tbody tr")
    assert len(rows) == 1
    assert cccd not in rows[0].text  # masked in the list
    click_and_load(browser, rows[0].find_element(By.LINK_TEXT, code))

    assert browser.find_element(By.ID, "receipt-code").text == code
    Select(browser.find_element(By.ID, "status-select")).select_by_value("needs_info")
    browser.find_element(By.ID, "status-note").send_keys("Xin gửi thêm bản chụp hộ chiếu.")
    click_and_load(browser, browser.find_element(By.ID, "status-submit"))

    assert browser.find_element(By.ID, "current-status").text == "Cần bổ sung thông tin"
    history = browser.find_element(By.ID, "history-table").text
    assert "Xin gửi thêm bản chụp hộ chiếu." in history
    assert ADMIN[0] in history
