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

from bhxh_catalog import vntext
from bhxh_catalog.models import Catalog, LegalBasis
from bhxh_catalog.search import canonical_tokens
from bhxh_catalog.topics import Topic, TopicBase, fill_answer
from bhxh_catalog.topics_calc import CALCULATORS, Calculation
from bhxh_catalog.topics_rank import Tokenize, TopicRanker, split_questions
from bhxh_catalog.vntext import fold

__all__ = [
    "ANSWER_SCORE",
    "CLOSE_MARGIN",
    "CONDOLENCE",
    "MARGIN",
    "SUGGEST_SCORE",
    "KnowledgeBase",
    "MessageAnswer",
    "TopicAnswer",
    "answer_message",
    "answer_topic",
    "deciding_ranking",
    "is_question",
    "is_scam",
    "legal_line",
]

ANSWER_SCORE = 0.35
"""A topic scoring at least this, ahead of the next by :data:`MARGIN`, is answered. Calibrated
on the topics' own phrasings (half indexed, half asked: 73 % answered, 73 % of those right at
161 topics; 0.5 / 0.15 answered 31 %)."""
MARGIN = 0.03
"""How far ahead of the second topic the first must be to be answered."""
CLOSE_MARGIN = 0.1
"""Below this margin the runner-up is offered as a button beside the answer."""
SUGGEST_SCORE = 0.35
"""Topics scoring at least this are offered as buttons when none is answered."""
MAX_SUGGESTIONS = 3
MIN_WORDS = 3
"""A message of fewer words ("tiền", "mai táng") gets the closest topics as buttons, not an
answer: one word matches too many topics."""
MAX_LEGAL_REFS = 2
CONDOLENCE = "Xin chia buồn cùng gia đình ông/bà."

_DEATH = re.compile(
    r"\b(?:qua doi|tu tran|tu vong|chet|tu tuat|mai tang|ma chay|an tang|chon cat|tang le|"
    r"vua khuat|da khuat|ta the)\b"
    r"|\b(?:bo|me|cha|ba|ma|ong|chong|vo|con|anh|chi|em|than|nha|cu|bac|chu|co|di)"
    r"(?:\s+\w+){0,2}\s+mat\b(?!\s+(?:so|the|quyen|tien|giay|viec|het|luong))"
)
"""A death, not a loss: "bố tôi mất", "mẹ vừa mất"; "rút thì mất quyền lợi gì" is not one."""
_SCAM_DIRECT = re.compile(r"\b(?:lua dao|mao danh|gia danh|gia mao)\b")
_SCAM_SECRET = re.compile(r"\b(?:otp|mat khau|ma xac (?:nhan|thuc)|ma pin|so the)\b")
_SCAM_ACTOR = re.compile(r"\b(?:nguoi|ai|ai do|ng|ke|doi tuong|can bo|nhan vien|goi|goi dien|"
                         r"nhan tin|tin nhan|sms|xung|yeu cau|doi|bao doc|bao gui|bao cung cap|"
                         r"hoi ma|hoi mat khau)\b")
_SCAM_FEE = re.compile(r"\b(?:phi|chuyen khoan|chuyen tien|nop tien|dua tien|tra tien)\b")
_SCAM_FAST = re.compile(r"\b(?:lam nhanh|giai quyet nhanh|duyet nhanh|nhanh hon|bo tui|"
                        r"boi duong|chay ho so|phi dich vu|lo phi|mo khoa)\b")
_SCAM_LINK = re.compile(r"\b(?:link|duong link|duong dan|cai app|cai dat app|cai ung dung|"
                        r"tai app|tai ung dung)\b")


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def is_question(text: str) -> bool:
    """Tells whether a message reads as a question (:func:`bhxh_catalog.vntext.is_question`)."""
    return vntext.is_question(text)


def is_scam(text: str) -> bool:
    """Tells whether a message is about a likely scam.

    Someone asking for an OTP, a password or a card number; a fee to "speed up" a dossier; a
    link or an app to install; or the words lừa đảo / mạo danh. "Tôi không nhận được mã OTP" is
    not (nobody asks for it), nor "chuyển tiền lương hưu về tài khoản".
    """
    folded = _folded(text)
    actor = bool(_SCAM_ACTOR.search(folded))
    return bool(
        _SCAM_DIRECT.search(folded)
        or (_SCAM_SECRET.search(folded) and actor)
        or (_SCAM_FEE.search(folded) and _SCAM_FAST.search(folded))
        or (_SCAM_LINK.search(folded) and actor)
    )


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
        unsure: a fact of it is unverified or past its review date: the citizen is told once
            to confirm with BHXH (never "(chưa được xác minh)" inline).
    """

    topic: Topic
    text: str
    legal: str | None
    computed: bool
    score: float
    unsure: bool = False


@dataclass(frozen=True, slots=True)
class MessageAnswer:
    """What to say to a message.

    Attributes:
        answers: one per question, in order (at most three); empty when unsure.
        suggestions: when unsure, the two or three best topics to offer as buttons.
        also: beside an answer, a close runner-up topic to offer as a button.
        condolence: the message is about a death: say :data:`CONDOLENCE` first.
        scam: the message is about a scam.
    """

    answers: list[TopicAnswer] = field(default_factory=list)
    suggestions: list[Topic] = field(default_factory=list)
    condolence: bool = False
    scam: bool = False
    also: list[Topic] = field(default_factory=list)

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
    return f"Căn cứ: {'; '.join(parts)}."


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
    unsure = (not topic.verified or topic.review_by < as_of
              or any(not ref.verified for ref in refs[:MAX_LEGAL_REFS]))
    return TopicAnswer(topic, text, legal_line(refs, as_of), calc is not None, score, unsure)


def deciding_ranking(text: str, ranker: TopicRanker) -> list[tuple[str, float]]:
    """The ranking that decides whether a message is answered from the topics.

    The whole message's, unless it is not a clear match and one of its questions is (a message
    of several questions ranks each part on its own).
    """
    whole = ranker.rank(text)
    if _confident(whole):
        return whole
    parts = split_questions(text)
    for part in parts if len(parts) > 1 else ():
        ranking = ranker.rank(part)
        if is_question(part) and _confident(ranking):
            return ranking
    return whole


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
    if not answers and _confident(whole) and len(text.split()) >= MIN_WORDS:
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
        or bool(_DEATH.search(folded))
    )
    also: list[Topic] = []
    close = len(whole) > 1 and whole[0][1] - whole[1][1] < CLOSE_MARGIN
    if len(answers) == 1 and close and whole[0][0] == answers[0].topic.id and (
        whole[1][1] >= SUGGEST_SCORE
    ):
        also = [kb.topics.get(whole[1][0])]
    return MessageAnswer(_without_repeats(answers[:3]), suggestions, condolence, scam, also)


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
