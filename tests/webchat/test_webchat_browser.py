"""The web chat page in headless Chromium, talking to a real Rasa server and action server.

Starts the action server and Rasa (``python -m bot.server run``, model from ``$BHXH_MODEL``;
``bin/test`` trains it) through :mod:`stack`, then drives the eligibility check of one procedure
through the page: greeting menu → overview → "Điều kiện" → every question (buttons or typed
answers, one typed answer wrong on purpose) → the verdict; then "Gặp nhân viên" and a restart.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack import StackConfig, running_stack
from tests.e2e.harness import trained_model
from tests.intake.browser_support import BROWSER_MARKS, headless_chromium

pytestmark = [*BROWSER_MARKS, pytest.mark.slow]

PROCEDURE_BUTTON = "Rút BHXH một lần"
PROCEDURE_ID = "huong_bhxh_mot_lan"
PHONE_WINDOW = (420, 900)
REPLY_SECONDS = 60


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The page of a running Rasa server (with its action server), stopped afterwards."""
    config = StackConfig(model=trained_model(), intake=False, webchat=True)
    with running_stack(config, tmp_path_factory.mktemp("webchat_browser")) as running:
        yield f"{running.rasa_url}/webhooks/webchat/"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    """Headless Chromium the size of a phone screen."""
    with headless_chromium(tmp_path / "chromium", implicit_wait=0) as driver:
        driver.set_window_size(*PHONE_WINDOW)
        yield driver


class Chat:
    """The page as a citizen sees it."""

    def __init__(self, driver: object) -> None:
        self.driver = driver

    def bot_texts(self) -> list[str]:
        from selenium.webdriver.common.by import By

        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".msg.bot .text")]

    def wait_for(self, expected: str, after: int = 0) -> str:
        """Waits until a bot message after the first ``after`` contains ``expected``."""
        deadline = time.monotonic() + REPLY_SECONDS
        while time.monotonic() < deadline:
            for text in self.bot_texts()[after:]:
                if expected in text:
                    return text
            time.sleep(0.3)
        raise AssertionError(f"no bot message with {expected!r}; got {self.bot_texts()[after:]}")

    def click(self, title: str) -> None:
        """Clicks the newest button with this title."""
        from selenium.webdriver.common.by import By

        deadline = time.monotonic() + REPLY_SECONDS
        while time.monotonic() < deadline:
            buttons = [
                b
                for b in self.driver.find_elements(By.CSS_SELECTOR, ".msg.bot .buttons button")
                if b.text == title
            ]
            if buttons:
                buttons[-1].click()
                return
            time.sleep(0.3)
        raise AssertionError(f"no button {title!r}")

    def type(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        box = self.driver.find_element(By.ID, "text")
        box.send_keys(text)
        self.driver.find_element(By.ID, "send").click()


def answer_for(question: object) -> tuple[str, str]:
    """("click", label) for buttons, ("type", text) for dates and numbers."""
    kind = question.kind
    if kind == "choice":
        return "click", question.options[0].label
    if kind == "yes_no":
        return "click", "Có"
    if kind == "date":
        return "type", "01/03/2012"
    return "type", "5"


def test_eligibility_check_through_the_page(page_url, browser):
    from bhxh_catalog import load_catalog

    proc = load_catalog().get(PROCEDURE_ID)
    chat = Chat(browser)
    browser.get(page_url)
    chat.wait_for("Xin chào ông/bà")
    assert browser.find_element("css selector", "#human").text == "Gặp nhân viên"

    chat.click(PROCEDURE_BUTTON)
    chat.wait_for(proc.name)
    chat.click("Điều kiện")
    chat.wait_for("kiểm tra điều kiện")

    answers: dict[str, object] = {}
    typed_wrong = False
    for _ in range(len(proc.questions) + 1):
        seen = len(chat.bot_texts())
        latest = chat.bot_texts()[-2:]
        question = next(
            (
                q
                for q in proc.questions
                if q.id not in answers and any(t.startswith(q.text) for t in latest)
            ),
            None,
        )
        if question is None:
            break
        how, value = answer_for(question)
        if how == "type" and not typed_wrong:
            chat.type("không nhớ rõ")
            error = chat.wait_for("Ví dụ", after=seen)
            assert question.text not in error  # one clear message, not the question again
            typed_wrong = True
            seen = len(chat.bot_texts())
        if how == "click":
            chat.click(value)
        else:
            chat.type(value)
        answers[question.id] = value
        deadline = time.monotonic() + REPLY_SECONDS
        while len(chat.bot_texts()) <= seen and time.monotonic() < deadline:
            time.sleep(0.3)
        if any("Kết quả kiểm tra" in t for t in chat.bot_texts()[seen:]):
            break
    verdict = chat.wait_for("Kết quả kiểm tra")
    assert "Căn cứ:" in verdict
    assert typed_wrong

    shown = len(chat.bot_texts())
    browser.find_element("css selector", "#human").click()
    chat.wait_for("1900 9068", after=shown)

    shown = len(chat.bot_texts())
    chat.type("/restart")
    chat.wait_for("bắt đầu lại", after=shown)
