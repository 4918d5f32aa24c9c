"""The status lifecycle and its Vietnamese labels."""

from __future__ import annotations

import pytest

from intake_service import statuses
from intake_service.schemas import StatusName


def test_every_status_has_a_label_and_the_api_knows_it() -> None:
    assert set(statuses.LABELS) == set(statuses.STATUSES)
    assert set(StatusName.__args__) == set(statuses.STATUSES)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("received", "in_review"),
        ("in_review", "needs_info"),
        ("needs_info", "in_review"),
        ("in_review", "approved"),
        ("approved", "result_sent"),
        ("rejected", "result_sent"),
    ],
)
def test_allowed_moves(current: str, new: str) -> None:
    statuses.check_transition(current, new, "ghi chú")


@pytest.mark.parametrize(
    ("current", "new"),
    [("received", "result_sent"), ("result_sent", "in_review"), ("approved", "rejected")],
)
def test_forbidden_moves(current: str, new: str) -> None:
    with pytest.raises(statuses.TransitionError, match="Không thể chuyển"):
        statuses.check_transition(current, new, "ghi chú")


@pytest.mark.parametrize("new", ["needs_info", "rejected"])
def test_note_required_when_the_citizen_must_be_told_why(new: str) -> None:
    with pytest.raises(statuses.TransitionError, match="Cần ghi chú"):
        statuses.check_transition("in_review", new, "  ")
