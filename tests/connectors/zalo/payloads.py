"""Zalo OA webhook bodies in the platform's shape (channels.md §1.3), and their signature."""

from __future__ import annotations

import json
import time
from typing import Any

from connectors.common.config import ZaloSettings
from connectors.zalo.signature import compute_signature

OA_ID = "3662729599332560487"
USER_ID = "6142494823716485925"


def now_ms(offset_seconds: float = 0) -> str:
    return str(int((time.time() + offset_seconds) * 1000))


def _base(app_id: str, event_name: str, timestamp: str | None) -> dict[str, Any]:
    return {
        "event_name": event_name,
        "app_id": app_id,
        "timestamp": timestamp or now_ms(),
        "user_id_by_app": "979122185046046317",
    }


def user_text(app_id: str, text: str, msg_id: str = "cb31dff1c39642cc1b83", **kw: Any) -> dict:
    return {
        **_base(app_id, "user_send_text", kw.get("timestamp")),
        "sender": {"id": kw.get("user_id", USER_ID)},
        "recipient": {"id": OA_ID},
        "message": {"text": text, "msg_id": msg_id},
    }


def user_attachment(
    app_id: str, kind: str, payload: dict[str, Any], text: str = "", msg_id: str = "att01"
) -> dict:
    return {
        **_base(app_id, f"user_send_{kind}", None),
        "sender": {"id": USER_ID},
        "recipient": {"id": OA_ID},
        "message": {
            "msg_id": msg_id,
            "text": text,
            "attachments": [{"type": kind, "payload": payload}],
        },
    }


def follow(app_id: str, event_name: str = "follow") -> dict:
    return {
        **_base(app_id, event_name, None),
        "oa_id": OA_ID,
        "follower": {"id": USER_ID},
        "source": "oa_profile",
    }


def submit_info(app_id: str) -> dict:
    return {
        **_base(app_id, "user_submit_info", None),
        "sender": {"id": USER_ID},
        "recipient": {"id": OA_ID},
        "info": {
            "name": "Nguyễn Văn A",
            "phone": "84912345678",
            "address": "12 Lê Lợi",
            "city": "Hà Nội",
            "district": "Hoàn Kiếm",
            "ward": "Hàng Bạc",
        },
    }


def oa_text(app_id: str, text: str, admin_id: str | None, msg_id: str = "oa01") -> dict:
    sender: dict[str, Any] = {"id": OA_ID}
    if admin_id:
        sender["admin_id"] = admin_id
    return {
        **_base(app_id, "oa_send_text", None),
        "sender": sender,
        "recipient": {"id": USER_ID},
        "message": {"text": text, "msg_id": msg_id},
    }


def seen(app_id: str) -> dict:
    return {
        **_base(app_id, "user_seen_message", None),
        "sender": {"id": OA_ID},
        "recipient": {"id": USER_ID},
        "message": {"msg_ids": ["oa01"]},
    }


def signed(payload: dict, settings: ZaloSettings, secret: str | None = None) -> tuple[bytes, dict]:
    """The raw body and the headers Zalo would send (``X-ZEvent-Signature: mac=…``)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    mac = compute_signature(
        str(payload["app_id"]), body, str(payload["timestamp"]), secret or settings.oa_secret_key
    )
    return body, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}
