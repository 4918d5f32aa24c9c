"""Rasa component: ranks the knowledge-base topics, routes questions of fact to ``ask_question``.

It runs after the intent classifier and the FallbackClassifier. For every message it adds
``topics`` to the parse result: the best topics of ``catalog/data/topics`` with their scores
(:class:`bhxh_catalog.topics_rank.TopicRanker`, on the same lemmas as the featurizers: folded,
teencode expanded). It then replaces the intent with ``ask_question`` when the message asks a
question a topic answers clearly — so "Tiền mai táng phí bây giờ là bao nhiêu?" is answered
instead of starting the estimate form, and "mấy năm thì có lương hưu" instead of a menu:

* a scam signal (OTP, mật khẩu, phí làm nhanh, …) always routes, whatever the intent;
* otherwise the message must read as a question (``bao nhiêu``, ``mấy``, ``không``, ``?`` …), the
  best topic must clear its intent's score (:data:`ROUTED`) with :data:`ROUTE_MARGIN`, and the
  intent must be one a question of fact is mistaken for (:data:`ROUTED`); aspect intents about a
  named procedure (documents, where to submit) keep their catalog page unless the topic match is
  very strong (:data:`STRONG_SCORE`); dialogue intents (greet, affirm, cancel …) are never touched.

Topics are read from the catalog when the model loads: a new topic needs a restart, no training.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bhxh_catalog.topics_answer import (
    deciding_ranking,
    is_question,
    is_scam,
)
from bhxh_catalog.topics_rank import TopicRanker
from bot.nlu.topic_tokens import default_tokenizer

__all__ = [
    "ASK_QUESTION",
    "PROCEDURE_SCORE",
    "ROUTED",
    "STRONG_SCORE",
    "TOPICS_KEY",
    "TopicRouter",
    "route",
]

logger = logging.getLogger(__name__)

ASK_QUESTION = "ask_question"
TOPICS_KEY = "topics"
"""The parse-result key with the ranked topics: ``[{"id": …, "score": …}, …]``."""
ROUTE_SCORE = 0.5
"""The topic score from which a message the classifier did not understand is routed."""
ROUTE_MARGIN = 0.1
"""How far ahead of the second topic the first must be for any routing."""
STRONG_SCORE = 0.75
"""A topic score that routes any question-like intent except the dialogue ones."""
PROCEDURE_SCORE = 0.65
"""A message classified as a procedure (``proc_*``) is routed only from this topic score."""
ROUTED: dict[str, float] = {
    "nlu_fallback": ROUTE_SCORE,
    "ask_amount": ROUTE_SCORE,
    "out_of_scope": 0.6,
    "ask_legal_basis": 0.6,
    "ask_processing_time": 0.6,
    "ask_eligibility": PROCEDURE_SCORE,
    "ask_documents": STRONG_SCORE,
    "ask_where_to_submit": STRONG_SCORE,
    "ask_capabilities": STRONG_SCORE,
    "inform": STRONG_SCORE,
    "complain": STRONG_SCORE,
}
"""The topic score from which a question classified with each intent is routed (with the
margin); procedure intents use :data:`PROCEDURE_SCORE`, aspect intents naming a procedure
:data:`STRONG_SCORE`; any other intent (greet, affirm, cancel …) is never routed."""


def route(
    intent: str, text: str, ranking: Sequence[tuple[str, float]], has_procedure: bool
) -> bool:
    """Tells whether a message classified ``intent`` is a question the topics should answer."""
    if intent == ASK_QUESTION:
        return False
    if is_scam(text) and ranking:
        return intent not in {"request_human", "cancel", "restart"}
    if not ranking or not is_question(text):
        return False
    top = ranking[0][1]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if top - second < ROUTE_MARGIN:
        return False
    if intent.startswith("proc_"):
        needed = PROCEDURE_SCORE
    elif intent in ROUTED:
        needed = max(ROUTED[intent], STRONG_SCORE if has_procedure and intent.startswith("ask_")
                     else 0.0)
    else:
        return False
    return top >= needed


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TopicRouter(GraphComponent):  # type: ignore[misc]  # rasa is untyped
    """Adds ``topics`` to each message and routes questions of fact to ``ask_question``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config (none needed)."""
        return {}

    def __init__(self, ranker: TopicRanker | None) -> None:
        """Keeps the ranker (None: no topics could be read; nothing is routed)."""
        self._ranker = ranker

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicRouter:
        """Indexes the topics of the catalog (at training and at every model load)."""
        try:
            from bhxh_catalog.topics import load_topics

            ranker = TopicRanker.build(load_topics(), default_tokenizer())
        except Exception as exc:  # the bot still works without topics
            logger.error("topic router: no topics (%s: %s)", type(exc).__name__, exc)
            ranker = None
        return cls(ranker)

    def process(self, messages: list[Message]) -> list[Message]:
        """Ranks the topics of each message and routes questions of fact."""
        for message in messages:
            text = message.get(TEXT) or ""
            if self._ranker is None or not text or text.startswith("/"):
                continue
            ranking = deciding_ranking(text, self._ranker)
            message.set(TOPICS_KEY, [{"id": tid, "score": score} for tid, score in ranking],
                        add_to_output=True)
            intent = message.get(INTENT) or {}
            name = str(intent.get(INTENT_NAME_KEY) or "")
            has_procedure = any(e.get("entity") == "procedure" for e in message.get("entities")
                                or [])
            if route(name, text, ranking, has_procedure):
                confidence = max(ranking[0][1], float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0))
                routed = {INTENT_NAME_KEY: ASK_QUESTION, PREDICTED_CONFIDENCE_KEY: confidence}
                message.set(INTENT, routed, add_to_output=True)
                others = [i for i in message.get("intent_ranking") or []
                          if i.get(INTENT_NAME_KEY) != ASK_QUESTION]
                message.set("intent_ranking", [routed, *others], add_to_output=True)
        return messages
