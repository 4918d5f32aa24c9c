"""Black-box security tests against the whole system started by ``stack/`` (issue 17, "Done
when"): every proof of concept of the review, run on 127.0.0.1 against the real processes."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import sqlite3
import string
import subprocess
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from socketserver import BaseRequestHandler, ThreadingTCPServer
from typing import Any

import httpx
import pytest

from stack import RunningStack
from stack.process import ROOT
from tests.e2e.harness import (
    WEBHOOK_SECRET,
    Chat,
    change_status,
    intake_dossier,
    submit_directly,
    wait_for,
)

pytestmark = pytest.mark.slow
BIN_ENV = str(ROOT / "bin" / "env")
CARD_FIELDS = {
    "ho_ten": "Đỗ Văn Nam",
    "ngay_sinh": "1980-01-01",
    "ma_so_bhxh": "0112345679",
    "so_cccd": "001080001234",
    "so_dien_thoai": "0912345679",
    "tinh": "Hà Nội",
    "noi_nhan_the": "tai_bhxh",
}
CARD_ANSWERS = {"ly_do": "mat_hong", "the_con_han": True}
NOTE = "Ông Nam gửi thêm ảnh CCCD mặt sau, STK 0123456789."


def _rest(system: RunningStack, body: dict[str, Any], key: bool = True) -> httpx.Response:
    headers = system.rest_headers if key else {}
    return httpx.post(f"{system.rasa_url}/webhooks/rest/webhook", json=body, headers=headers,
                      timeout=120)


def test_the_rest_channel_cannot_speak_in_a_citizens_conversation(system: RunningStack):
    victim = f"telegram:{random.randrange(10**9)}"
    code = submit_directly(system, "cap_lai_the_bhyt", "telegram", victim, CARD_FIELDS,
                           CARD_ANSWERS)
    change_status(system, code, "needs_info", NOTE)
    attack = {"sender": victim, "input_channel": "telegram", "message": "hồ sơ của tôi",
              "metadata": {"channel": "telegram", "user_id": victim}}
    assert _rest(system, attack, key=False).status_code == 401
    answer = _rest(system, attack)
    assert answer.status_code == 200
    said = " ".join(m.get("text") or "" for m in answer.json())
    assert code not in said and "CCCD mặt sau" not in said  # its own, empty conversation
    assert answer.json()[0]["recipient_id"] == f"rest:{victim}"


ACCEPTED: list[str] = []


class _Listener(BaseRequestHandler):

    def handle(self) -> None:
        ACCEPTED.append("connection")


def test_an_attachment_url_cannot_reach_an_internal_address(system: RunningStack):
    server = ThreadingTCPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    inside = f"http://127.0.0.1:{server.server_address[1]}/latest/meta-data"
    try:
        chat = Chat(system, f"rest:ssrf-{uuid.uuid4().hex[:8]}")
        chat.start('/start_submission{"procedure":"cap_lai_the_bhyt"}')
        for url in (inside, f"https://127.0.0.1:{server.server_address[1]}/x"):
            chat.say("/inform", {"attachments": [{"type": "image", "url": url}]})
        chat.say("/inform", {"attachments": [{"type": "image", "payload": {"url": inside}}]})
        time.sleep(2)
        assert ACCEPTED == []
    finally:
        server.shutdown()
        server.server_close()


def _signed(event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event, ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Intake-Signature": signature}


def test_a_replayed_or_stale_event_is_dropped(system: RunningStack):
    url = f"{system.rasa_url}/webhooks/intake/events"
    event = {"event": "status_changed", "event_id": f"replay-{uuid.uuid4().hex}",
             "receipt_code": "HS-AAAA-BBBB", "procedure_id": "cap_lai_the_bhyt",
             "status": "in_review", "status_label": "Đang xem xét", "note": None,
             "channel": "rest", "sender_id": f"rest:replay-{uuid.uuid4().hex[:6]}",
             "at": "2026-03-01T08:00:00+00:00",
             "sent_at": datetime.now(timezone.utc).isoformat()}
    body, headers = _signed(event)
    first = httpx.post(url, content=body, headers={**headers, "X-Intake-Event-Id": "a"})
    again = httpx.post(url, content=body, headers={**headers, "X-Intake-Event-Id": "b"})
    assert first.json()["delivered"] is False  # a REST notice is kept for the app (issue 16)
    assert again.json()["duplicate"] is True
    old = {**event, "event_id": f"stale-{uuid.uuid4().hex}",
           "sent_at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()}
    body, headers = _signed(old)
    assert httpx.post(url, content=body, headers=headers).status_code == 403


def test_notifications_need_the_rest_key(system: RunningStack):
    url = f"{system.rasa_url}/webhooks/intake/notifications"
    params = {"sender": "rest:anyone", "after": 0}
    assert httpx.get(url, params=params).status_code == 401
    assert httpx.get(url, params=params, headers=system.rest_headers).status_code == 200


@pytest.mark.parametrize(
    ("command", "variable", "expected"),
    [
        (["intake", "python", "-m", "intake_service", "serve", "--port", "1"],
         "INTAKE_SECRET_KEY", "INTAKE_SECRET_KEY is a placeholder"),
        (["bot", "python", "-m", "bot.server", "run", "--model", "x.tar.gz"],
         "BOT_WEBHOOK_SECRET", "BOT_WEBHOOK_SECRET is a placeholder"),
    ],
)
def test_a_placeholder_secret_stops_start_up(tmp_path: Path, command, variable, expected):
    strong = "Qm3v-8xZ_tL2pR9sKw4YcN7bH1dF6gJ0aE5uO"
    env = {**os.environ, "INTAKE_VAR_DIR": str(tmp_path),
           "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path / 'i.db'}",
           "INTAKE_API_KEY": strong, "INTAKE_SECRET_KEY": strong, "BOT_WEBHOOK_SECRET": strong,
           variable: "change-me"}
    done = subprocess.run([BIN_ENV, *command], env=env, capture_output=True, text=True,
                          timeout=300, check=False, cwd=ROOT)
    assert done.returncode != 0
    assert expected in done.stderr + done.stdout


def test_thirty_random_receipt_codes_are_throttled_and_reveal_no_note(system: RunningStack):
    victim = f"zalo:{random.randrange(10**9)}"
    code = submit_directly(system, "cap_lai_the_bhyt", "zalo", victim, CARD_FIELDS, CARD_ANSWERS)
    change_status(system, code, "needs_info", NOTE)
    chat = Chat(system, f"rest:enum-{uuid.uuid4().hex[:8]}")
    alphabet = string.ascii_uppercase + string.digits
    said = []
    for _ in range(30):
        guess = "HS-" + "".join(random.choices(alphabet, k=4)) + "-"
        guess += "".join(random.choices(alphabet, k=4))
        said.append(chat.say(f"hồ sơ {guess} đến đâu rồi"))
    said.append(chat.say(f"hồ sơ {code} đến đâu rồi"))
    assert all("CCCD mặt sau" not in reply for reply in said)
    assert sum("tạm dừng tra cứu" in reply for reply in said) >= 25


def test_telemetry_is_off_in_every_bot_process(system: RunningStack):
    for name in system.names("rasa") + system.names("actions"):
        pid = system.process(name).pid
        assert pid is not None
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"RASA_TELEMETRY_ENABLED=false" in environ, name


def test_consent_is_asked_before_the_first_question_and_recorded(system: RunningStack):
    chat = Chat(system, f"rest:consent-{uuid.uuid4().hex[:8]}")
    notice = chat.say('/start_submission{"procedure":"cap_lai_the_bhyt"}')
    assert "dữ liệu cá nhân" in notice and "họ và tên" not in notice
    assert chat.buttons() == ["Đồng ý", "Không đồng ý"]
    chat.say("đồng ý")
    chat.press("Thẻ bị mất hoặc hỏng")
    chat.press("Có")
    for answer in ("Đỗ Văn Nam", "01/01/1980", "0112345679", "001080001234", "0912345679",
                   "Hà Nội"):
        chat.say(answer)
    chat.press("Nhận tại cơ quan BHXH")
    receipt = chat.press("Gửi hồ sơ")
    code = next(w for w in receipt.replace("(", " ").split() if w.startswith("HS-"))[:12]
    consent = intake_dossier(system, code)["consent"]
    assert consent["status"] == "given" and consent["how"] == "typed"
    assert consent["channel"] == "rest" and consent["version"]

    refusing = Chat(system, f"rest:refuse-{uuid.uuid4().hex[:8]}")
    refusing.say('/start_submission{"procedure":"cap_lai_the_bhyt"}')
    reply = refusing.press("Không đồng ý")
    assert "1900 9068" in reply and "họ và tên" not in reply


def _tracker_rows(system: RunningStack, sender: str) -> int:
    path = system.tracker_store.path  # type: ignore[union-attr]
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT count(*) FROM events WHERE sender_id = ?",
                                 (sender,)).fetchone()
    return int(row[0])


def test_erase_my_data_erases_the_conversation(system: RunningStack):
    sender = f"rest:erase-{uuid.uuid4().hex[:8]}"
    chat = Chat(system, sender)
    chat.say("xin chào, số điện thoại của tôi là 0912345678")
    assert _tracker_rows(system, sender) > 0
    assert "không hoàn tác" in chat.say("xóa dữ liệu của tôi")
    assert "đã xóa dữ liệu" in chat.press("Xóa dữ liệu")
    assert wait_for(lambda: _tracker_rows(system, sender) == 0 or None, 20, "the erasure")


def test_the_purge_job_removes_conversations_past_their_period(system: RunningStack):
    sender = f"rest:old-{uuid.uuid4().hex[:8]}"
    Chat(system, sender).say("xin chào")
    old = time.time() - 100 * 86_400
    path = system.tracker_store.path  # type: ignore[union-attr]
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE events SET timestamp = ? WHERE sender_id = ?", (old, sender))
    assert wait_for(lambda: _tracker_rows(system, sender) == 0 or None, 30, "the purge")
