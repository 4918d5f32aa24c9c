"""``X-ZEvent-Signature``: how Zalo signs the webhooks it sends to the OA's app.

``X-ZEvent-Signature: mac=<hex>`` where ``<hex> = sha256(app_id + raw_body + timestamp +
oa_secret_key)``: a plain SHA-256 of the concatenation (not an HMAC), with ``app_id`` and
``timestamp`` taken from the JSON body and the *OA secret key* of the app's Webhook page (not the
app secret). Sources: chatwoot's Zalo job, hainh.me, Zalo's webhook docs (channels.md §1.2).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

HEADER = "X-ZEvent-Signature"
FUTURE_SKEW_SECONDS = 300

Outcome = Literal["ok", "missing", "invalid", "wrong_app", "stale"]


@dataclass(frozen=True)
class Verdict:
    """Result of checking one delivery.

    Attributes:
        outcome: ``ok`` or why the delivery is rejected.
    """

    outcome: Outcome

    @property
    def ok(self) -> bool:
        """Whether the delivery may be processed."""
        return self.outcome == "ok"


def compute_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Computes the hex MAC Zalo puts after ``mac=``.

    Args:
        app_id: the app id (from the body).
        raw_body: the request body exactly as received.
        timestamp: the body's ``timestamp`` field (milliseconds, as a string).
        oa_secret_key: the OA secret key.

    Returns:
        Lower-case hex SHA-256.
    """
    data = app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def verify_delivery(
    raw_body: bytes,
    payload: Mapping[str, Any],
    header: str | None,
    *,
    app_id: str,
    oa_secret_key: str,
    max_age_seconds: float,
    now: float | None = None,
) -> Verdict:
    """Checks a webhook delivery: signature present and right, our app, not stale.

    Args:
        raw_body: the request body exactly as received.
        payload: the parsed body.
        header: the ``X-ZEvent-Signature`` header value, if any.
        app_id: our app id.
        oa_secret_key: our OA secret key.
        max_age_seconds: oldest acceptable body ``timestamp``.
        now: current epoch seconds (tests pass a fixed time).

    Returns:
        The verdict; the comparison is constant-time.
    """
    supplied = _header_mac(header)
    timestamp = str(payload.get("timestamp") or "")
    if not supplied or not timestamp:
        return Verdict("missing")
    expected = compute_signature(app_id, raw_body, timestamp, oa_secret_key)
    if not hmac.compare_digest(supplied.lower().encode(), expected.encode()):
        return Verdict("invalid")
    if str(payload.get("app_id") or "") != app_id:
        return Verdict("wrong_app")
    if _stale(timestamp, max_age_seconds, time.time() if now is None else now):
        return Verdict("stale")
    return Verdict("ok")


def _header_mac(header: str | None) -> str:
    value = (header or "").strip()
    if value.lower().startswith("mac="):
        value = value[4:].strip()
    return value


def _stale(timestamp: str, max_age_seconds: float, now: float) -> bool:
    try:
        sent = int(timestamp) / 1000.0
    except ValueError:
        return True
    return now - sent > max_age_seconds or sent - now > FUTURE_SKEW_SECONDS
