"""Replay protection of the intake service's signed events (issue 17, item 6).

The signature (``X-Intake-Signature``, HMAC-SHA256 of the raw body) proves who sent an event, not
when: a captured request could be posted again, and its ``X-Intake-Event-Id`` header (outside the
signature) changed to pass the de-duplication. So the bot trusts only what the signature
covers:

* ``sent_at`` inside the body (the intake sets it for every attempt): an event sent more than
  ``INTAKE_EVENT_MAX_AGE_SECONDS`` (300) away from this server's clock is refused (403);
* ``event_id`` inside the body is the de-duplication key (the header is ignored).

The route ``/webhooks/intake/events`` is also not reachable from outside (deploy/nginx,
deploy/kubernetes).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timezone

__all__ = ["DEFAULT_MAX_AGE_SECONDS", "event_key", "freshness_problem", "max_age_seconds"]

DEFAULT_MAX_AGE_SECONDS = 300.0
MAX_AGE_ENV = "INTAKE_EVENT_MAX_AGE_SECONDS"


def max_age_seconds(environ: Mapping[str, str] | None = None) -> float:
    """``$INTAKE_EVENT_MAX_AGE_SECONDS`` (300)."""
    env = os.environ if environ is None else environ
    return float(env.get(MAX_AGE_ENV, "") or DEFAULT_MAX_AGE_SECONDS)


def freshness_problem(event: Mapping[str, object], now: float, max_age: float) -> str | None:
    """Why a signed event is refused as stale or undated, or None when it is fresh."""
    sent = event.get("sent_at")
    if not isinstance(sent, str):
        return "sent_at is missing"
    try:
        moment = datetime.fromisoformat(sent)
    except ValueError:
        return "sent_at is not an ISO 8601 time"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if abs(now - moment.timestamp()) > max_age:
        return "sent_at is too old (or in the future)"
    return None


def event_key(event: Mapping[str, object], body_digest: str) -> str:
    """The de-duplication key: the signed body's ``event_id`` (its digest when absent)."""
    event_id = event.get("event_id")
    return str(event_id) if isinstance(event_id, str) and event_id else body_digest
