"""Sending the confirmed dossier: receipt, queue during an outage, values refused by the intake."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from backend_client import IntakeClient, Outbox
from bot.actions import attachments, intake_access
from bot.actions.submit import ActionSubmitDossier
from tests.bot.conftest import (
    PENSION,
    PENSION_FIELDS,
    PENSION_TO_BANK,
    events_as_dict,
    make_tracker,
    texts,
)

BULK = "huong_bhxh_mot_lan"
pytestmark = pytest.mark.usefixtures("real_catalog")
PHOTO = {
    "kind": "image",
    "url": "https://cdn.example/a.jpg",
    "name": None,
    "mime_type": None,
    "document": "van_ban_de_nghi",
}



class FakeIntake:
    """Answers like the intake service: up, down, or refusing a field."""

    def __init__(self) -> None:
        self.mode = "up"
        self.bodies: list[dict[str, Any]] = []
        self.keys: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.mode == "down":
            raise httpx.ConnectError("connection refused")
        body = json.loads(request.content)
        self.bodies.append(body)
        self.keys.append(request.headers["Idempotency-Key"])
        if self.mode == "refuse":
            detail = [{"field": "fields.so_cccd", "message": "Số CCCD không đúng. Ví dụ: 1."}]
            return httpx.Response(422, json={"detail": detail})
        return httpx.Response(
            201,
            json={
                "receipt_code": "HS-7K3M-9Q2P",
                "status": "received",
                "procedure_id": body["procedure_id"],
                "processing_time": "05 ngày làm việc kể từ ngày cơ quan BHXH nhận đủ hồ sơ",
            },
        )


@pytest.fixture
def intake(monkeypatch: pytest.MonkeyPatch, tmp_path) -> FakeIntake:
    fake = FakeIntake()
    outbox = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}")

    async def no_sleep(_: float) -> None:
        return None

    @asynccontextmanager
    async def client() -> AsyncIterator[IntakeClient]:
        transport = httpx.MockTransport(fake.handler)
        opened = IntakeClient(
            "http://intake", "key", retries=1, transport=transport, sleep=no_sleep
        )
        try:
            yield opened
        finally:
            await opened.aclose()

    monkeypatch.setattr(intake_access, "open_client", client)
    monkeypatch.setattr(intake_access, "open_outbox", lambda: outbox)
    return fake


@pytest.fixture
def uploads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    calls: list[tuple[str, list[Any]]] = []

    async def upload_all(code: str, files: list[Any]) -> attachments.Uploaded:
        calls.append((code, files))
        return attachments.Uploaded(attached=len(files), failed=0)

    monkeypatch.setattr(attachments, "upload_all", upload_all)
    return calls


def confirmed(**more: Any):
    slots = {
        "submission_procedure": PENSION,
        "eligibility_answers": {PENSION: dict(PENSION_TO_BANK)},
        "submission_fields": dict(PENSION_FIELDS),
        "submission_dossier_id": "dossier-1",
        "submission_confirmed": True,
        "submission_attachments": [dict(PHOTO)],
        **more,
    }
    return make_tracker("/inform", "inform", slots=slots)


async def test_the_receipt_says_code_time_originals_and_how_to_follow(dispatcher, intake, uploads):
    events = events_as_dict(await ActionSubmitDossier().run(dispatcher, confirmed(), {}))
    receipt = texts(dispatcher)[0]
    assert "Mã hồ sơ: HS-7K3M-9Q2P" in receipt
    assert "05 ngày làm việc" in receipt
    assert "Văn bản đề nghị thay đổi hình thức nhận" in receipt  # an original on paper
    assert "Hồ sơ của tôi đến đâu rồi?" in receipt
    assert "Tôi đã đính kèm 1 ảnh/tệp vào hồ sơ." in texts(dispatcher)
    assert uploads == [("HS-7K3M-9Q2P", [PHOTO])]
    assert events["submission_outcome"] == "sent"
    assert events["submission_receipt"] == "HS-7K3M-9Q2P"
    assert events["submission_fields"] == {} and events["submission_dossier_id"] is None
    sent = intake.bodies[0]
    assert intake.keys == ["dossier-1"]  # the dossier id is the Idempotency-Key
    assert sent["channel"] == "rest" and sent["sender_id"] == "test-user"
    assert "chi_nhanh_ngan_hang" not in sent["fields"]  # skipped: not sent
    assert sent["fields"]["so_cccd"] == "056160001234"
    assert sent["answers"] == PENSION_TO_BANK


async def test_intake_down_the_dossier_is_queued_and_the_citizen_told(dispatcher, intake, uploads):
    intake.mode = "down"
    events = events_as_dict(await ActionSubmitDossier().run(dispatcher, confirmed(), {}))
    assert (
        "đã được lưu và sẽ gửi ngay khi hệ thống tiếp nhận hoạt động lại" in texts(dispatcher)[0]
    )
    assert "HS-" not in texts(dispatcher)[0]
    assert events["submission_outcome"] == "sent"
    [entry] = events["submission_queued"]
    assert entry["dossier_id"] == "dossier-1"
    assert entry["attachments"] == [PHOTO]  # attached when the receipt comes
    assert entry["paper"] == ["van_ban_de_nghi"]
    assert uploads == []
    pending = intake_access.open_outbox().get("dossier-1")
    assert pending is not None and pending.state == "pending"


async def test_refused_values_are_forgotten_to_be_asked_again(dispatcher, intake, uploads):
    intake.mode = "refuse"
    events = events_as_dict(await ActionSubmitDossier().run(dispatcher, confirmed(), {}))
    assert "Số CCCD: Số CCCD không đúng" in texts(dispatcher)[0]
    assert events["submission_outcome"] == "refused"
    assert "so_cccd" not in events["submission_fields"]
    assert events["submission_fields"]["ho_ten"] == "Nguyễn Văn Bình"
    assert events["submission_dossier_id"] not in (None, "dossier-1")  # nothing was created
    assert events["submission_confirmed"] is False


async def test_not_eligible_nothing_is_sent_and_the_verdict_is_said(dispatcher, intake):
    tracker = confirmed(
        submission_confirmed=False, eligibility_answers={PENSION: {"dang_huong": False}}
    )
    events = events_as_dict(await ActionSubmitDossier().run(dispatcher, tracker, {}))
    assert "chưa thể nộp" in texts(dispatcher)[0]
    assert "Chưa đủ điều kiện" in texts(dispatcher)[1]
    assert "dành cho người đang hưởng lương hưu" in texts(dispatcher)[1]
    assert events["submission_outcome"] == "stopped"
    assert intake.bodies == []


async def test_a_second_send_of_the_same_dossier_uses_the_same_key(dispatcher, intake, uploads):
    await ActionSubmitDossier().run(dispatcher, confirmed(submission_attachments=[]), {})
    await ActionSubmitDossier().run(dispatcher, confirmed(submission_attachments=[]), {})
    assert intake.keys == ["dossier-1", "dossier-1"]


async def test_bulk_payment_documents_follow_the_reason(dispatcher, intake, uploads):
    answers = {
        "tinh_trang_dong": "da_dung",
        "ly_do": "nghi_viec",
        "ngay_bat_dau_dong": "2012-03-01",
        "ngay_dung_dong": "2025-01-01",
        "so_nam_dong": 12,
    }
    fields = {
        "ho_ten": "Trần Thị Lan",
        "ngay_sinh_nguoi_de_nghi": "1975-08-20",
        "so_cccd": "056175001234",
        "ma_so_bhxh": "7912345678",
        "so_dien_thoai": "0912345678",
        "tinh_nop_ho_so": "TP Đà Nẵng",
        "dia_chi": None,
        "hinh_thuc_nhan": "tien_mat",
    }
    tracker = confirmed(
        submission_procedure=BULK,
        eligibility_answers={BULK: answers},
        submission_fields=fields,
        submission_attachments=[],
    )
    await ActionSubmitDossier().run(dispatcher, tracker, {})
    receipt = texts(dispatcher)[0]
    assert "Sổ bảo hiểm xã hội (bản chính)" in receipt
    assert "thị thực" not in receipt.lower()  # emigration papers only for emigration
    assert intake.bodies[0]["fields"] == {k: v for k, v in fields.items() if v is not None}
