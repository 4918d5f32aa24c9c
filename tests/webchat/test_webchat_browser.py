"""The web chat page in headless Chromium, talking to a real Rasa server and action server.

Starts ``rasa run actions`` and ``rasa run`` (model from ``$BHXH_MODEL``; ``bin/test`` trains it)
on free ports, then drives the eligibility check of one procedure through the page: greeting
menu → overview → "Điều kiện" → every question (buttons or typed answers, one typed answer wrong
on purpose) → the verdict; then "Gặp nhân viên" and a restart.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PROCEDURE_BUTTON = "Rút BHXH một lần"
PROCEDURE_ID = "huong_bhxh_mot_lan"
TODAY = "2026-03-01"
STARTUP_SECONDS = 240
REPLY_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"{url} did not start in {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The page of a running Rasa server (with its action server), stopped afterwards."""
    model = os.environ.get("BHXH_MODEL", "")
    if not model or not Path(model).is_file():
        pytest.skip("BHXH_MODEL is not set to a trained model (bin/test trains one and sets it)")
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("headless Chromium is missing: run bin/ensure-chromium")
    work = tmp_path_factory.mktemp("webchat_browser")
    rasa_port, action_port = free_port(), free_port()
    (work / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{work / "tracker.db"}"\n',
        encoding="utf-8",
    )
    (work / "credentials.yml").write_text(
        f'rest:\nconnectors.webchat.WebchatInput:\n  db_path: "{work / "webchat.db"}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "BHXH_TODAY": TODAY}
    env.pop("BHXH_CATALOG_DIR", None)
    actions = start(
        [sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(action_port)],
        work / "actions.log",
        env,
    )
    server = None
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", actions, work / "actions.log")
        server = start(
            [
                sys.executable,
                "-m",
                "rasa",
                "run",
                "--model",
                model,
                "--port",
                str(rasa_port),
                "--interface",
                "127.0.0.1",
                "--endpoints",
                str(work / "endpoints.yml"),
                "--credentials",
                str(work / "credentials.yml"),
            ],
            work / "rasa.log",
            env,
        )
        url = f"http://127.0.0.1:{rasa_port}/webhooks/webchat/"
        wait_until_up(url, server, work / "rasa.log")
        yield url
    finally:
        if server is not None:
            stop(server)
        stop(actions)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=420,900",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chromium", ignore_errors=True)


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
