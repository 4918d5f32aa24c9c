"""Consent before the first question of a dossier (issue 17; NĐ 13/2023, Luật 91/2025)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.actions import consent
from bot.actions.submission_form import ValidateSubmissionForm
from bot.actions.submit import ActionSubmitDossier
from tests.bot.conftest import (
    PENSION,
    PENSION_FIELDS,
    PENSION_TO_BANK,
    buttons,
    consent_given,
    events_as_dict,
    form_turn,
    make_tracker,
    run_validation,
    texts,
)

FORM = "submission_form"
pytestmark = pytest.mark.usefixtures("real_catalog")
YES_BUTTON = '/inform{"answer":"consent_yes"}'
NO_BUTTON = '/inform{"answer":"consent_no"}'


def started(**more: Any) -> dict[str, Any]:
    """A dossier just started: procedure chosen, nothing asked yet."""
    return {
        "submission_procedure": PENSION,
        "eligibility_answers": {},
        "submission_fields": {},
        "submission_dossier_id": "d-1",
        "submission_failures": {},
        "requested_slot": "submission_consent",
        **more,
    }


async def validate(tracker, dispatcher) -> dict[str, Any]:
    return await run_validation(ValidateSubmissionForm(), tracker, dispatcher)


async def test_a_new_dossier_asks_consent_before_anything_and_prefills_nothing(dispatcher):
    # the citizen typed a CCCD earlier in the conversation: it must not enter the dossier yet
    earlier = {"event": "user", "text": "cccd 056160001234", "parse_data": {
        "intent": {"name": "inform"}, "entities": [{"entity": "cccd", "value": "056160001234"}]}}
    tracker = form_turn(FORM, "/start_submission", "start_submission",
                        slots={**started(), "requested_slot": None}, history=[earlier])
    result = await validate(tracker, dispatcher)
    assert result["requested_slot"] == "submission_consent"
    assert result.get("submission_fields", {}) == {}


async def test_the_notice_says_what_why_who_how_long_and_rights(dispatcher):
    await consent.ActionAskSubmissionConsent().run(dispatcher, make_tracker(slots=started()), {})
    notice, question = texts(dispatcher)
    for words in ("họ tên", "CCCD", "tài khoản ngân hàng",  # what
                  "Để làm gì", "Ai xử lý", "Lưu bao lâu", "90 ngày",  # why, who, how long
                  "xóa dữ liệu của tôi", "rút lại đồng ý", "Toàn văn: http"):  # rights, link
        assert words in notice, words
    assert len(notice) <= 2000  # one Zalo message
    assert len(question) <= 640  # Messenger's button template
    assert [b["title"] for b in buttons(dispatcher)] == ["Đồng ý", "Không đồng ý"]


@pytest.mark.parametrize(
    ("text", "intent", "how"),
    [
        (YES_BUTTON, "inform", "button"),
        ("đồng ý", "affirm", "typed"),
        ("dong y", "inform", "typed"),
        ("ok đồng ý", "affirm", "typed"),
        ("Tôi đồng ý.", "affirm", "typed"),
    ],
)
async def test_consent_is_recorded_verifiably_then_the_questions_start(
    dispatcher, text, intent, how
):
    entities = {"answer": "consent_yes"} if text.startswith("/") else None
    tracker = form_turn(FORM, text, intent, entities=entities, slots=started(),
                        candidates={"submission_consent": text})
    result = await validate(tracker, dispatcher)
    record = result["privacy_consent"]
    assert record["status"] == "given"
    assert record["version"] == consent.notice().version
    assert record["at"].endswith("+00:00")
    assert record["how"] == how
    assert record["channel"] == "rest"
    assert record["notice_sha256"] == consent.notice().fingerprint(consent.notice_url())
    assert result["requested_slot"] == "submission_answer"
    assert "Cảm ơn ông/bà đã đồng ý" in texts(dispatcher)[0]


@pytest.mark.parametrize("text", [NO_BUTTON, "không đồng ý", "khong dong y", "tôi từ chối"])
async def test_a_refusal_stops_the_dossier_and_shows_the_other_ways(dispatcher, text):
    entities = {"answer": "consent_no"} if text.startswith("/") else None
    tracker = form_turn(FORM, text, "deny", entities=entities, slots=started())
    result = await validate(tracker, dispatcher)
    assert result["privacy_consent"]["status"] == "refused"
    assert result["privacy_consent"]["dossier_id"] == "d-1"
    assert result["requested_slot"] is None  # the form ends
    said = texts(dispatcher)[0]
    assert "chưa ghi lại thông tin cá nhân nào" in said
    assert "1900 9068" in said and "VssID" in said and "bưu điện" in said
    assert "Gặp nhân viên" in [b["title"] for b in buttons(dispatcher)]


async def test_after_a_refusal_nothing_is_sent(dispatcher, monkeypatch):
    from bot.actions import intake_access

    async def no_submit(submission: Any) -> Any:
        raise AssertionError("a dossier without consent was sent")

    monkeypatch.setattr(intake_access, "submit", no_submit)
    refused = {"status": "refused", "dossier_id": "d-1", "version": consent.notice().version}
    tracker = make_tracker(slots={**started(), "privacy_consent": refused,
                                  "submission_confirmed": False})
    events = events_as_dict(await ActionSubmitDossier().run(dispatcher, tracker, {}))
    assert events["submission_outcome"] == "stopped"


async def test_a_new_dossier_after_a_refusal_asks_again(dispatcher):
    refused = {"status": "refused", "dossier_id": "d-0", "version": consent.notice().version}
    tracker = form_turn(FORM, "/start_submission", "start_submission",
                        slots={**started(privacy_consent=refused), "requested_slot": None})
    assert (await validate(tracker, dispatcher))["requested_slot"] == "submission_consent"


@pytest.mark.parametrize("text", ["ừm", "để xem", "?"])
async def test_silence_or_an_unclear_answer_is_not_consent(dispatcher, text):
    tracker = form_turn(FORM, text, "nlu_fallback", slots=started())
    result = await validate(tracker, dispatcher)
    assert "privacy_consent" not in result
    assert result["requested_slot"] == "submission_consent"
    assert result["answer_rejected"] is True  # the reminder has the buttons
    assert [b["title"] for b in buttons(dispatcher)] == ["Đồng ý", "Không đồng ý"]


async def test_a_side_question_is_left_to_the_rules(dispatcher):
    tracker = form_turn(FORM, "hồ sơ cần những giấy tờ gì vậy", "ask_documents", slots=started())
    assert (await validate(tracker, dispatcher))["_rejected"] is True


async def test_a_photo_sent_before_consent_is_not_kept(dispatcher):
    tracker = form_turn(FORM, "/inform", "inform", slots=started())
    tracker.latest_message["metadata"] = {
        "attachments": [{"type": "image", "url": "https://cdn.example/a.jpg"}]
    }
    result = await validate(tracker, dispatcher)
    assert not result.get("submission_attachments")


async def test_consent_to_an_older_notice_is_asked_again(dispatcher):
    old = {**consent_given(), "version": "2020-01-1"}
    tracker = form_turn(FORM, "/start_submission", "start_submission",
                        slots={**started(privacy_consent=old), "requested_slot": None})
    assert (await validate(tracker, dispatcher))["requested_slot"] == "submission_consent"


async def test_the_consent_travels_with_the_dossier(dispatcher, monkeypatch):
    from bot.actions import attachments, intake_access

    sent: list[Any] = []

    async def submit(submission: Any) -> Any:
        sent.append(submission)
        return intake_access.Rejected(errors=())

    monkeypatch.setattr(intake_access, "submit", submit)
    monkeypatch.setattr(attachments, "upload_all", None)
    slots = {
        "submission_procedure": PENSION,
        "eligibility_answers": {PENSION: dict(PENSION_TO_BANK)},
        "submission_fields": dict(PENSION_FIELDS),
        "submission_dossier_id": "dossier-1",
        "submission_confirmed": True,
        "privacy_consent": consent_given(),
    }
    await ActionSubmitDossier().run(dispatcher, make_tracker("/inform", slots=slots), {})
    assert sent[0].consent == consent_given()
    assert sent[0].body()["consent"]["status"] == "given"


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Đồng ý", True), ("đồng ý ạ", True), ("OK đồng ý", True), ("dong y", True),
        ("vâng, tôi đồng ý", True), ("Không đồng ý", False), ("ko dong y", False),
        ("từ chối", False), ("không", False), ("đồng ý không?", None), ("ok", None),
        ("", None), ("tôi chưa hiểu", None),
    ],
)
def test_typed_answers(text, answer):
    assert consent.typed_answer(text) is answer
