"""The real server process: bootstrap + serve, signed webhook to a real HTTP endpoint, logs."""

from __future__ import annotations

import time
import uuid

import httpx

from .conftest import ADMIN, API_KEY, LiveServer, make_payload


def test_status_change_reaches_the_bot_signed_and_logs_hold_no_identifiers(
    live_server: LiveServer,
) -> None:
    payload = make_payload(channel="telegram", sender_id="telegram:777")
    cccd = payload["fields"]["so_cccd"]
    headers = {"X-API-Key": API_KEY, "Idempotency-Key": uuid.uuid4().hex}
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        created = client.post("/api/v1/dossiers", json=payload, headers=headers)
        assert created.status_code == 201, created.text
        code = created.json()["receipt_code"]
        # Staff search by CCCD (the number travels in the query string of the access log).
        assert (
            client.get("/api/v1/dossiers", params={"sender_id": cccd}, headers=headers).status_code
            == 200
        )
        changed = client.post(
            f"/api/v1/dossiers/{code}/status",
            json={"status": "in_review", "note": f"Đã đối chiếu CCCD {cccd}"},
            auth=ADMIN,
        )
        assert changed.status_code == 200, changed.text
    deadline = time.monotonic() + 10
    while not live_server.bot.received and time.monotonic() < deadline:
        time.sleep(0.05)
    event = live_server.bot.received[-1]
    assert live_server.bot.bad_signatures == 0
    assert (event["receipt_code"], event["status"]) == (code, "in_review")
    assert (event["channel"], event["sender_id"]) == ("telegram", "telegram:777")
    time.sleep(0.3)
    log = live_server.log()
    assert "GET /api/v1/dossiers" in log  # the access log is on …
    assert cccd not in log  # … and masks the identifier
