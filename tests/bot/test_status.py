"""Dossiers already sent: status lookups, events pushed by the intake service, later photos."""

from __future__ import annotations

from typing import Any

import pytest

from backend_client import StatusChange
from bot.actions import attachments, intake_access
from bot.actions.fallback import ActionFallback
from bot.actions.intake_access import DossierNotFound, DossierStatus, IntakeUnavailable
from bot.actions.menu import ActionInform
from bot.actions.render_status import receipt_code_in
from bot.actions.status import ActionCheckStatus, ActionIntakeEvent
from tests.bot.conftest import buttons, events_as_dict, make_tracker, texts

CARD = "cap_lai_the_bhyt"


pytestmark = pytest.mark.usefixtures("real_catalog")


def status(code: str, state: str, label: str, note: str | None = None) -> DossierStatus:
    history = (StatusChange(state, "2026-03-01T01:30:00+00:00", "canbo", note),)
    return DossierStatus(code, CARD, state, label, history)


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    known = {
        "HS-7K3M-9Q2P": status("HS-7K3M-9Q2P", "needs_info", "Cần bổ sung thông tin", "Ảnh CCCD."),
        "HS-AAAA-BBBB": status("HS-AAAA-BBBB", "received", "Đã tiếp nhận"),
    }
    calls: dict[str, Any] = {"list": [], "down": False}

    async def dossier(code: str) -> DossierStatus:
        if calls["down"]:
            raise IntakeUnavailable("down")
        if code not in known:
            raise DossierNotFound(code)
        return known[code]

    async def dossiers(sender_id: str, channel: str) -> list[DossierStatus]:
        if calls["down"]:
            raise IntakeUnavailable("down")
        calls["list"].append((sender_id, channel))
        return list(known.values())

    monkeypatch.setattr(intake_access, "dossier", dossier)
    monkeypatch.setattr(intake_access, "dossiers", dossiers)
    return calls


def test_receipt_codes_are_read_in_any_case_and_spacing():
    assert receipt_code_in("hs 7k3m 9q2p") == "HS-7K3M-9Q2P"
    assert receipt_code_in("mã của tôi là HS-7K3M-9Q2P ạ") == "HS-7K3M-9Q2P"
    assert receipt_code_in("hồ sơ của tôi đến đâu rồi") is None


async def test_a_code_typed_gives_that_dossier_with_the_officers_note(dispatcher, lookups):
    tracker = make_tracker("hồ sơ HS-7K3M-9Q2P đến đâu rồi", "check_status")
    await ActionCheckStatus().run(dispatcher, tracker, {})
    text = texts(dispatcher)[0]
    assert text.startswith("Hồ sơ HS-7K3M-9Q2P (Cấp lại, đổi thẻ BHYT): Cần bổ sung thông tin.")
    assert "Cập nhật lúc 08:30 ngày 01/03/2026." in text  # Vietnam time
    assert "Ghi chú của cán bộ: Ảnh CCCD." in text
    assert "Gặp nhân viên" in [b["title"] for b in buttons(dispatcher)]


async def test_without_a_code_the_conversations_dossiers(dispatcher, lookups):
    queued = [{"dossier_id": "d-9", "procedure_id": "huong_bhxh_mot_lan"}]
    tracker = make_tracker(
        "hồ sơ của tôi đến đâu rồi", "check_status", slots={"submission_queued": queued}
    )
    await ActionCheckStatus().run(dispatcher, tracker, {})
    text = texts(dispatcher)[0]
    assert "• HS-7K3M-9Q2P – Cấp lại, đổi thẻ BHYT: Cần bổ sung thông tin" in text
    assert "• HS-AAAA-BBBB – Cấp lại, đổi thẻ BHYT: Đã tiếp nhận" in text
    assert "BHXH một lần: đang chờ gửi" in text
    assert lookups["list"] == [("test-user", "rest")]


async def test_an_unknown_code_and_a_lookup_failure_are_said_politely(dispatcher, lookups):
    await ActionCheckStatus().run(dispatcher, make_tracker("HS-ZZZZ-ZZZZ", "check_status"), {})
    assert "không tìm thấy hồ sơ có mã HS-ZZZZ-ZZZZ" in texts(dispatcher)[0]
    lookups["down"] = True
    await ActionCheckStatus().run(dispatcher, make_tracker("đến đâu rồi", "check_status"), {})
    assert "tạm gián đoạn" in texts(dispatcher)[1]
    assert "1900 9068" in texts(dispatcher)[1]


async def test_a_code_typed_alone_is_not_a_misunderstanding(dispatcher, lookups):
    tracker = make_tracker("HS-AAAA-BBBB", "nlu_fallback")
    events = events_as_dict(await ActionFallback().run(dispatcher, tracker, {}))
    assert "HS-AAAA-BBBB" in texts(dispatcher)[0]
    assert events == {"offer_human": False}


def external(**values: Any):
    return make_tracker("EXTERNAL: EXTERNAL_intake_event", "EXTERNAL_intake_event", values)


async def test_a_status_change_is_told_with_the_note_and_what_to_do(dispatcher):
    tracker = external(
        event="status_changed",
        receipt_code="HS-7K3M-9Q2P",
        procedure_id=CARD,
        status="needs_info",
        status_label="Cần bổ sung thông tin",
        note="Ông/bà gửi thêm ảnh CCCD mặt sau.",
    )
    events = events_as_dict(await ActionIntakeEvent().run(dispatcher, tracker, {}))
    text = texts(dispatcher)[0]
    assert text.startswith(
        "Hồ sơ HS-7K3M-9Q2P (Cấp lại, đổi thẻ BHYT) vừa được cập nhật: Cần bổ sung thông tin."
    )
    assert "gửi ảnh giấy tờ bổ sung ngay tại đây" in text
    assert events == {"submission_receipt": "HS-7K3M-9Q2P"}  # later photos go to it


async def test_the_receipt_of_a_queued_dossier_is_told_and_its_photos_attached(
    dispatcher, monkeypatch
):
    sent: list[Any] = []

    async def upload_all(code: str, files: list[Any]) -> attachments.Uploaded:
        sent.append((code, files))
        return attachments.Uploaded(1, 0)

    monkeypatch.setattr(attachments, "upload_all", upload_all)
    photo = {"kind": "image", "url": "https://cdn.example/a.jpg", "document": "so_bhxh"}
    queued = [
        {
            "dossier_id": "d-1",
            "procedure_id": "huong_bhxh_mot_lan",
            "attachments": [photo],
            "paper": ["so_bhxh"],
        },
        {"dossier_id": "d-2", "procedure_id": CARD, "attachments": [], "paper": []},
    ]
    tracker = external(event="dossier_delivered", dossier_id="d-1", receipt_code="HS-7K3M-9Q2P")
    tracker.slots["submission_queued"] = queued
    events = events_as_dict(await ActionIntakeEvent().run(dispatcher, tracker, {}))
    said = "\n".join(texts(dispatcher))
    assert "hoạt động lại" in said
    assert "Mã hồ sơ: HS-7K3M-9Q2P" in said
    assert "Sổ bảo hiểm xã hội (bản chính)" in said
    assert "07 ngày làm việc" in said
    assert sent == [("HS-7K3M-9Q2P", [photo])]
    assert events["submission_queued"] == [queued[1]]
    assert events["submission_receipt"] == "HS-7K3M-9Q2P"


async def test_a_queued_dossier_refused_later_is_explained(dispatcher):
    queued = [{"dossier_id": "d-1", "procedure_id": CARD, "attachments": [], "paper": []}]
    tracker = external(
        event="dossier_rejected",
        dossier_id="d-1",
        message="fields.so_cccd: Số CCCD cần đủ 12 chữ số. Ví dụ: 001185001234.",
    )
    tracker.slots["submission_queued"] = queued
    events = events_as_dict(await ActionIntakeEvent().run(dispatcher, tracker, {}))
    text = texts(dispatcher)[0]
    assert "Số CCCD cần đủ 12 chữ số" in text
    assert "fields." not in text
    assert [b["title"] for b in buttons(dispatcher)] == ["Nộp lại hồ sơ", "Gặp nhân viên"]
    assert events == {"submission_queued": []}


async def test_other_events_say_nothing_here(dispatcher):
    events = await ActionIntakeEvent().run(dispatcher, external(event="handoff_claimed"), {})
    assert events == [] and dispatcher.messages == []


async def test_photos_after_a_submission_go_to_that_dossier(dispatcher, monkeypatch):
    sent: list[Any] = []

    async def upload_all(code: str, files: list[Any]) -> attachments.Uploaded:
        sent.append((code, files))
        return attachments.Uploaded(1, 0)

    monkeypatch.setattr(attachments, "upload_all", upload_all)
    tracker = make_tracker("/inform", "inform", slots={"submission_receipt": "HS-7K3M-9Q2P"})
    tracker.latest_message["metadata"] = {
        "attachments": [{"type": "image", "url": "https://x.example/1.png"}]
    }
    await ActionInform().run(dispatcher, tracker, {})
    assert sent[0][0] == "HS-7K3M-9Q2P"
    assert texts(dispatcher) == ["Tôi đã đính kèm 1 ảnh/tệp vào hồ sơ."]


async def test_photos_before_any_dossier_are_kept_for_it(dispatcher):
    tracker = make_tracker("/inform", "inform")
    tracker.latest_message["metadata"] = {"attachments": [{"type": "file", "file_id": "abc"}]}
    events = events_as_dict(await ActionInform().run(dispatcher, tracker, {}))
    assert events["submission_attachments"][0]["kind"] == "file"
    assert "Khi ông/bà nộp hồ sơ" in texts(dispatcher)[0]
