"""Answering questions of fact from the knowledge base (``catalog/data/topics``).

* ``action_answer_question`` — the NLU routed the message to ``ask_question``
  (:mod:`bot.nlu.topic_router`), or a topic button was pressed (``/ask_question{"topic": …}``):
  it answers every question of the message (up to three), fact first, computed from the values
  the message gives, then one set of follow-up buttons; unsure, it offers the best topics. It
  sets ``procedure`` to the topic's procedure, so a typed follow-up ("tính chi tiết", "nộp hồ
  sơ") continues with it.
* :func:`answer_replies` — the same, as a function: a form that meets a question calls it and
  asks its own question again (the rules do this for the forms of this project).
* :func:`topic_suggestions` — the fallback's "did you mean": the best topics of the message.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bhxh_catalog import CatalogError
from bhxh_catalog.topics import load_topics
from bhxh_catalog.topics_answer import (
    SUGGEST_SCORE,
    KnowledgeBase,
    MessageAnswer,
    answer_message,
    answer_topic,
)
from bot.actions import catalog_access, clock, conversation
from bot.actions.base import BotAction
from bot.actions.render_procedure import featured
from bot.actions.render_topic import render_answer, topic_button
from bot.actions.replies import Button, Reply, send
from bot.nlu.topic_tokens import default_tokenizer

__all__ = [
    "ActionAnswerQuestion",
    "TopicReplies",
    "answer_replies",
    "knowledge",
    "topic_suggestions",
]


NOTHING_ANSWERED = "Xin lỗi, tôi chưa tìm được câu trả lời. Ông/bà có thể chọn một mục dưới đây:"


@functools.lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase | None:
    """The knowledge base (topics, ranker, catalog), built once; None when it cannot be read."""
    try:
        return KnowledgeBase.build(load_topics(), catalog_access.catalog(), default_tokenizer())
    except CatalogError:
        return None


@dataclass(frozen=True)
class TopicReplies:
    """What to send, and the procedure the answer is about (for the ``procedure`` slot)."""

    replies: list[Reply]
    procedure: str | None
    answered: bool


def answer_replies(text: str, topic_id: str | None = None, as_of: date | None = None
                   ) -> TopicReplies:
    """Answers a message (or the topic of a pressed button) from the knowledge base.

    Args:
        text: the message as typed.
        topic_id: the topic of a pressed button; the message is not ranked then.
        as_of: the day figures are read for (default: the actions' clock, ``BHXH_TODAY``).

    Returns:
        The replies; empty with ``answered=False`` when no topic is close enough.
    """
    kb = knowledge()
    if kb is None:
        return TopicReplies([], None, False)
    day = as_of or clock.today()
    try:
        topic = kb.topics.get(topic_id) if topic_id else None
    except CatalogError:
        topic = None
    if topic is not None:
        reply = MessageAnswer([answer_topic(topic, kb, day, (text,))],
                              condolence=topic.tone == "bereavement")
    else:
        reply = answer_message(text, kb, day)
    replies = render_answer(reply, catalog_access.procedure)
    procedure = next((p for a in reply.answers for p in a.topic.procedures
                      if catalog_access.procedure(p) is not None), None)
    return TopicReplies(replies, procedure, bool(reply.answers))


def topic_suggestions(tracker: Tracker) -> list[Button]:
    """Buttons for the best topics the NLU ranked for the latest message (at most three)."""
    kb = knowledge()
    ranked = (tracker.latest_message or {}).get("topics") or []
    if kb is None:
        return []
    buttons: list[Button] = []
    for item in ranked[:3]:
        try:
            if float(item.get("score") or 0.0) >= SUGGEST_SCORE:
                buttons.append(topic_button(kb.topics.get(str(item.get("id")))))
        except CatalogError:
            continue
    return buttons


class ActionAnswerQuestion(BotAction):
    """Answers a question of fact, or offers the closest topics."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Sends the answer and keeps its procedure for the follow-ups."""
        message = conversation.latest(tracker)
        topic_id = message.entity("topic")
        text = "" if message.is_payload else message.text
        result = answer_replies(text, str(topic_id) if topic_id else None)
        if not result.replies:
            send(dispatcher, featured(NOTHING_ANSWERED, with_human=True))
            return [SlotSet("offer_human", False)]
        send(dispatcher, result.replies)
        events: list[EventType] = [SlotSet("offer_human", False)]
        current = tracker.get_slot("procedure")
        named = conversation.procedure_from_message(message)
        if result.procedure and (named is not None or current is None):
            # A side question does not move the conversation off the procedure being discussed
            # ("nộp giúp tôi" afterwards once opened the side topic's procedure).
            events.append(SlotSet("procedure", result.procedure))
        return events
