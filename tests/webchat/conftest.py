"""The running system of the web chat's browser tests, and a citizen's and a staff member's view.

One system per test session (started through :mod:`stack`, like production: intake service,
action server, Rasa with the web chat): the office is closed today (``OFFICE_CLOSED_DAYS``), so
a citizen who asks for a person is first asked for a call-back number while the handoff waits in
the staff queue — the situation of the trial in issue 16. The browsers are Debian's headless
Chromium (``tests/intake/browser_support.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack import RunningStack, StackConfig, running_stack
from stack.system import ADMIN, API_KEY
from tests.e2e.harness import trained_model
from tests.intake.browser_support import headless_chromium

PHONE_WINDOW = (420, 900)
DESKTOP_WINDOW = (1366, 900)
REPLY_SECONDS = 60.0
SENDER_KEY = "bhxh_webchat_sender"


def _closed_days() -> str:
    """A few days around today, so the office is closed whatever the time zone says."""
    today = date.today()
    return f"{today - timedelta(days=3)}..{today + timedelta(days=3)}"


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The whole system with the web chat; the office is closed (call backs are offered)."""
    config = StackConfig(
        model=trained_model(),
        webchat=True,
        intake_env={
            "OFFICE_HOURS": "always",
            "OFFICE_CLOSED_DAYS": _closed_days(),
            "HANDOFF_TIMEOUT_MINUTES": "120",
        },
    )
    with running_stack(config, tmp_path_factory.mktemp("webchat_browser")) as running:
        yield running


@pytest.fixture(scope="session")
def page_url(web_stack: RunningStack) -> str:
    """The web chat page."""
    return f"{web_stack.rasa_url}/webhooks/webchat/"


def wait_until(check: Callable[[], Any], what: str, seconds: float = REPLY_SECONDS) -> Any:
    """Polls ``check`` every 0.1 s until it returns something true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Chat:
    """The web chat page as a citizen on a phone sees it."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def elements(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        found: list[Any] = self.driver.find_elements(By.CSS_SELECTOR, css)
        return found

    def bot_texts(self) -> list[str]:
        """The assistant's and staff's messages shown, oldest first."""
        return [e.text for e in self.elements(".msg.bot .text, .msg.staff .text")]

    def wait_for(self, expected: str, after: int = 0) -> str:
        """Waits until a message after the first ``after`` contains ``expected``."""

        def found() -> str | None:
            return next((t for t in self.bot_texts()[after:] if expected in t), None)

        try:
            result: str = wait_until(found, repr(expected))
        except AssertionError:
            shown = self.bot_texts()[after:]
            raise AssertionError(f"no message with {expected!r}: {shown}") from None
        return result

    def click(self, title: str) -> None:
        """Clicks the newest button with this title."""

        def button() -> Any:
            matching = [b for b in self.elements(".msg .buttons button") if b.text == title]
            return matching[-1] if matching else None

        wait_until(button, f"a button {title!r}").click()

    def type(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.ID, "text").send_keys(text)
        self.driver.find_element(By.ID, "send").click()

    def sender(self) -> str:
        """The conversation id the page keeps in local storage."""
        value: str = self.driver.execute_script(f"return localStorage.getItem('{SENDER_KEY}');")
        return value

    def send_file(self, path: Path) -> None:
        """Chooses a file with the attach button's (hidden) file input."""
        from selenium.webdriver.common.by import By

        self.driver.execute_script("document.getElementById('file').style.display = 'block';")
        self.driver.find_element(By.ID, "file").send_keys(str(path))
        self.driver.execute_script("document.getElementById('file').style.display = '';")


class Console:
    """The staff console in a desktop browser, signed in as the administrator."""

    def __init__(self, driver: Any, system: RunningStack) -> None:
        from selenium.webdriver.common.by import By

        self.driver = driver
        self.system = system
        self.api = httpx.Client(
            base_url=system.intake_url, headers={"X-API-Key": API_KEY}, timeout=10
        )
        self.open("/console/inbox")
        driver.find_element(By.ID, "username").send_keys(ADMIN[0])
        driver.find_element(By.ID, "password").send_keys(ADMIN[1])
        self.click_and_load(driver.find_element(By.ID, "login-button"))

    def open(self, path: str) -> None:
        self.driver.get(f"{self.system.intake_url}{path}")

    def click_and_load(self, element: Any) -> None:
        """Clicks something that loads a new page and waits for that page."""
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        element.click()
        WebDriverWait(self.driver, REPLY_SECONDS).until(ec.staleness_of(element))

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def active_handoff(self, sender: str) -> dict[str, Any] | None:
        answer = self.api.get(
            "/api/v1/handoffs/active", params={"channel": "webchat", "sender_id": sender}
        )
        return answer.json() if answer.status_code == 200 else None

    def transcript(self) -> str:
        text: str = self.find("#transcript").text
        return text


@pytest.fixture
def citizen(tmp_path: Path) -> Iterator[Chat]:
    """Headless Chromium the size of a phone screen."""
    with headless_chromium(tmp_path / "citizen", implicit_wait=0) as driver:
        driver.set_window_size(*PHONE_WINDOW)
        yield Chat(driver)


@pytest.fixture
def staff_browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium on a desktop screen, for the staff console."""
    with headless_chromium(tmp_path / "staff", implicit_wait=2) as driver:
        driver.set_window_size(*DESKTOP_WINDOW)
        yield driver
