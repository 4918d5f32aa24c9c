"""Fake Zalo: OA API v3 (``/v3.0/oa/message/cs`` …) and OAuth v4 (``/v4/oa/access_token``).

Like the real platform, API errors come back with HTTP 200 and ``error != 0``; tokens are sent in
the ``access_token`` header; a refresh token works once and each refresh returns a new pair.
ZBS template messages (``/v3.0/oa/message/template``, shape unverified) reach a citizen whose
7-day window closed, for the templates in ``approved_templates`` (id → its parameters).
"""

from __future__ import annotations

import itertools
import json
import time

from tests.connectors.fakes.server import FakeServer, Recorded, Reply

INVALID_TOKEN = {"error": -216, "message": "Access token is invalid"}
EXPIRED_TOKEN = {"error": -220, "message": "access_token is expired or removed"}
NOT_FOLLOWING = {"error": -213, "message": "User has not followed OA"}
WINDOW_CLOSED = {
    "error": -230,
    "message": "user has not interacted with the OA in the past 7 days",
}
RATE_LIMITED = {"error": -32, "message": "Your application/OA reached limit call api"}
TOO_LONG = {"error": -210, "message": "Parameter exceeds allowable limit"}


class FakeZalo(FakeServer):
    def __init__(self, app_id: str = "4321", app_secret: str = "app-secret") -> None:
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.access_tokens: dict[str, float] = {}
        self.refresh_tokens: dict[str, bool] = {}
        self.not_following: set[str] = set()
        self.window_closed: set[str] = set()
        self.user_of_message: dict[str, str] = {}
        self.sent: list[dict] = []
        self.approved_templates: dict[str, set[str]] = {}
        self.templates_sent: list[dict] = []
        self.refresh_delay = 0.0
        self._ids = itertools.count(1)

    # --- test helpers -------------------------------------------------------------------
    def issue_refresh_token(self) -> str:
        token = f"rt-{next(self._ids)}"
        with self.lock:
            self.refresh_tokens[token] = True
        return token

    def issue_access_token(self, ttl: float = 90000) -> str:
        token = f"at-{next(self._ids)}"
        with self.lock:
            self.access_tokens[token] = time.time() + ttl
        return token

    def expire_all_access_tokens(self) -> None:
        with self.lock:
            for token in self.access_tokens:
                self.access_tokens[token] = 0.0

    @property
    def refresh_calls(self) -> list[Recorded]:
        return self.calls("/v4/oa/access_token")

    # --- routes -------------------------------------------------------------------------
    def route(self, request: Recorded) -> Reply:
        if request.path == "/v4/oa/access_token" and request.method == "POST":
            return self._refresh(request)
        token_error = self._check_token(request)
        if token_error is not None:
            return Reply(body=token_error)
        if request.path == "/v3.0/oa/message/cs" and request.method == "POST":
            return self._send(request)
        if request.path == "/v3.0/oa/message/template" and request.method == "POST":
            return self._send_template(request)
        if request.path in ("/v2.0/oa/upload/image", "/v2.0/oa/upload/file"):
            field = "attachment_id" if request.path.endswith("image") else "token"
            return Reply(body={"error": 0, "message": "Success", "data": {field: "up-1"}})
        if request.path == "/v3.0/oa/user/detail" and request.method == "GET":
            user_id = json.loads(request.query["data"][0])["user_id"]
            data = {
                "user_id": user_id,
                "display_name": "Nguyễn Văn A",
                "user_is_follower": user_id not in self.not_following,
            }
            return Reply(body={"error": 0, "message": "Success", "data": data})
        if request.path == "/v3.0/oa/quota/message":
            data = {"cs_reply": {"remain": 7, "total": 8}}
            return Reply(body={"error": 0, "message": "Success", "data": data})
        return Reply(status=404, body={"error": 404, "message": "not found"})

    def _check_token(self, request: Recorded) -> dict | None:
        token = request.header("access_token")
        with self.lock:
            expires_at = self.access_tokens.get(token or "")
        if expires_at is None:
            return INVALID_TOKEN
        if expires_at <= time.time():
            return EXPIRED_TOKEN
        return None

    def _send(self, request: Recorded) -> Reply:
        body = request.json()
        recipient = body.get("recipient") or {}
        message = body.get("message") or {}
        if len(recipient) != 1 or not (recipient.get("user_id") or recipient.get("message_id")):
            return Reply(body={"error": -201, "message": "recipient is invalid!"})
        user_id = recipient.get("user_id") or self.user_of_message.get(recipient["message_id"])
        if user_id is None:
            return Reply(body={"error": -201, "message": "message_id is invalid!"})
        if not message:
            return Reply(body={"error": -201, "message": "message is invalid!"})
        buttons = ((message.get("attachment") or {}).get("payload") or {}).get("buttons") or []
        if len(message.get("text") or "") > 2000 or len(buttons) > 5:
            return Reply(body=TOO_LONG)
        if user_id in self.not_following:
            return Reply(body=NOT_FOLLOWING)
        if user_id in self.window_closed:
            return Reply(body=WINDOW_CLOSED)
        with self.lock:
            self.sent.append({"user_id": user_id, "message": message})
        data = {
            "message_id": f"oa-msg-{next(self._ids)}",
            "user_id": user_id,
            "quota": {"quota_type": "reply", "remain": "7", "total": "8"},
        }
        return Reply(body={"error": 0, "message": "Success", "data": data})

    def _send_template(self, request: Recorded) -> Reply:
        body = request.json()
        user_id = body.get("user_id")
        parameters = self.approved_templates.get(str(body.get("template_id")))
        data = body.get("template_data")
        if not user_id:
            return Reply(body={"error": -201, "message": "user_id is invalid!"})
        if parameters is None:
            return Reply(body={"error": -201, "message": "template_id is invalid!"})
        if not isinstance(data, dict) or set(data) != parameters:
            return Reply(body={"error": -201, "message": "template_data is invalid!"})
        if user_id in self.not_following:
            return Reply(body=NOT_FOLLOWING)
        with self.lock:
            self.templates_sent.append(body)
        data = {"message_id": f"oa-tpl-{next(self._ids)}", "user_id": user_id}
        return Reply(body={"error": 0, "message": "Success", "data": data})

    def _refresh(self, request: Recorded) -> Reply:
        if self.refresh_delay:
            time.sleep(self.refresh_delay)
        form = request.form()
        if request.header("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return Reply(body={"error": -14002, "error_name": "Invalid app"})
        token = form.get("refresh_token", "")
        with self.lock:
            valid = self.refresh_tokens.get(token, False)
            if valid:
                self.refresh_tokens[token] = False
        if form.get("grant_type") != "refresh_token" or not valid:
            return Reply(
                body={
                    "error": -14014,
                    "error_name": "Invalid refresh token",
                    "error_description": "Refresh token is invalid or expired",
                }
            )
        access = self.issue_access_token()
        refresh = self.issue_refresh_token()
        return Reply(
            body={"access_token": access, "refresh_token": refresh, "expires_in": "90000"}
        )
