""""Xóa dữ liệu của tôi": confirmed, the intake erases its part, then the Rasa server (marker)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.actions import intake_access
from bot.actions.privacy import ERASE_MARKER, ActionEraseMyData
from connectors.common import erasure
from tests.bot.conftest import buttons, events_as_dict, make_tracker, texts


@pytest.fixture
def erased(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []

    async def erase(channel: str, sender_id: str) -> list[str]:
        calls.append((channel, sender_id))
        return ["HS-7K3M-9Q2P"]

    monkeypatch.setattr(intake_access, "erase_conversation", erase)
    return calls


async def test_erasure_is_confirmed_first(dispatcher, erased):
    tracker = make_tracker("xóa dữ liệu của tôi", "erase_my_data")
    events = await ActionEraseMyData().run(dispatcher, tracker, {})
    assert "không hoàn tác được" in texts(dispatcher)[0]
    assert [b["title"] for b in buttons(dispatcher)] == ["Xóa dữ liệu", "Không xóa"]
    assert erased == []
    assert ("active_loop", None) in [(e["event"], e.get("name")) for e in events]  # form left


async def test_confirmed_the_intake_erases_then_the_rasa_server_is_told(dispatcher, erased):
    tracker = make_tracker('/erase_my_data{"answer":"erase_yes"}', "erase_my_data",
                           entities={"answer": "erase_yes"})
    events = await ActionEraseMyData().run(dispatcher, tracker, {})
    assert erased == [("rest", "test-user")]
    said = texts(dispatcher)
    assert "đã xóa dữ liệu trò chuyện" in said[0]
    assert "HS-7K3M-9Q2P" in said[1] and "vẫn được cơ quan BHXH lưu" in said[1]
    assert dispatcher.messages[-1]["custom"] == dict(ERASE_MARKER)
    assert dict(ERASE_MARKER) == dict(erasure.ERASE_MARKER)  # the Rasa side catches this one
    assert "reset_slots" in [e["event"] for e in events]


async def test_keeping_erases_nothing(dispatcher, erased):
    tracker = make_tracker('/erase_my_data{"answer":"erase_no"}', "erase_my_data",
                           entities={"answer": "erase_no"})
    await ActionEraseMyData().run(dispatcher, tracker, {})
    assert erased == [] and "chưa xóa gì" in texts(dispatcher)[0]
    assert not any(m.get("custom") for m in dispatcher.messages)


async def test_when_the_intake_fails_nothing_is_erased(dispatcher, monkeypatch):
    async def down(channel: str, sender_id: str) -> Any:
        raise intake_access.IntakeUnavailable("down")

    monkeypatch.setattr(intake_access, "erase_conversation", down)
    tracker = make_tracker('/erase_my_data{"answer":"erase_yes"}', "erase_my_data",
                           entities={"answer": "erase_yes"})
    events = events_as_dict(await ActionEraseMyData().run(dispatcher, tracker, {}))
    assert "chưa xóa được" in texts(dispatcher)[0] and "1900 9068" in texts(dispatcher)[0]
    assert not any(m.get("custom") for m in dispatcher.messages)
    assert events == {"requested_slot": None}
