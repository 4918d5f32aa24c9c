"""The rating after a submission: 1–5 with buttons, an optional comment, no insistence."""

from __future__ import annotations

from typing import Any

import pytest

from bot.actions import intake_access
from bot.actions.conversation import latest
from bot.actions.rating import (
    ActionAskRatingScore,
    ActionSaveRating,
    ValidateRatingForm,
    read_score,
)
from tests.bot.conftest import (
    action_event,
    buttons,
    events_as_dict,
    form_turn,
    make_tracker,
    run_validation,
    texts,
)

FORM = "rating_form"


async def validate(tracker, dispatcher) -> dict[str, Any]:
    return await run_validation(ValidateRatingForm(), tracker, dispatcher)


@pytest.mark.parametrize(
    ("text", "entities", "score"),
    [
        ('/inform{"answer":"5"}', {"answer": "5"}, 5),
        ("4", {}, 4),
        ("5 sao", {}, 5),
        ("năm sao", {}, 5),
        ("9", {}, None),
        ("tôi thấy hướng dẫn rất dễ hiểu", {}, None),
    ],
)
def test_scores_from_buttons_and_short_answers(text, entities, score):
    assert read_score(latest(make_tracker(text, "inform", entities))) == score


async def test_the_score_is_asked_with_five_buttons(dispatcher):
    await ActionAskRatingScore().run(dispatcher, make_tracker(""), {})
    assert [b["title"] for b in buttons(dispatcher)] == ["1", "2", "3", "4", "5"]


async def test_activation_asks_the_score(dispatcher):
    tracker = make_tracker("", "inform", after=[action_event("action_submit_dossier")])
    result = await validate(tracker, dispatcher)
    assert result["requested_slot"] == "rating_score"


async def test_a_score_then_a_comment(dispatcher):
    tracker = form_turn(
        FORM,
        '/inform{"answer":"4"}',
        entities={"answer": "4"},
        slots={"requested_slot": "rating_score"},
    )
    result = await validate(tracker, dispatcher)
    assert (result["rating_score"], result["requested_slot"]) == (4, "rating_comment")
    tracker = form_turn(
        FORM,
        "nhân viên hướng dẫn nhiệt tình",
        intent="nlu_fallback",
        slots={"requested_slot": "rating_comment", "rating_score": 4},
    )
    result = await validate(tracker, dispatcher)
    assert result["rating_comment"] == "nhân viên hướng dẫn nhiệt tình"
    assert result["requested_slot"] is None


async def test_no_comment_is_fine(dispatcher):
    tracker = form_turn(
        FORM,
        '/inform{"answer":"khong_gop_y"}',
        entities={"answer": "khong_gop_y"},
        slots={"requested_slot": "rating_comment", "rating_score": 5},
    )
    result = await validate(tracker, dispatcher)
    assert result["rating_comment"] is None and result["requested_slot"] is None


async def test_a_question_instead_ends_the_rating_quietly(dispatcher):
    tracker = make_tracker(
        "hồ sơ của tôi đến đâu rồi",
        "check_status",
        slots={"requested_slot": "rating_score"},
        ranking=[("check_status", 0.97)],
        after=[action_event(FORM)],
        active_loop=FORM,
    )
    assert (await validate(tracker, dispatcher))["_rejected"] is True
    back = make_tracker(
        "hồ sơ của tôi đến đâu rồi",
        "check_status",
        after=[
            action_event(FORM),
            {"event": "action_execution_rejected", "name": FORM},
            action_event("action_check_status"),
        ],
        active_loop=FORM,
    )
    result = await validate(back, dispatcher)
    assert result["requested_slot"] is None
    assert dispatcher.messages == []


async def test_the_rating_is_stored_and_the_citizen_thanked(dispatcher, monkeypatch):
    stored: list[dict[str, Any]] = []

    async def rate(**values: Any) -> None:
        stored.append(values)

    monkeypatch.setattr(intake_access, "rate", rate)
    tracker = make_tracker(
        "", slots={"rating_score": 5, "rating_comment": "Rất tốt", "submission_receipt": "HS-1"}
    )
    events = events_as_dict(await ActionSaveRating().run(dispatcher, tracker, {}))
    assert stored == [
        {
            "channel": "rest",
            "sender_id": "test-user",
            "score": 5,
            "comment": "Rất tốt",
            "receipt_code": "HS-1",
        }
    ]
    assert texts(dispatcher) == ["Cảm ơn ông/bà đã đánh giá. Chúc ông/bà nhiều sức khỏe!"]
    assert events == {"rating_score": None, "rating_comment": None}


async def test_without_a_score_nothing_is_stored_or_said(dispatcher, monkeypatch):
    async def rate(**values: Any) -> None:
        raise AssertionError("nothing to store")

    monkeypatch.setattr(intake_access, "rate", rate)
    await ActionSaveRating().run(dispatcher, make_tracker(""), {})
    assert dispatcher.messages == []


async def test_a_rating_the_intake_cannot_store_still_thanks(dispatcher, monkeypatch):
    async def rate(**values: Any) -> None:
        raise intake_access.IntakeUnavailable("down")

    monkeypatch.setattr(intake_access, "rate", rate)
    await ActionSaveRating().run(dispatcher, make_tracker("", slots={"rating_score": 3}), {})
    assert texts(dispatcher)[0].startswith("Cảm ơn ông/bà đã đánh giá.")
