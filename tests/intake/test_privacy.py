"""Personal data in the intake (issue 17): consent kept, encryption at rest, erasure, retention."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bhxh_catalog.privacy import RetentionPeriods
from intake_service.crypto import DataCipher, install_cipher, new_data_key
from intake_service.db import Database
from intake_service.models import (
    AuditEntry,
    CallbackRequest,
    Handoff,
    HandoffMessage,
    Rating,
    WebhookDelivery,
    utcnow,
)
from intake_service.privacy import RetentionWorker, purge_expired
from intake_service.reencrypt import reencrypt_all

from .conftest import (
    API_KEY,
    DATA_KEYS,
    STAFF,
    bot_headers,
    build_client,
    make_settings,
    submit,
)
from .test_console import csrf_of, login

CONSENT = {
    "status": "given",
    "version": "2026-12-1",
    "at": "2026-03-01T01:00:00+00:00",
    "channel": "zalo",
    "how": "button",
    "notice_sha256": "a" * 64,
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def app_client(tmp_path: Path) -> Any:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    from .conftest import prepare_database

    prepare_database(url)
    with build_client(make_settings(tmp_path, url)) as client:
        yield client, url, tmp_path


def test_the_consent_is_kept_with_the_dossier(app_client):
    client, _, _ = app_client
    code = submit(client, consent=CONSENT)["receipt_code"]
    got = client.get(f"/api/v1/dossiers/{code}", headers={"X-API-Key": API_KEY}).json()
    assert got["consent"]["status"] == "given"
    assert got["consent"]["version"] == "2026-12-1"
    bad = client.post("/api/v1/dossiers", headers=bot_headers(),
                      json={"procedure_id": "huong_bhxh_mot_lan", "channel": "zalo",
                            "sender_id": "zalo:1", "fields": {}, "consent": {"status": "maybe"}})
    assert bad.status_code == 422


def test_identity_and_bank_fields_and_files_are_encrypted_at_rest(app_client):
    client, url, tmp = app_client
    sent = submit(client, consent=CONSENT, fields={"so_dien_thoai": "0987654321"})
    code = sent["receipt_code"]
    uploaded = client.post(f"/api/v1/dossiers/{code}/attachments",
                           headers={"X-API-Key": API_KEY},
                           files={"file": ("cccd.png", PNG, "image/png")})
    assert uploaded.status_code == 201, uploaded.text
    raw = sqlite3.connect(url.split("///", 1)[1]).execute(
        "SELECT fields, consent FROM dossiers WHERE receipt_code = ?", (code,)
    ).fetchone()
    assert "0987654321" not in raw[0] and "Nguyễn" not in raw[0]
    assert json.loads(raw[0])["enc"] == "fernet1"
    assert "2026-12-1" not in raw[1]
    stored = [p for p in (tmp / "attachments").rglob("*") if p.is_file()]
    assert stored and all(b"\x89PNG" not in p.read_bytes() for p in stored)
    assert oct(stored[0].stat().st_mode & 0o777) == "0o600"
    back = client.get(uploaded.json()["url"], headers={"X-API-Key": API_KEY})
    assert back.content == PNG
    shown = client.get(f"/api/v1/dossiers/{code}", headers={"X-API-Key": API_KEY}).json()
    assert shown["fields"]["so_dien_thoai"] == "0987654321"


def test_a_rotated_key_reads_old_rows_and_reencrypt_moves_them(app_client):
    client, url, tmp = app_client
    code = submit(client, consent=CONSENT)["receipt_code"]
    client.post(f"/api/v1/dossiers/{code}/attachments", headers={"X-API-Key": API_KEY},
                files={"file": ("a.png", PNG, "image/png")})
    new = new_data_key()
    rotated = DataCipher.from_setting(f"{new},{DATA_KEYS}")
    install_cipher(rotated)
    db = Database(url)
    try:
        rows, files = reencrypt_all(db, tmp / "attachments", rotated)
        assert rows >= 1 and files == 1
        install_cipher(DataCipher.from_setting(new))  # the old key is gone
        with db.session() as session:
            from intake_service.models import Dossier

            dossier = session.scalar(select(Dossier).where(Dossier.receipt_code == code))
            assert dossier is not None and dossier.fields["ho_ten"] == "Nguyễn Văn An"
        stored = next(p for p in (tmp / "attachments").rglob("*") if p.is_file())
        assert DataCipher.from_setting(new).decrypt_file(stored.read_bytes()) == PNG
    finally:
        install_cipher(DataCipher.from_setting(DATA_KEYS))
        db.dispose()


def _conversation_data(url: str, sender: str) -> None:
    db = Database(url)
    now = utcnow()
    try:
        with db.transaction() as session:
            handoff = Handoff(channel="zalo", sender_id=sender, reason="asked", status="closed",
                              expires_at=now, closed_at=now)
            handoff.messages.append(HandoffMessage(author="citizen", text="CCCD 056160001234"))
            session.add(handoff)
            session.add(CallbackRequest(channel="zalo", sender_id=sender, phone="0912345678"))
            session.add(Rating(channel="zalo", sender_id=sender, score=4, comment="tốt lắm"))
    finally:
        db.dispose()


def test_the_bot_erases_a_conversation_and_the_filed_dossiers_stay(app_client):
    client, url, _ = app_client
    sender = "zalo:48213377"
    code = submit(client, channel="zalo", sender_id=sender, consent=CONSENT)["receipt_code"]
    _conversation_data(url, sender)
    _conversation_data(url, "zalo:someone-else")
    answer = client.post("/api/v1/privacy/erasures", headers={"X-API-Key": API_KEY},
                         json={"channel": "zalo", "sender_id": sender})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kept_dossiers"] == [code]
    assert (body["handoffs"], body["callbacks"], body["ratings"]) == (1, 1, 1)
    db = Database(url)
    try:
        with db.session() as session:
            senders = set(session.scalars(select(Handoff.sender_id)))
            assert senders == {"zalo:someone-else"}
            texts = list(session.scalars(select(HandoffMessage.text)))
            assert texts == ["CCCD 056160001234"]  # only the other conversation's
            ratings = list(session.execute(select(Rating.sender_id, Rating.comment, Rating.score)))
            assert ("erased", "", 4) in ratings
            entry = session.scalar(
                select(AuditEntry).where(AuditEntry.action == "privacy_erasure")
            )
            assert entry is not None and entry.target == "zalo:…3377" and entry.actor == "bot"
            assert "48213377" not in entry.target
    finally:
        db.dispose()
    kept = client.get(f"/api/v1/dossiers/{code}", headers={"X-API-Key": API_KEY})
    assert kept.status_code == 200


def test_staff_erase_from_the_console_audited_and_the_bot_is_told(app_client):
    client, url, _ = app_client
    sender = "telegram:777000111"
    code = submit(client, channel="telegram", sender_id=sender)["receipt_code"]
    token = login(client, STAFF)
    page = client.get(f"/console/privacy?code={code}")
    assert 'value="telegram:777000111"' in page.text
    refused = client.post("/console/privacy", data={"channel": "telegram", "sender_id": sender,
                                                     "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422  # not confirmed
    done = client.post("/console/privacy", data={"channel": "telegram", "sender_id": sender,
                                                  "confirm": "yes", "csrf_token": token})
    assert done.status_code == 200 and code in done.text
    db = Database(url)
    try:
        with db.session() as session:
            event = session.scalar(
                select(WebhookDelivery).where(WebhookDelivery.event == "erase_conversation")
            )
            assert event is not None and json.loads(event.payload)["sender_id"] == sender
            actors = list(session.scalars(
                select(AuditEntry.actor).where(AuditEntry.action == "privacy_erasure")))
            assert actors == [STAFF[0]]
    finally:
        db.dispose()
    staff_api = client.post("/api/v1/privacy/erasures", auth=STAFF,
                            json={"channel": "telegram", "sender_id": sender})
    assert staff_api.status_code == 403


def test_retention_removes_what_is_past_its_period(app_client):
    _, url, _ = app_client
    db = Database(url)
    now = utcnow()
    old, recent = now - timedelta(days=200), now - timedelta(days=1)
    try:
        with db.transaction() as session:
            for closed in (old, recent):
                session.add(Handoff(channel="zalo", sender_id=f"zalo:{closed.day}", reason="asked",
                                    status="closed", expires_at=closed, closed_at=closed))
            for created in (now - timedelta(days=40), recent):
                session.add(WebhookDelivery(event_id=f"e-{created.timestamp()}",
                                            event="status_changed", payload="{}",
                                            state="delivered", created_at=created))
        purged = RetentionWorker(db, RetentionPeriods()).run_once(now)
        assert (purged.handoffs, purged.notifications) == (1, 1)
        with db.session() as session:
            assert [h.closed_at for h in session.scalars(select(Handoff))] == [recent]
            assert session.scalar(
                select(AuditEntry).where(AuditEntry.action == "retention_purge")) is not None
        with db.transaction() as session:
            assert purge_expired(session, RetentionPeriods(), now).total() == 0
    finally:
        db.dispose()


def test_the_full_notice_is_public(app_client):
    client, _, _ = app_client
    fresh = TestClient(client.app, base_url="http://testserver")
    page = fresh.get("/privacy")
    assert page.status_code == 200
    for words in ("Ai xử lý dữ liệu", "Thời hạn lưu", "90 ngày", "Quyền của ông/bà",
                  "Nghị định 13/2023/NĐ-CP", "91/2025/QH15"):
        assert words in page.text, words
