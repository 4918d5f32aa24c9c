"""Messenger webhook bodies in Meta's shape (``object: page``, batched entries)."""

from __future__ import annotations

import json
import time
from typing import Any

from connectors.messenger.signature import sign

PAGE_ID = "682498171943165"
PSID = "1254459154682919"
APP_ID = "555000111"


def now_ms() -> int:
    return int(time.time() * 1000)


def delivery(*events: dict[str, Any], standby: list[dict[str, Any]] | None = None) -> dict:
    entry: dict[str, Any] = {"id": PAGE_ID, "time": now_ms(), "messaging": list(events)}
    if standby is not None:
        entry = {"id": PAGE_ID, "time": now_ms(), "standby": standby}
    return {"object": "page", "entry": [entry]}


def batched(*entries: list[dict[str, Any]]) -> dict:
    return {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": now_ms(), "messaging": events} for events in entries],
    }


def text(body: str, mid: str = "m_1", psid: str = PSID, **extra: Any) -> dict:
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": extra.get("timestamp", now_ms()),
        "message": {"mid": mid, "text": body, **extra.get("message", {})},
    }


def quick_reply(title: str, payload: str, mid: str = "m_qr") -> dict:
    return text(title, mid, message={"quick_reply": {"payload": payload}})


def postback(title: str, payload: str, mid: str = "m_pb") -> dict:
    return {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "timestamp": now_ms(),
        "postback": {"title": title, "payload": payload, "mid": mid},
    }


def image(url: str, mid: str = "m_img") -> dict:
    return {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "timestamp": now_ms(),
        "message": {"mid": mid, "attachments": [{"type": "image", "payload": {"url": url}}]},
    }


def echo(body: str, app_id: str, mid: str = "m_echo") -> dict:
    return {
        "sender": {"id": PAGE_ID},
        "recipient": {"id": PSID},
        "timestamp": now_ms(),
        "message": {"is_echo": True, "app_id": int(app_id), "mid": mid, "text": body},
    }


def handover(kind: str, **fields: Any) -> dict:
    return {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "timestamp": now_ms(),
        kind: fields,
    }


def read_receipt() -> dict:
    return {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "timestamp": now_ms(),
        "read": {"watermark": now_ms()},
    }


def signed(body: dict, app_secret: str, algorithm: str = "sha256") -> tuple[bytes, dict]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    header = "X-Hub-Signature-256" if algorithm == "sha256" else "X-Hub-Signature"
    return raw, {header: sign(app_secret, raw, algorithm), "Content-Type": "application/json"}
