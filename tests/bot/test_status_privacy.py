"""Receipt codes of other people's dossiers: no note, and throttled (issue 17, item 9)."""

from __future__ import annotations

import time

import pytest

from backend_client.models import StatusChange
from bot.actions import intake_access
from bot.actions.intake_access import DossierNotFound, DossierStatus
from bot.actions.status import MAX_FOREIGN_LOOKUPS, ActionCheckStatus
from tests.bot.conftest import make_tracker, texts

pytestmark = pytest.mark.usefixtures("real_catalog")
CARD = "cap_lai_the_bhyt"
OTHER = DossierStatus(
    "HS-7K3M-9Q2P", CARD, "needs_info", "Cần bổ sung thông tin",
    (StatusChange("needs_info", "2026-03-01T01:30:00+00:00", "canbo", "Ảnh CCCD của bà Lan."),),
)


@pytest.fixture
def intake(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    async def dossier(code: str) -> DossierStatus:
        asked.append(code)
        if code != OTHER.receipt_code:
            raise DossierNotFound(code)
        return OTHER

    async def dossiers(sender_id: str, channel: str) -> list[DossierStatus]:
        return []  # this conversation filed nothing

    monkeypatch.setattr(intake_access, "dossier", dossier)
    monkeypatch.setattr(intake_access, "dossiers", dossiers)
    return asked


async def test_another_conversations_dossier_shows_its_status_but_never_the_note(
    dispatcher, intake
):
    tracker = make_tracker("hồ sơ HS-7K3M-9Q2P đến đâu rồi", "check_status")
    await ActionCheckStatus().run(dispatcher, tracker, {})
    said = texts(dispatcher)[0]
    assert "Cần bổ sung thông tin" in said
    assert "Ảnh CCCD của bà Lan" not in said and "Cập nhật lúc" not in said


async def test_random_codes_are_throttled_after_a_few(dispatcher, intake):
    now = time.time()
    typed = [
        {"event": "user", "text": f"HS-AB{n:02d}-CD{n:02d}", "timestamp": now - 60 + n}
        for n in range(MAX_FOREIGN_LOOKUPS)
    ]
    tracker = make_tracker("HS-7K3M-9Q2P", "check_status", history=typed)
    await ActionCheckStatus().run(dispatcher, tracker, {})
    assert "tạm dừng tra cứu" in texts(dispatcher)[0]
    assert "Ảnh CCCD" not in texts(dispatcher)[0]
    assert intake == []  # the intake was not even asked


async def test_old_lookups_no_longer_count(dispatcher, intake):
    old = [
        {"event": "user", "text": f"HS-AB{n:02d}-CD{n:02d}", "timestamp": time.time() - 7200}
        for n in range(10)
    ]
    tracker = make_tracker("HS-7K3M-9Q2P", "check_status", history=old)
    await ActionCheckStatus().run(dispatcher, tracker, {})
    assert "Cần bổ sung thông tin" in texts(dispatcher)[0]


