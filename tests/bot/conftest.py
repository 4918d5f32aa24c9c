"""Fixtures for the action tests: rasa-sdk trackers built like the Rasa server builds them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from bhxh_catalog.config import CATALOG_DIR_ENV
from bot.actions import clock

TODAY = date(2026, 3, 1)
FIXTURE_CATALOG = Path(__file__).with_name("catalog_fixture")

PENSION = "doi_hinh_thuc_nhan_luong_huu"
"""A procedure of the real catalog with a conditional form: pension from cash to a bank."""
PENSION_TO_BANK = {"dang_huong": True, "thay_doi": "sang_tai_khoan", "tai_khoan_chinh_chu": True}
"""Eligibility answers of :data:`PENSION`: receiving a pension, moving it to one's own account."""
PENSION_FIELDS = {
    "ho_ten": "Nguyễn Văn Bình",
    "ngay_sinh": "1960-08-20",
    "so_cccd": "056160001234",
    "ma_so_bhxh": "5612345678",
    "so_dien_thoai": "0912345678",
    "tinh_nhan_luong_huu": "Khánh Hòa",
    "ngan_hang": "Vietcombank",
    "chi_nhanh_ngan_hang": None,
    "so_tai_khoan": "0011001234567",
    "xac_nhan_chinh_chu": True,
}
"""Every field of the :data:`PENSION` dossier after :data:`PENSION_TO_BANK`, the branch skipped."""


@pytest.fixture(autouse=True)
def sample_catalog(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The actions read the small test catalog (tests/bot/catalog_fixture), not the real one.

    ``load_catalog`` caches each folder once per process, so switching folders costs nothing.
    """
    monkeypatch.setenv(CATALOG_DIR_ENV, str(FIXTURE_CATALOG))
    yield FIXTURE_CATALOG


@pytest.fixture
def real_catalog(sample_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The actions read the real catalog (catalog/data) instead.

    A module that checks real procedures says ``pytestmark = pytest.mark.usefixtures(
    "real_catalog")``.
    """
    monkeypatch.delenv(CATALOG_DIR_ENV, raising=False)


def consent_given() -> dict[str, Any]:
    """The record of a consent given to the current privacy notice (bot/actions/consent.py)."""
    from bot.actions import consent

    return {
        "status": "given",
        "version": consent.notice().version,
        "at": "2026-03-01T01:00:00+00:00",
        "channel": "rest",
        "how": "button",
        "notice_sha256": consent.notice().fingerprint(consent.notice_url()),
    }


@pytest.fixture(autouse=True)
def media_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example media hosts of the tests' photos are allowed sources (attachments.py)."""
    monkeypatch.setenv("ATTACHMENT_MEDIA_HOSTS", "cdn.example,x.example,zdn.vn,fbcdn.net")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Every action test runs on 01/03/2026."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


def user_event(
    text: str,
    intent: str,
    entities: Mapping[str, Any] | None = None,
    ranking: Iterable[tuple[str, float]] | None = None,
) -> dict[str, Any]:
    """A ``user`` event as stored by Rasa."""
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": name, "value": value} for name, value in (entities or {}).items()],
        "intent_ranking": [
            {"name": name, "confidence": confidence}
            for name, confidence in (ranking or [(intent, 0.9)])
        ],
    }
    return {"event": "user", "text": text, "parse_data": parse_data}


def action_event(name: str) -> dict[str, Any]:
    """An ``action`` event."""
    return {"event": "action", "name": name}


def slot_event(name: str, value: Any) -> dict[str, Any]:
    """A ``slot`` event."""
    return {"event": "slot", "name": name, "value": value}


def make_tracker(
    text: str = "",
    intent: str = "inform",
    entities: Mapping[str, Any] | None = None,
    slots: Mapping[str, Any] | None = None,
    history: Iterable[dict[str, Any]] = (),
    after: Iterable[dict[str, Any]] = (),
    ranking: Iterable[tuple[str, float]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest user message is ``text`` / ``intent`` / ``entities``.

    Args:
        history: events before the bot listened for this message.
        after: events after the message (slot candidates, the form's execution, …).
    """
    latest = user_event(text, intent, entities, ranking)
    events = [*history, action_event("action_listen"), latest, *after]
    return Tracker(
        "test-user",
        dict(slots or {}),
        latest["parse_data"],
        events,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def form_turn(
    form: str,
    text: str,
    intent: str = "inform",
    entities: Mapping[str, Any] | None = None,
    slots: Mapping[str, Any] | None = None,
    candidates: Mapping[str, Any] | None = None,
    history: Iterable[dict[str, Any]] = (),
    between: Iterable[dict[str, Any]] = (),
) -> Tracker:
    """The tracker a form's validation action receives for a user message.

    Rasa appends ``requested_slot``, the form's execution and the slot candidates after the
    message (``between`` = actions run after the message but before the form, e.g. on return
    from a side question).
    """
    candidate_events = [slot_event(name, value) for name, value in (candidates or {}).items()]
    merged = {**(slots or {}), **(candidates or {})}
    after = [
        *between,
        slot_event("requested_slot", merged.get("requested_slot")),
        action_event(form),
        *candidate_events,
    ]
    return make_tracker(
        text, intent, entities, merged, history=history, after=after, active_loop=form
    )


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    """A dispatcher collecting the bot's messages."""
    return CollectingDispatcher()


Runner = Callable[..., Any]


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    """The texts the bot sent."""
    return [message.get("text") or "" for message in dispatcher.messages]


def buttons(dispatcher: CollectingDispatcher) -> list[dict[str, str]]:
    """Every button the bot sent, in order."""
    return [button for message in dispatcher.messages for button in message.get("buttons") or []]


def events_as_dict(events: Iterable[Any]) -> dict[str, Any]:
    """The slot values set by a list of events (last one wins)."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def run_validation(
    form: FormValidationAction, tracker: Tracker, dispatcher: CollectingDispatcher
) -> dict[str, Any]:
    """Runs a form's validation action: the slots it set, and ``_rejected`` (True when it
    rejected its execution, i.e. the form gave way to another action)."""
    events = await form.run(dispatcher, tracker, {})
    result = events_as_dict(events)
    result["_rejected"] = any(e.get("event") == "action_execution_rejected" for e in events)
    return result
