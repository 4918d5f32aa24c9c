"""Answering a message from the knowledge base: the fact first, one line of legal basis.

:func:`answer_message` splits the message into its questions (up to three), finds each one's
topic, computes what the message lets it compute (``topics_calc``), fills the placeholders for
the day and returns a :class:`MessageAnswer`: the answers in order, or — when no topic is a
clear match — the two or three best topics to offer as buttons. It never answers with a list of
every procedure. A message about a death gets one line of condolence first; a message about a
scam (someone asking for an OTP, a password, a fee) gets the scam topic first.

Example::

    reply = answer_message("Tiền mai táng phí bây giờ là bao nhiêu?", kb, date(2026, 7, 1))
    reply.answers[0].text   # "Trợ cấp mai táng là 25.300.000 đồng, …"
    reply.answers[0].legal  # "Căn cứ: Điều 85, Điều 91, Luật Bảo hiểm xã hội số 41/2024/QH15."
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from bhxh_catalog.models import Catalog, LegalBasis
from bhxh_catalog.search import canonical_tokens
from bhxh_catalog.topics import Topic, TopicBase, fill_answer
from bhxh_catalog.topics_calc import CALCULATORS, Calculation
from bhxh_catalog.topics_rank import Tokenize, TopicRanker, split_questions
from bhxh_catalog.vntext import fold

__all__ = [
    "ANSWER_SCORE",
    "CONDOLENCE",
    "MARGIN",
    "SUGGEST_SCORE",
    "UNVERIFIED",
    "KnowledgeBase",
    "MessageAnswer",
    "TopicAnswer",
    "answer_message",
    "answer_topic",
    "is_question",
    "is_scam",
    "legal_line",
]

ANSWER_SCORE = 0.45
"""A topic scoring at least this, clearly ahead of the next, is answered."""
MARGIN = 0.08
"""How far ahead of the second topic the first must be to be answered without asking."""
SUGGEST_SCORE = 0.32
"""Topics scoring at least this are offered as buttons when none is answered."""
MAX_SUGGESTIONS = 3
MAX_LEGAL_REFS = 2
CONDOLENCE = "Xin chia buồn cùng gia đình ông/bà."
UNVERIFIED = "(chưa được xác minh)"

_DEATH = re.compile(r"\b(?:mat|qua doi|tu tran|tu vong|chet|tu tuat|mai tang|ma chay|"
                    r"an tang|chon cat|tang le|vua khuat|da khuat|ta the)\b")
_QUESTION = re.compile(r"\?|\b(?:bao nhieu|bn|bnhieu|bao lau|bao gio|khi nao|luc nao|may|"
                       r"the nao|ra sao|sao|gi|j|nao|o dau|dau|khong|ko|k|hong|chua|ko a|"
                       r"phai khong|duoc khong|the|hoi|cho hoi|lam sao|can|muon biet)\b")
_SCAM = re.compile(r"\b(?:otp|ma xac (?:nhan|thuc)|mat khau|lua dao|mao danh|"
                   r"chuyen tien|dong phi|nop phi|tra phi|le phi lam nhanh|bam (?:vao )?link|"
                   r"duong link|cai (?:dat )?(?:app|ung dung)|cap nhat vssid)\b")


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def is_question(text: str) -> bool:
    """Tells whether a message reads as a question ("bao nhiêu", "mấy", "có … không", "?")."""
    return bool(_QUESTION.search(_folded(text)))


def is_scam(text: str) -> bool:
    """Tells whether a message is about a likely scam (OTP, mật khẩu, phí làm nhanh, link …)."""
    return bool(_SCAM.search(_folded(text)))


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """The topics, their ranker and the catalog, built once."""

    topics: TopicBase
    catalog: Catalog
    ranker: TopicRanker

    @classmethod
    def build(
        cls, topics: TopicBase, catalog: Catalog, tokenize: Tokenize = canonical_tokens
    ) -> KnowledgeBase:
        """Indexes the topics with ``tokenize`` (the same one reads the messages)."""
        return cls(topics, catalog, TopicRanker.build(topics, tokenize))


@dataclass(frozen=True, slots=True)
class TopicAnswer:
    """The answer to one question.

    Attributes:
        topic: the topic answered.
        text: the answer, fact first, figures of the day filled in.
        legal: the one line of legal basis ("Căn cứ: …"), or None.
        computed: the first sentence was computed from the values in the message.
        score: the ranker's score (1.0 when the topic was chosen by a button).
    """

    topic: Topic
    text: str
    legal: str | None
    computed: bool
    score: float


@dataclass(frozen=True, slots=True)
class MessageAnswer:
    """What to say to a message.

    Attributes:
        answers: one per question, in order (at most three); empty when unsure.
        suggestions: when unsure, the two or three best topics to offer as buttons.
        condolence: the message is about a death: say :data:`CONDOLENCE` first.
        scam: the message is about a scam.
    """

    answers: list[TopicAnswer] = field(default_factory=list)
    suggestions: list[Topic] = field(default_factory=list)
    condolence: bool = False
    scam: bool = False

    @property
    def follow_ups(self) -> list[tuple[str, Topic]]:
        """One set of follow-up buttons for the whole reply: ``(follow_up, its topic)``."""
        seen: set[str] = set()
        buttons: list[tuple[str, Topic]] = []
        for answer in self.answers:
            for name in answer.topic.follow_ups:
                if name not in seen:
                    seen.add(name)
                    buttons.append((name, answer.topic))
        return buttons


def legal_line(refs: Sequence[LegalBasis], as_of: date) -> str | None:
    """``Căn cứ: Điều 85, Điều 91, Luật Bảo hiểm xã hội số 41/2024/QH15.`` (at most two refs).

    References in force on ``as_of`` come first; articles of one instrument are named together.
    """
    unique = list(dict.fromkeys(refs))
    chosen = sorted(unique, key=lambda ref: not ref.in_force(as_of))[:MAX_LEGAL_REFS]
    if not chosen:
        return None
    groups: dict[str, list[str]] = {}
    for ref in chosen:
        groups.setdefault(ref.instrument, [])
        if ref.article:
            groups[ref.instrument].append(ref.article)
    parts = [", ".join([*articles, instrument]) for instrument, articles in groups.items()]
    flag = f" {UNVERIFIED}" if any(not ref.verified for ref in chosen) else ""
    return f"Căn cứ: {'; '.join(parts)}{flag}."


def _calculate(topic: Topic, texts: Sequence[str], kb: KnowledgeBase, as_of: date
               ) -> Calculation | None:
    if topic.calculator is None:
        return None
    calculator = CALCULATORS[topic.calculator]
    for text in texts:
        result = calculator(text, kb.catalog, as_of)
        if result is not None:
            return result
    return None


def answer_topic(
    topic: Topic,
    kb: KnowledgeBase,
    as_of: date,
    texts: Sequence[str] = (),
    score: float = 1.0,
) -> TopicAnswer:
    """Answers one topic: the computed fact when ``texts`` give the values, else its answer.

    Args:
        topic: the topic.
        kb: the knowledge base.
        as_of: the day the figures are read for.
        texts: where to read values, in order of preference (the question, the whole message).
        score: the ranker's score, kept on the answer.
    """
    general = fill_answer(topic.answer, kb.catalog, as_of)
    calc = _calculate(topic, texts, kb, as_of)
    refs = list(topic.legal_basis)
    if calc is not None:
        extra = [kb.catalog.legal_bases[ref] for ref in calc.legal_basis
                 if ref in kb.catalog.legal_bases]
        refs = [*extra, *refs]
        text = " ".join([calc.fact, *calc.details])
    else:
        text = general
    if not topic.verified:
        text = f"{text} {UNVERIFIED}"
    return TopicAnswer(topic, text, legal_line(refs, as_of), calc is not None, score)


def _confident(ranking: Sequence[tuple[str, float]]) -> bool:
    if not ranking or ranking[0][1] < ANSWER_SCORE:
        return False
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return ranking[0][1] - second >= MARGIN


def answer_message(text: str, kb: KnowledgeBase, as_of: date) -> MessageAnswer:
    """Answers every question of a message (up to three), or offers the best topics.

    Each part found by :func:`split_questions` is answered when its best topic is a clear match
    (:data:`ANSWER_SCORE`, :data:`MARGIN`); a part that matches nothing is context (values are
    still read from the whole message). When no part is answered, the whole message is ranked
    once more and answered, or its best topics (≥ :data:`SUGGEST_SCORE`) are suggested.
    """
    folded = _folded(text)
    condolence = bool(_DEATH.search(folded))
    scam = is_scam(text)
    answers: list[TopicAnswer] = []
    seen: set[str] = set()
    parts = split_questions(text)
    if len(parts) > 1:
        for part in parts:
            if not is_question(part):
                continue  # context ("Bố tôi mất ngày 3/1/2026"): its values are still read
            ranking = kb.ranker.rank(part)
            if _confident(ranking) and ranking[0][0] not in seen:
                topic = kb.topics.get(ranking[0][0])
                seen.add(topic.id)
                answers.append(answer_topic(topic, kb, as_of, (part, text), ranking[0][1]))
    whole = kb.ranker.rank(text, limit=MAX_SUGGESTIONS)
    if not answers and _confident(whole):
        topic = kb.topics.get(whole[0][0])
        answers.append(answer_topic(topic, kb, as_of, (text,), whole[0][1]))
    if scam:
        answers = _scam_first(answers, kb, as_of, text)
    suggestions: list[Topic] = []
    if not answers:
        suggestions = [kb.topics.get(tid) for tid, score in whole if score >= SUGGEST_SCORE]
    condolence = condolence and (
        any(a.topic.tone == "bereavement" for a in answers)
        or any(t.tone == "bereavement" for t in suggestions)
        or bool(re.search(r"\b(?:mat|qua doi|tu tran|tu vong|chet)\b", folded))
    )
    return MessageAnswer(_without_repeats(answers[:3]), suggestions, condolence, scam)


def _without_repeats(answers: list[TopicAnswer]) -> list[TopicAnswer]:
    """Drops from later answers a sentence an earlier answer already said."""
    said: set[str] = set()
    kept: list[TopicAnswer] = []
    for answer in answers:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", answer.text) if s]
        fresh = [s for s in sentences if s not in said] or sentences
        said.update(sentences)
        kept.append(replace(answer, text=" ".join(fresh)))
    return kept


def _scam_first(
    answers: list[TopicAnswer], kb: KnowledgeBase, as_of: date, text: str
) -> list[TopicAnswer]:
    if answers and answers[0].topic.tone == "scam":
        return answers
    scams = [a for a in answers if a.topic.tone == "scam"]
    if scams:
        return [*scams, *(a for a in answers if a.topic.tone != "scam")]
    ranked = [tid for tid, _ in kb.ranker.rank(text, limit=len(kb.topics))
              if kb.topics.get(tid).tone == "scam"]
    if not ranked:
        return answers
    topic = kb.topics.get(ranked[0])
    return [answer_topic(topic, kb, as_of, (text,), 1.0), *answers][:3]
