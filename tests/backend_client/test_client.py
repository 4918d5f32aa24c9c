import json

import httpx
import pytest

from backend_client import (
    DossierNotFound,
    DossierSubmission,
    IntakeConflict,
    IntakeProtocolError,
    IntakeRejected,
    IntakeUnavailable,
)
from tests.backend_client.conftest import Recorder


def submission(dossier_id: str = "d-1") -> DossierSubmission:
    return DossierSubmission(
        dossier_id=dossier_id,
        procedure_id="doi_hinh_thuc_nhan_luong_huu",
        channel="rest",
        sender_id="u1",
        fields={"so_cccd": "056160001234"},
    )


RECEIPT = {"receipt_code": "HS-7K3M-9Q2P", "status": "received", "procedure_id": "x"}


async def test_submit_sends_the_dossier_id_as_idempotency_key_and_the_api_key():
    rec = Recorder(httpx.Response(201, json=RECEIPT))
    async with rec.client() as intake:
        receipt = await intake.submit(submission("dossier-42"))
    assert receipt.receipt_code == "HS-7K3M-9Q2P"
    sent = rec.requests[0]
    assert sent.headers["Idempotency-Key"] == "dossier-42"
    assert sent.headers["X-API-Key"] == "key-123"
    assert json.loads(sent.content)["fields"] == {"so_cccd": "056160001234"}


async def test_submit_retries_server_errors_and_timeouts_with_growing_backoff():
    rec = Recorder(
        httpx.Response(503),
        httpx.ReadTimeout("slow"),
        httpx.Response(502),
        httpx.Response(201, json=RECEIPT),
    )
    async with rec.client(retries=3) as intake:
        receipt = await intake.submit(submission())
    assert receipt.status == "received"
    assert len(rec.requests) == 4
    assert len(rec.delays) == 3
    assert all(0 <= d <= 0.5 * 2**i for i, d in enumerate(rec.delays))
    assert {r.headers["Idempotency-Key"] for r in rec.requests} == {"d-1"}


async def test_submit_gives_up_as_unavailable_after_the_retries():
    rec = Recorder(*(httpx.ConnectError("down") for _ in range(3)))
    async with rec.client(retries=2) as intake:
        with pytest.raises(IntakeUnavailable):
            await intake.submit(submission())
    assert len(rec.requests) == 3


async def test_validation_errors_come_back_per_field_in_vietnamese():
    detail = [{"field": "so_cccd", "message": "Số CCCD cần đủ 12 chữ số. Ví dụ: 056160001234."}]
    rec = Recorder(httpx.Response(422, json={"detail": detail}))
    async with rec.client() as intake:
        with pytest.raises(IntakeRejected) as caught:
            await intake.submit(submission())
    assert caught.value.errors[0].field == "so_cccd"
    assert "12 chữ số" in caught.value.errors[0].message
    assert len(rec.requests) == 1


async def test_reused_key_with_other_data_is_a_conflict_and_not_retried():
    rec = Recorder(httpx.Response(409, json={"detail": "conflict"}))
    async with rec.client() as intake:
        with pytest.raises(IntakeConflict):
            await intake.submit(submission())
    assert len(rec.requests) == 1


async def test_unknown_receipt_code_is_not_found_and_bad_key_is_a_protocol_error():
    rec = Recorder(httpx.Response(404, json={"detail": "x"}), httpx.Response(401))
    async with rec.client() as intake:
        with pytest.raises(DossierNotFound):
            await intake.get_dossier("HS-XXXX-XXXX")
        with pytest.raises(IntakeProtocolError):
            await intake.get_dossier("HS-XXXX-XXXX")


async def test_get_dossier_reads_status_and_history():
    body = {
        "receipt_code": "HS-7K3M-9Q2P",
        "procedure_id": "cap_lai_the_bhyt",
        "status": "in_review",
        "status_label": "Đang xem xét",
        "history": [
            {"status": "received", "at": "2026-11-22T03:00:00Z", "actor": "bot", "note": None},
            {"status": "in_review", "at": "2026-11-22T04:00:00Z", "actor": "canbo1"},
        ],
    }
    rec = Recorder(httpx.Response(200, json=body))
    async with rec.client() as intake:
        status = await intake.get_dossier("HS-7K3M-9Q2P")
    assert status.status_label == "Đang xem xét"
    assert [h.status for h in status.history] == ["received", "in_review"]


def test_clients_share_one_tls_context_that_still_checks_certificates():
    import ssl

    from backend_client.client import shared_tls_context

    context = shared_tls_context()
    assert shared_tls_context() is context  # built once per process, not per action
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
