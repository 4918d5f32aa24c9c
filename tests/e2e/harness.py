"""What the end-to-end tests share: the trained model, a citizen's chat, readers of the system.

The processes themselves (intake service, action server, ``python -m bot.server run`` as in
production) are started by :func:`stack.running_stack` (see ``tests/e2e/conftest.py``); this
module only talks to them over HTTP: the REST channel, the messages kept for later delivery, the
web chat's stored messages and the intake API.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack import RunningStack
from stack.process import wait_for
from stack.system import ADMIN, API_KEY, WEBHOOK_SECRET

__all__ = [
    "ADMIN",
    "API_KEY",
    "WEBHOOK_SECRET",
    "Chat",
    "WebChat",
    "change_status",
    "intake_dossier",
    "intake_dossiers",
    "notices",
    "receipt_code",
    "submit_directly",
    "trained_model",
    "wait_for",
    "webchat_texts",
]

NO_MODEL = "BHXH_MODEL is not set to a trained model (bin/test trains one and sets it)"


def trained_model() -> str:
    """The absolute path of the model in ``$BHXH_MODEL``; skips the test when there is none."""
    model = os.environ.get("BHXH_MODEL", "")
    if not model or not Path(model).is_file():
        pytest.skip(NO_MODEL)
    return str(Path(model).resolve())


class Chat:
    """One citizen's conversation through the REST channel."""

    def __init__(self, system: RunningStack, sender: str) -> None:
        self.system = system
        self.sender = sender
        self.last: list[dict[str, Any]] = []

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> str:
        """Sends a message; returns the bot's texts joined (also kept for ``press``)."""
        self.last = self.system.say(self.sender, text, metadata=metadata)
        return "\n".join(message.get("text") or "" for message in self.last)

    def start(self, text: str) -> str:
        """Starts a dossier (``/start_submission…``) and agrees to the privacy notice it shows
        first (bot/actions/consent.py); returns what follows the agreement."""
        notice = self.say(text)
        assert "dữ liệu cá nhân" in notice and "Đồng ý" in self.buttons(), notice
        return self.press("Đồng ý")

    def press(self, title: str) -> str:
        """Presses a button of the bot's last messages by its title."""
        for message in self.last:
            for button in message.get("buttons") or []:
                if button["title"] == title:
                    return self.say(button["payload"])
        raise AssertionError(f"no button {title!r} in {self.buttons()}")

    def buttons(self) -> list[str]:
        """The titles of the buttons of the bot's last messages."""
        return [b["title"] for m in self.last for b in m.get("buttons") or []]


class WebChat(Chat):
    """One citizen's conversation through the web chat page's routes (its uploads are the only
    attachments the action server fetches from this system; the REST channel takes none)."""

    def __init__(self, system: RunningStack, sender: str | None = None) -> None:
        super().__init__(system, sender or f"web-{uuid.uuid4().hex}")
        self.seen = 0

    def _new_bot_messages(self) -> list[dict[str, Any]]:
        answer = httpx.get(
            f"{self.system.rasa_url}/webhooks/webchat/messages",
            params={"sender": self.sender, "after": self.seen},
            timeout=30,
        )
        answer.raise_for_status()
        body = answer.json()
        self.seen = body["last_id"]
        return [m for m in body["messages"] if m["role"] == "bot"]

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> str:
        """Sends what the citizen types (or a button payload) from the page."""
        answer = httpx.post(
            f"{self.system.rasa_url}/webhooks/webchat/message",
            json={"sender": self.sender, "message": text, "display": text},
            timeout=120,
        )
        answer.raise_for_status()
        self.last = self._new_bot_messages()
        return "\n".join(message.get("text") or "" for message in self.last)

    def upload(self, name: str, content: bytes, mime: str = "image/png") -> str:
        """Sends a photo or PDF from the page's paperclip button."""
        answer = httpx.post(
            f"{self.system.rasa_url}/webhooks/webchat/upload",
            data={"sender": self.sender},
            files={"file": (name, content, mime)},
            timeout=120,
        )
        assert answer.json() == {"ok": True}, answer.text
        self.last = self._new_bot_messages()
        return "\n".join(message.get("text") or "" for message in self.last)


def receipt_code(text: str) -> str:
    """The receipt code (``HS-XXXX-XXXX``) in the bot's message."""
    for word in text.replace("(", " ").split():
        if word.startswith("HS-") and len(word) == 12:
            return word
    raise AssertionError(f"no receipt code in {text!r}")


# ---------------------------------------------------------------------------- the bot
def _kept_messages(system: RunningStack, path: str, sender: str) -> list[dict[str, Any]]:
    """The messages Rasa keeps for a conversation at ``/webhooks/<path>``, oldest first."""
    answer = httpx.get(
        f"{system.rasa_url}/webhooks/{path}",
        params={"sender": sender, "after": 0},
        headers=system.rest_headers,
        timeout=10,
    )
    answer.raise_for_status()
    messages: list[dict[str, Any]] = answer.json()["messages"]
    return messages


def notices(system: RunningStack, sender: str) -> list[str]:
    """Messages kept for a REST conversation (pushed later: receipts, status changes)."""
    return [m.get("text") or "" for m in _kept_messages(system, "intake/notifications", sender)]


def webchat_texts(system: RunningStack, sender: str) -> list[str]:
    """Bot messages stored for a web chat conversation."""
    stored = _kept_messages(system, "webchat/messages", sender)
    return [m.get("text") or "" for m in stored if m["role"] == "bot"]


# ---------------------------------------------------------------------------- the intake service
def intake_dossiers(
    system: RunningStack, sender: str, channel: str = "rest"
) -> list[dict[str, Any]]:
    """The dossiers of one conversation, as the intake service has them."""
    answer = httpx.get(
        f"{system.intake_url}/api/v1/dossiers",
        params={"sender_id": sender, "channel": channel},
        headers={"X-API-Key": API_KEY},
        timeout=10,
    )
    answer.raise_for_status()
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def intake_dossier(system: RunningStack, code: str) -> dict[str, Any]:
    """One dossier with its fields, answers and attachments (full values)."""
    answer = httpx.get(
        f"{system.intake_url}/api/v1/dossiers/{code}",
        headers={"X-API-Key": API_KEY},
        timeout=10,
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def submit_directly(
    system: RunningStack,
    procedure_id: str,
    channel: str,
    sender: str,
    fields: dict[str, Any],
    answers: dict[str, Any],
) -> str:
    """Creates a dossier through the API (as another client would); returns its code."""
    answer = httpx.post(
        f"{system.intake_url}/api/v1/dossiers",
        json={
            "procedure_id": procedure_id,
            "channel": channel,
            "sender_id": sender,
            "fields": fields,
            "answers": answers,
            "province": None,
        },
        headers={"X-API-Key": API_KEY, "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["receipt_code"])


def change_status(system: RunningStack, code: str, status: str, note: str) -> None:
    """A staff member changes a dossier's status."""
    answer = httpx.post(
        f"{system.intake_url}/api/v1/dossiers/{code}/status",
        json={"status": status, "note": note},
        auth=ADMIN,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
