"""A citizen on each platform: webhooks in the platform's wire format, replies read at the fake.

Each ``say`` posts one signed webhook to the running Rasa server, waits until Rasa has finished the
turn, and returns what the fake platform received for this citizen meanwhile, as
:class:`Reply` objects (text and the buttons as the platform renders them). ``press`` clicks a
button the way the platform reports the click: Zalo sends the button's payload back as a
``user_send_text``, Messenger a ``postback`` (button template) or a message with a
``quick_reply`` payload, Telegram a ``callback_query`` (which the bot must answer).
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx

from connectors.messenger.signature import sign as meta_signature
from connectors.zalo.signature import compute_signature
from stack import RunningStack
from tests.connectors.e2e.system import (
    MESSENGER_APP_SECRET,
    TELEGRAM_SECRET_TOKEN,
    ZALO_OA_SECRET_KEY,
    Platforms,
    user_turns,
    wait_for_turn,
)
from tests.connectors.fakes.telegram import BOT_ID

ZALO_OA_ID = "3662729599332560487"
MESSENGER_PAGE_ID = "682498171943165"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Button:
    """A button as the platform shows it, and what a click sends back."""

    title: str
    kind: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message the platform received for the citizen."""

    text: str
    buttons: tuple[Button, ...] = ()


def now_ms() -> int:
    """The current time in milliseconds, as the platforms stamp their events."""
    return int(time.time() * 1000)


def unique_digits(length: int) -> str:
    """A platform user id that no other test uses."""
    return str(uuid.uuid4().int)[:length]


def title_matches(shown: str, wanted: str) -> bool:
    """Whether a button shown as ``shown`` is the button titled ``wanted`` (maybe shortened)."""
    if shown == wanted:
        return True
    return shown.endswith("…") and wanted.startswith(shown[:-1]) and len(shown) < len(wanted)


class Citizen:
    """One citizen's conversation through one channel (subclasses speak the platform)."""

    channel = ""

    def __init__(self, system: RunningStack, platforms: Platforms, user_id: str) -> None:
        self.system = system
        self.platforms = platforms
        self.user_id = user_id
        self.last: list[Reply] = []

    @property
    def sender_id(self) -> str:
        """The conversation id Rasa and the intake service know: ``<channel>:<user id>``."""
        return f"{self.channel}:{self.user_id}"

    # ------------------------------------------------------------------ what subclasses do
    def received(self) -> list[Reply]:
        """Everything the fake platform received for this citizen so far."""
        raise NotImplementedError

    def post_text(self, text: str) -> None:
        """Posts the webhook of a text message."""
        raise NotImplementedError

    def post_click(self, button: Button) -> None:
        """Posts the webhook of a click on ``button``."""
        raise NotImplementedError

    # ------------------------------------------------------------------ the conversation
    def say(self, text: str) -> str:
        """Sends a text; returns the bot's texts of this turn, joined."""
        return self._turn(lambda: self.post_text(text))

    def press(self, title: str) -> str:
        """Clicks a button of the bot's last messages by its title (as the citizen sees it)."""
        for button in reversed(self.clickable()):
            if title_matches(button.title, title):
                return self._turn(partial(self.post_click, button))
        raise AssertionError(f"no button {title!r} to click in {self.buttons()}")

    def clickable(self) -> list[Button]:
        """The buttons of the bot's last messages that the platform lets the citizen click."""
        return [button for reply in self.last for button in reply.buttons]

    def buttons(self) -> list[str]:
        """The titles of the clickable buttons of the bot's last messages, as shown."""
        return [button.title for button in self.clickable()]

    def wait_for_message(self, needle: str, after: int, seconds: float = 60) -> str:
        """Waits for a message containing ``needle`` after the ``after`` first ones."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for reply in self.received()[after:]:
                if needle in reply.text:
                    return reply.text
            time.sleep(0.3)
        texts = [reply.text for reply in self.received()[after:]]
        raise AssertionError(f"no message with {needle!r} for {self.sender_id}: {texts}")

    def _turn(self, post: Callable[[], None]) -> str:
        before = len(self.received())
        turns = user_turns(self.system, self.sender_id)
        post()
        wait_for_turn(self.system, self.sender_id, turns)
        self.last = self.received()[before:]
        return "\n".join(reply.text for reply in self.last)


class ZaloCitizen(Citizen):
    """A follower of the OA writing in the Zalo app."""

    channel = "zalo"

    def received(self) -> list[Reply]:
        with self.platforms.zalo.lock:
            sent = list(self.platforms.zalo.sent)
        return [zalo_reply(item["message"]) for item in sent if item["user_id"] == self.user_id]

    def post_text(self, text: str) -> None:
        self.post(
            {
                "event_name": "user_send_text",
                "app_id": self.platforms.zalo.app_id,
                "timestamp": str(now_ms()),
                "user_id_by_app": "979122185046046317",
                "sender": {"id": self.user_id},
                "recipient": {"id": ZALO_OA_ID},
                "message": {"text": text, "msg_id": uuid.uuid4().hex},
            }
        )

    def post_click(self, button: Button) -> None:
        # oa.query.* buttons: Zalo sends the payload back as the user's text
        assert button.kind in ("oa.query.hide", "oa.query.show"), button
        self.post_text(button.payload)

    def post(self, payload: dict[str, Any]) -> None:
        """Posts a webhook signed like Zalo: sha256(app_id + body + timestamp + OA secret)."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        mac = compute_signature(
            str(payload["app_id"]), body, str(payload["timestamp"]), ZALO_OA_SECRET_KEY
        )
        answer = httpx.post(
            f"{self.system.rasa_url}/webhooks/zalo/webhook",
            content=body,
            headers={"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"status": "ok"}, answer.text


def zalo_reply(message: dict[str, Any]) -> Reply:
    """A Zalo CS message: text, and template buttons when there are some."""
    payload = (message.get("attachment") or {}).get("payload") or {}
    buttons = tuple(
        Button(b["title"], b["type"], b["payload"] if isinstance(b["payload"], str) else "")
        for b in payload.get("buttons") or ()
    )
    return Reply(message.get("text") or "", buttons)


class MessengerCitizen(Citizen):
    """A person writing to the office's Page in Messenger."""

    channel = "messenger"

    def received(self) -> list[Reply]:
        with self.platforms.graph.lock:
            sent = list(self.platforms.graph.sent)
        return [
            messenger_reply(body["message"])
            for body in sent
            if body["recipient"]["id"] == self.user_id
        ]

    def clickable(self) -> list[Button]:
        """Template buttons stay in the thread; quick replies only under the newest message."""
        buttons: list[Button] = []
        for number, reply in enumerate(self.last, start=1):
            newest = number == len(self.last)
            buttons += [b for b in reply.buttons if b.kind != "quick_reply" or newest]
        return buttons

    def post_text(self, text: str) -> None:
        self.post_message({"text": text})

    def post_click(self, button: Button) -> None:
        if button.kind == "postback":  # a button of a button template
            mid = f"m_{uuid.uuid4().hex}"
            postback = {"title": button.title, "payload": button.payload, "mid": mid}
            self.post(self.event(postback=postback))
        else:  # a quick reply: a message with the title as text and the payload beside it
            assert button.kind == "quick_reply", button
            quick_reply = {"payload": button.payload}
            self.post_message({"text": button.title, "quick_reply": quick_reply})

    def post_message(self, message: dict[str, Any]) -> None:
        """Posts a ``message`` event."""
        mid = f"m_{uuid.uuid4().hex}"
        self.post(self.event(message={"mid": mid, **message}))

    def event(self, **content: Any) -> dict[str, Any]:
        """One messaging event from this person to the Page."""
        return {
            "sender": {"id": self.user_id},
            "recipient": {"id": MESSENGER_PAGE_ID},
            "timestamp": now_ms(),
            **content,
        }

    def post(self, event: dict[str, Any]) -> None:
        """Posts a delivery signed like Meta: ``X-Hub-Signature-256``."""
        body = {
            "object": "page",
            "entry": [{"id": MESSENGER_PAGE_ID, "time": now_ms(), "messaging": [event]}],
        }
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        answer = httpx.post(
            f"{self.system.rasa_url}/webhooks/messenger/webhook",
            content=raw,
            headers={
                "X-Hub-Signature-256": meta_signature(MESSENGER_APP_SECRET, raw),
                "Content-Type": "application/json",
            },
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert answer.text == "EVENT_RECEIVED", answer.text


def messenger_reply(message: dict[str, Any]) -> Reply:
    """A Send API message: text, button template or quick replies."""
    payload = (message.get("attachment") or {}).get("payload") or {}
    if payload.get("template_type") == "button":
        buttons = tuple(
            Button(b["title"], b["type"], str(b.get("payload") or b.get("url") or ""))
            for b in payload.get("buttons") or ()
        )
        return Reply(payload.get("text") or "", buttons)
    quick = tuple(
        Button(q["title"], "quick_reply", q["payload"]) for q in message.get("quick_replies") or ()
    )
    return Reply(message.get("text") or "", quick)


class TelegramCitizen(Citizen):
    """A person in a private chat with the office's Telegram bot."""

    channel = "telegram"

    def __init__(self, system: RunningStack, platforms: Platforms, user_id: str) -> None:
        super().__init__(system, platforms, user_id)
        self.callback_ids: list[str] = []

    def received(self) -> list[Reply]:
        with self.platforms.telegram.lock:
            sent = list(self.platforms.telegram.sent)
        mine = [params for params in sent if str(params["chat_id"]) == self.user_id]
        return [telegram_reply(params) for params in mine]

    def answered(self) -> set[str]:
        """The callback query ids the bot answered (``answerCallbackQuery``)."""
        with self.platforms.telegram.lock:
            return {str(a.get("callback_query_id")) for a in self.platforms.telegram.answered}

    def user(self) -> dict[str, Any]:
        """The Telegram ``User`` object of the citizen."""
        return {"id": int(self.user_id), "is_bot": False, "first_name": "An"}

    def chat(self) -> dict[str, Any]:
        """The private ``Chat`` with the bot."""
        return {"id": int(self.user_id), "first_name": "An", "type": "private"}

    def post_text(self, text: str) -> None:
        self.post(
            {
                "update_id": 700000 + next(_numbers),
                "message": {
                    "message_id": next(_numbers),
                    "from": self.user(),
                    "chat": self.chat(),
                    "date": int(time.time()),
                    "text": text,
                },
            }
        )

    def post_click(self, button: Button) -> None:
        assert button.kind == "callback_data", button
        query_id = uuid.uuid4().hex[:18]
        self.post(
            {
                "update_id": 700000 + next(_numbers),
                "callback_query": {
                    "id": query_id,
                    "from": self.user(),
                    "chat_instance": "-8234567",
                    "data": button.payload,
                    "message": {
                        "message_id": next(_numbers),
                        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Trợ lý BHXH"},
                        "chat": self.chat(),
                        "date": int(time.time()) - 5,
                        "text": "…",
                    },
                },
            }
        )
        self.callback_ids.append(query_id)

    def post(self, update: dict[str, Any]) -> None:
        """Posts an update with the secret token Telegram sends."""
        answer = httpx.post(
            f"{self.system.rasa_url}/webhooks/telegram/webhook",
            content=json.dumps(update, ensure_ascii=False).encode("utf-8"),
            headers={
                "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET_TOKEN,
                "Content-Type": "application/json",
            },
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"status": "ok"}, answer.text


def telegram_reply(params: dict[str, Any]) -> Reply:
    """A ``sendMessage`` call: text and inline keyboard."""
    keyboard = (params.get("reply_markup") or {}).get("inline_keyboard") or []
    buttons = tuple(
        Button(b["text"], "callback_data", b["callback_data"])
        if "callback_data" in b
        else Button(b["text"], "url", b.get("url", ""))
        for row in keyboard
        for b in row
    )
    return Reply(str(params.get("text") or params.get("caption") or ""), buttons)


CITIZENS: dict[str, type[Citizen]] = {
    "zalo": ZaloCitizen,
    "messenger": MessengerCitizen,
    "telegram": TelegramCitizen,
}


def new_citizen(channel: str, system: RunningStack, platforms: Platforms) -> Citizen:
    """A citizen nobody else uses, on the named channel."""
    user_id = unique_digits(10 if channel == "telegram" else 16)
    return CITIZENS[channel](system, platforms, user_id)
