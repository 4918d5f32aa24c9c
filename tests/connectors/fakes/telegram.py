"""Fake Telegram Bot API: ``/bot<token>/<method>`` with Telegram's answers and errors.

python-telegram-bot posts form fields whose non-string values are JSON-encoded (``chat_id``,
``reply_markup`` …). Errors are ``{"ok": false, "error_code", "description"[, "parameters"]}``
with the matching HTTP status.
"""

from __future__ import annotations

import itertools
import json
import time

from tests.connectors.fakes.server import FakeServer, Recorded, Reply

BOT_ID = 7000001
_JSON_FIELDS = {"chat_id", "reply_markup", "allowed_updates", "drop_pending_updates", "show_alert"}


def error(status: int, description: str, **parameters: object) -> Reply:
    body: dict[str, object] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Reply(status=status, body=body)


def retry_after(seconds: int) -> Reply:
    return error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)


class FakeTelegram(FakeServer):
    def __init__(self, token: str = f"{BOT_ID}:AAHfake-token_0123456789") -> None:
        super().__init__()
        self.token = token
        self.blocked: set[int] = set()
        self.sent: list[dict] = []
        self.answered: list[dict] = []
        self.webhook: dict | None = None
        self._ids = itertools.count(100)

    def route(self, request: Recorded) -> Reply:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return error(401, "Unauthorized")
        method = request.path.removeprefix(prefix)
        params = {k: _decode(v) if k in _JSON_FIELDS else v for k, v in request.form().items()}
        if method == "getMe":
            me = {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Trợ lý BHXH",
                "username": "bhxh_bot",
            }
            return Reply(body={"ok": True, "result": me})
        if method == "setWebhook":
            self.webhook = params
            return Reply(body={"ok": True, "result": True, "description": "Webhook was set"})
        if method == "answerCallbackQuery":
            with self.lock:
                self.answered.append(params)
            return Reply(body={"ok": True, "result": True})
        if method in ("sendMessage", "sendPhoto"):
            return self._send(method, params)
        return error(404, "Not Found")

    def _send(self, method: str, params: dict) -> Reply:
        chat_id = int(params.get("chat_id", 0))
        if chat_id in self.blocked:
            return error(403, "Forbidden: bot was blocked by the user")
        text = params.get("text", "")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return error(400, "Bad Request: message is too long")
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(data.encode()) > 64:
                    return error(400, "Bad Request: BUTTON_DATA_INVALID")
        with self.lock:
            self.sent.append({"method": method, **params})
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": text,
        }
        return Reply(body={"ok": True, "result": message})


def _decode(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return value
