"""After a submission: the citizen rates the help from 1 to 5 and may add a comment.

``rating_form`` asks ``rating_score`` (five buttons) then ``rating_comment`` (free text, or
"Không góp ý"). A citizen who does something else instead (asks a question, starts another
procedure) is answered by the rules and the rating is dropped without insistence.
``action_save_rating`` stores the rating with the intake service (``POST /api/v1/ratings``),
which shows the satisfaction index on its statistics page.
"""

from __future__ import annotations

import logging

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bhxh_catalog.vntext import fold
from bot.actions import conversation, intake_access
from bot.actions.base import BotAction
from bot.actions.conversation import LatestMessage
from bot.actions.question_loop import (
    ANSWER_INTENTS,
    NEVER_AN_ANSWER,
    REJECTED_SLOT,
    REQUESTED_SLOT,
    AskLoopSlot,
)
from bot.actions.replies import Button, Reply, payload, send
from bot.actions.submit import RECEIPT_SLOT, conversation_channel

__all__ = [
    "ActionAskRatingComment",
    "ActionAskRatingScore",
    "ActionSaveRating",
    "ValidateRatingForm",
    "read_score",
]

logger = logging.getLogger(__name__)

FORM = "rating_form"
SCORE_SLOT = "rating_score"
COMMENT_SLOT = "rating_comment"
NO_COMMENT = "khong_gop_y"
MAX_COMMENT = 1000
SCORE_QUESTION = (
    "Ông/bà có hài lòng với sự hỗ trợ của trợ lý không? Xin ông/bà chấm điểm từ 1 (không hài "
    "lòng) đến 5 (rất hài lòng)."
)
SCORE_AGAIN = "Ông/bà vui lòng chọn một điểm từ 1 đến 5."
COMMENT_QUESTION = (
    "Cảm ơn ông/bà. Ông/bà có góp ý gì thêm để chúng tôi phục vụ tốt hơn không? "
    "Ông/bà gõ góp ý, hoặc bấm “Không góp ý”."
)
THANKS = "Cảm ơn ông/bà đã đánh giá. Chúc ông/bà nhiều sức khỏe!"
# Intents that mean the citizen moved on (a question, another procedure), not a comment.
_MOVED_ON_PREFIXES = ("ask_", "proc_")
_MOVED_ON = frozenset({"start_submission", "check_status", "greet"})
_MOVED_ON_CONFIDENCE = 0.8
_WORD_SCORES = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}


def _score_buttons() -> tuple[Button, ...]:
    return tuple(Button(str(n), payload("inform", answer=str(n))) for n in range(1, 6))


def read_score(message: LatestMessage) -> int | None:
    """A score from 1 to 5: a button, or a short typed answer ("5", "5 sao", "năm sao")."""
    raw = message.entity("answer")
    words = fold(str(raw) if raw is not None else message.text).replace("*", " ").split()
    if not words or len(words) > 3:
        return None
    first = words[0].strip(".,!")
    score = int(first) if first.isdigit() else _WORD_SCORES.get(first)
    return score if score is not None and 1 <= score <= 5 else None


def _rejected_since_user(tracker: Tracker) -> bool:
    """Tells whether the form was set aside for the latest message (the citizen moved on)."""
    for event in reversed(list(tracker.events)):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action_execution_rejected" and event.get("name") == FORM:
            return True
    return False


def _moved_on(message: LatestMessage) -> bool:
    intent = message.intent
    if intent in NEVER_AN_ANSWER:
        return True
    confident = dict(message.ranking).get(intent, 0.0) >= _MOVED_ON_CONFIDENCE
    return confident and (intent in _MOVED_ON or intent.startswith(_MOVED_ON_PREFIXES))


class ValidateRatingForm(FormValidationAction):  # type: ignore[misc]
    """``validate_rating_form``: the score, then the comment; leaving quietly is fine."""

    def name(self) -> str:
        """Action name in the domain."""
        return "validate_rating_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Reads the score or the comment and picks the next slot."""
        fresh = not conversation.action_ran_since_user(tracker, ignore=FORM)
        returning = _rejected_since_user(tracker)
        requested = tracker.get_slot(REQUESTED_SLOT) if fresh else None
        message = conversation.latest(tracker)
        if not fresh:
            # Activation asks the score; coming back after the citizen moved on ends quietly.
            next_slot = None if returning else SCORE_SLOT
            return [SlotSet(REJECTED_SLOT, False), SlotSet(REQUESTED_SLOT, next_slot)]
        if _moved_on(message):
            return [ActionExecutionRejected(FORM)]
        if requested == SCORE_SLOT:
            given = read_score(message)
            if given is not None:
                return [
                    SlotSet(SCORE_SLOT, given),
                    SlotSet(REJECTED_SLOT, False),
                    SlotSet(REQUESTED_SLOT, COMMENT_SLOT),
                ]
            if message.intent in ANSWER_INTENTS and not message.is_payload:
                send(dispatcher, [Reply(SCORE_AGAIN, _score_buttons())])
                return [SlotSet(REJECTED_SLOT, True), SlotSet(REQUESTED_SLOT, SCORE_SLOT)]
            return [ActionExecutionRejected(FORM)]
        comment: str | None = message.text.strip()[:MAX_COMMENT] or None
        if (
            message.entity("answer") == NO_COMMENT
            or message.intent == "deny"
            or (message.is_payload)
        ):
            comment = None
        return [
            SlotSet(COMMENT_SLOT, comment),
            SlotSet(REJECTED_SLOT, False),
            SlotSet(REQUESTED_SLOT, None),
        ]


class ActionAskRatingScore(AskLoopSlot):
    """Asks for the score (five buttons)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_rating_score"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The question with buttons 1 to 5."""
        return [Reply(SCORE_QUESTION, _score_buttons())]


class ActionAskRatingComment(AskLoopSlot):
    """Asks for an optional comment."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_ask_rating_comment"

    def prompt(self, tracker: Tracker) -> list[Reply]:
        """The question with "Không góp ý"."""
        return [
            Reply(COMMENT_QUESTION, (Button("Không góp ý", payload("inform", answer=NO_COMMENT)),))
        ]


class ActionSaveRating(BotAction):
    """Stores the rating (when a score was given) and thanks the citizen."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_save_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """``POST /api/v1/ratings``; a failure is logged (the citizen is thanked anyway)."""
        score = tracker.get_slot(SCORE_SLOT)
        reset = [SlotSet(SCORE_SLOT, None), SlotSet(COMMENT_SLOT, None)]
        if not isinstance(score, int | float) or not 1 <= int(score) <= 5:
            return reset
        comment = tracker.get_slot(COMMENT_SLOT)
        try:
            await intake_access.rate(
                channel=conversation_channel(tracker),
                sender_id=tracker.sender_id,
                score=int(score),
                comment=comment if isinstance(comment, str) and comment else None,
                receipt_code=tracker.get_slot(RECEIPT_SLOT),
            )
        except intake_access.IntakeError as error:
            logger.warning("rating not stored: %s", type(error).__name__)
        send(dispatcher, [Reply(THANKS)])
        return reset
