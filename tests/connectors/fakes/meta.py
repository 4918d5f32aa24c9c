"""Fake Meta Graph API: the Messenger Send API and thread control, with Graph error objects.

Errors are HTTP 400 with ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``.
A citizen in ``closed_window`` (no message for 24 hours) gets only tagged messages
(``messaging_type: MESSAGE_TAG`` with one of Meta's four tags); ``refused_tags`` lists tags the
app may not use (e.g. ``HUMAN_AGENT`` without App Review).
"""

from __future__ import annotations

import itertools

from tests.connectors.fakes.server import FakeServer, Recorded, Reply


def graph_error(message: str, code: int, subcode: int | None = None, status: int = 400) -> Reply:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return Reply(status=status, body={"error": error})


INVALID_TOKEN = graph_error("Invalid OAuth access token - Cannot parse access token", 190)
RATE_LIMITED = graph_error("(#613) Calls to this api have exceeded the rate limit.", 613)
OUTSIDE_WINDOW = graph_error(
    "(#10) This message is sent outside of allowed window.", 10, subcode=2018278
)
UNAVAILABLE = graph_error("(#551) This person isn't available right now.", 551, subcode=1545041)
TAGS = frozenset(
    {"ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "HUMAN_AGENT"}
)


class FakeGraph(FakeServer):
    def __init__(self, page_token: str = "page-token", version: str = "v25.0") -> None:
        super().__init__()
        self.page_token = page_token
        self.version = version
        self.closed_window: set[str] = set()
        self.refused_tags: set[str] = set()
        self.sent: list[dict] = []
        self.thread_control: list[tuple[str, dict]] = []
        self._ids = itertools.count(1)

    def route(self, request: Recorded) -> Reply:
        prefix = f"/{self.version}/me/"
        if request.method != "POST" or not request.path.startswith(prefix):
            return graph_error("Unknown path components", 2500, status=404)
        if request.query.get("access_token", [""])[-1] != self.page_token:
            return INVALID_TOKEN
        body = request.json()
        action = request.path.removeprefix(prefix)
        if action == "messages":
            return self._send(body)
        if action in ("pass_thread_control", "take_thread_control"):
            with self.lock:
                self.thread_control.append((action, body))
            return Reply(body={"success": True})
        return graph_error("Unsupported post request", 100, status=400)

    def _send(self, body: dict) -> Reply:
        psid = (body.get("recipient") or {}).get("id")
        message = body.get("message") or {}
        kind = body.get("messaging_type")
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or (kind == "MESSAGE_TAG") != bool(
            body.get("tag")
        ):
            return graph_error("(#100) Invalid messaging_type / tag", 100)
        tag = body.get("tag")
        if tag is not None and tag not in TAGS:
            return graph_error("(#100) Param tag must be one of {ACCOUNT_UPDATE, …}", 100)
        problem = _invalid(message)
        if problem:
            return graph_error(f"(#100) {problem}", 100)
        if psid in self.closed_window and (tag is None or tag in self.refused_tags):
            return OUTSIDE_WINDOW
        with self.lock:
            self.sent.append(body)
        return Reply(body={"recipient_id": psid, "message_id": f"m_{next(self._ids)}"})


def _invalid(message: dict) -> str | None:
    if len(message.get("text") or "") > 2000:
        return "Length of param message[text] must be less than or equal to 2000"
    quick_replies = message.get("quick_replies") or []
    if len(quick_replies) > 13 or any(len(q.get("title", "")) > 20 for q in quick_replies):
        return "param message[quick_replies] is invalid"
    payload = (message.get("attachment") or {}).get("payload") or {}
    if payload.get("template_type") == "button":
        buttons = payload.get("buttons") or []
        if not 1 <= len(buttons) <= 3 or len(payload.get("text", "")) > 640:
            return "param message[attachment][payload] is invalid"
        if any(len(b.get("title", "")) > 20 for b in buttons):
            return "param message[attachment][payload][buttons][title] is too long"
    return None
