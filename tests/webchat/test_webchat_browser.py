"""The web chat page in headless Chromium, talking to the real system (see ``conftest``).

Drives the eligibility check of one procedure through the page on a phone-sized screen:
greeting menu → overview → "Điều kiện" → every question (buttons or typed answers, one typed
answer wrong on purpose) → the verdict; then "Gặp nhân viên" and a restart. Measures the time
from pressing "Gửi" to the reply on the screen (server push), and checks the page's
accessibility with axe-core (``selenium_axe_python``'s copy) plus our own checks: 44 × 44 px
targets, the transcript a ``role=log`` live region, focus never hidden behind the input.
"""

from __future__ import annotations

import statistics
import time
from importlib import resources
from typing import Any

import pytest

from tests.intake.browser_support import BROWSER_MARKS
from tests.webchat.conftest import REPLY_SECONDS, Chat

pytestmark = [*BROWSER_MARKS, pytest.mark.slow]

PROCEDURE_BUTTON = "Rút BHXH một lần"
PROCEDURE_ID = "huong_bhxh_mot_lan"
MIN_TARGET_PX = 44
RENDER_TARGET_MS = 300
RENDER_LIMIT_MS = 1500  # a loaded machine; the figure is printed either way

# Started before the click: the time from the click to the first new message of the assistant,
# and to the end of the POST /message (the server has answered: Rasa, actions and intake done).
_WATCH_JS = """
const log = document.getElementById('log');
if (!window.__fetchWatched) {
  const original = window.fetch;
  window.fetch = function (url, options) {
    const call = original.apply(this, arguments);
    if (url === 'message') {
      call.then(() => { window.__answered = performance.now() - window.__sent; });
    }
    return call;
  };
  window.__fetchWatched = true;
}
window.__answered = null;
const before = log.querySelectorAll('.msg.bot, .msg.staff').length;
window.__rendered = null;
const observer = new MutationObserver(() => {
  if (log.querySelectorAll('.msg.bot, .msg.staff').length > before && !window.__rendered) {
    window.__rendered = performance.now() - window.__sent;
    observer.disconnect();
  }
});
observer.observe(log, {childList: true});
document.getElementById('text').value = arguments[0];
window.__sent = performance.now();
document.getElementById('send').click();
"""


def send_and_time(chat: Chat, text: str) -> tuple[float, float]:
    """Types ``text``, presses "Gửi"; milliseconds until the reply is on the screen, and until
    the server had answered the message (the end of its POST)."""
    chat.driver.execute_script(_WATCH_JS, text)
    deadline = time.monotonic() + REPLY_SECONDS
    while time.monotonic() < deadline:
        took = chat.driver.execute_script("return [window.__rendered, window.__answered];")
        if took[0] is not None and took[1] is not None:
            return float(took[0]), float(took[1])
        time.sleep(0.02)
    raise AssertionError(f"no reply to {text!r}")


def answer_for(question: Any) -> tuple[str, str]:
    """("click", label) for buttons, ("type", text) for dates and numbers."""
    kind = question.kind
    if kind == "choice":
        return "click", question.options[0].label
    if kind == "yes_no":
        return "click", "Có"
    if kind == "date":
        return "type", "01/03/2012"
    return "type", "5"


def test_eligibility_check_through_the_page(page_url, citizen):
    from bhxh_catalog import load_catalog

    proc = load_catalog().get(PROCEDURE_ID)
    chat = citizen
    chat.driver.get(page_url)
    chat.wait_for("Xin chào ông/bà")
    assert chat.driver.find_element("css selector", "#human").text == "Gặp nhân viên"

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
            time.sleep(0.1)
        if any("Kết quả kiểm tra" in t for t in chat.bot_texts()[seen:]):
            break
    verdict = chat.wait_for("Kết quả kiểm tra")
    assert "Căn cứ:" in verdict
    assert typed_wrong
    old_buttons_on = chat.driver.execute_script(
        "const msgs = [...document.querySelectorAll('#log .msg.bot')]"
        ".filter(m => m.querySelector('.buttons'));"
        "return msgs.slice(0, -1).flatMap(m => [...m.querySelectorAll('button')])"
        ".filter(b => !b.disabled).map(b => b.textContent);"
    )
    assert old_buttons_on == []  # buttons of answered messages cannot be pressed again

    shown = len(chat.bot_texts())
    chat.driver.find_element("css selector", "#human").click()
    chat.wait_for("1900 9068", after=shown)  # out of hours today: the hotline and a call back

    shown = len(chat.bot_texts())
    chat.type("/restart")
    chat.wait_for("bắt đầu lại", after=shown)


def test_replies_are_on_the_screen_within_a_few_hundred_milliseconds(page_url, citizen):
    """Server push: the page no longer waits for a 2-second poll (issue 16)."""
    chat = citizen
    chat.driver.get(page_url)
    chat.wait_for("Xin chào ông/bà")
    texts = ("rút bhxh một lần", "cần giấy tờ gì", "nộp ở đâu", "bao lâu thì có kết quả") * 2
    measured = [send_and_time(chat, text) for text in texts]
    timings = [rendered for rendered, _ in measured]
    median = statistics.median(timings)
    server = statistics.median(answered for _, answered in measured)
    print(
        f"\nsend-to-render (web chat, server push): median {median:.0f} ms, "
        f"min {min(timings):.0f} ms, max {max(timings):.0f} ms over {len(timings)} replies "
        f"(target {RENDER_TARGET_MS} ms); the server's answer (end of POST /message) median "
        f"{server:.0f} ms: {[(round(r), round(a)) for r, a in measured]}"
    )
    assert chat.driver.execute_script("return window.EventSource !== undefined;")
    assert median < RENDER_LIMIT_MS


def _axe_source() -> str:
    found = resources.files("selenium_axe_python").joinpath("axe-core/axe.min.js")
    return found.read_text(encoding="utf-8")


AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
_TARGETS_JS = """
const small = [];
for (const el of document.querySelectorAll('button, a[href], input:not([type=file]), select')) {
  const box = el.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) continue;  // not shown
  if (box.width < arguments[0] || box.height < arguments[0]) {
    const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
    small.push(`${el.id || el.textContent.trim()}: ${size}`);
  }
}
return small;
"""
_FOCUS_JS = """
const composer = document.getElementById('composer').getBoundingClientRect();
const log = document.getElementById('log').getBoundingClientRect();
const hidden = [];
for (const el of document.querySelectorAll('#log button')) {
  if (el.disabled) continue;
  el.focus();
  const box = el.getBoundingClientRect();
  if (box.bottom > composer.top || box.top < log.top || box.bottom > log.bottom) {
    hidden.push(el.textContent.trim());
  }
}
return hidden;
"""


def test_the_page_passes_the_accessibility_check(page_url, citizen):
    """axe-core finds nothing; targets are 44 px; a live log; focus stays visible."""
    chat = citizen
    chat.driver.get(page_url)
    chat.wait_for("Xin chào ông/bà")
    chat.click(PROCEDURE_BUTTON)
    chat.wait_for("Hưởng bảo hiểm xã hội một lần")  # the overview, with its buttons
    driver = chat.driver
    log = driver.find_element("css selector", "#log")
    assert (log.get_attribute("role"), log.get_attribute("aria-live")) == ("log", "polite")
    attach = driver.find_element("css selector", "#attach")
    assert attach.get_attribute("aria-label") and attach.find_elements("css selector", "svg")

    assert driver.execute_script(_TARGETS_JS, MIN_TARGET_PX) == []
    assert driver.execute_script(_FOCUS_JS) == []

    driver.execute_script(_axe_source())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))"
        ".catch(e => done([{id: 'axe-error', impact: String(e), nodes: []}]));",
        AXE_RULES,
    )
    assert result == [], result
