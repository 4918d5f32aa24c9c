"""Finding the topic a message asks about, and splitting a message into its questions.

Each topic is indexed on its title, button, phrasings and keywords, as folded tokens (no
diacritics, lower case, "bảo hiểm xã hội" → "bhxh", teencode expanded by the caller's tokenizer).
Two scores, each in [0, 1], are combined by their geometric mean (a topic must match on both):

* BM25 (k1 = 1.2, b = 0.75) over word 1–2-grams of the topic's whole text, divided by the best
  score the query's terms could reach, so it is comparable between messages;
* the best cosine similarity of character 3–5-grams (inside word boundaries, TF-IDF weighted)
  between the message and one phrasing — it forgives typos and missing letters.

Pure Python: 150 topics × 12 phrasings rank in a few milliseconds (``bench/topic_ranker.py``).

Example::

    ranker = TopicRanker.build(load_topics())
    ranker.rank("tien mai tang bn")[0]       # ("mai_tang_phi_bao_nhieu", 0.71)
    split_questions("Tiền mai táng bao nhiêu? Hạn nộp hồ sơ khi nào?")  # two parts
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bhxh_catalog.search import canonical_tokens
from bhxh_catalog.topics import Topic

__all__ = ["MAX_QUESTIONS", "Tokenize", "TopicRanker", "split_questions"]

Tokenize = Callable[[str], list[str]]
"""Text → folded tokens; the same function must index the topics and read the messages."""

MAX_QUESTIONS = 3
_K1 = 1.2
_B = 0.75
_CHAR_SIZES = (3, 4, 5)
_KEYWORD_REPEAT = 2
_COMMON_SHARE = 0.1
_MIN_COMMON = 30
"""Character n-grams in more than 10 % of the phrasings (at least 30) are left out of the
cosine: they say little, and skipping them keeps a message's ranking to a few milliseconds."""


def _terms(tokens: Sequence[str]) -> list[str]:
    return [*tokens, *(f"{a}_{b}" for a, b in itertools.pairwise(tokens))]


def _char_grams(tokens: Sequence[str]) -> Counter[str]:
    grams: Counter[str] = Counter()
    for token in tokens:
        padded = f" {token} "
        for size in _CHAR_SIZES:
            for start in range(max(len(padded) - size + 1, 1)):
                grams[padded[start:start + size]] += 1
    return grams


@dataclass(frozen=True, slots=True)
class _Vector:
    weights: dict[str, float]
    norm: float


class TopicRanker:
    """Ranks topics for a message (build once; ranking is read-only and thread-safe)."""

    def __init__(
        self,
        topic_ids: Sequence[str],
        documents: Sequence[list[str]],
        phrasings: Sequence[tuple[int, list[str]]],
        tokenize: Tokenize,
    ) -> None:
        self._ids = tuple(topic_ids)
        self._tokenize = tokenize
        # BM25 over each topic's whole text
        self._doc_terms = [Counter(_terms(doc)) for doc in documents]
        self._doc_len = [sum(terms.values()) for terms in self._doc_terms]
        self._avg_len = sum(self._doc_len) / max(len(self._doc_len), 1)
        frequency: Counter[str] = Counter()
        for terms in self._doc_terms:
            frequency.update(terms.keys())
        total = len(self._doc_terms)
        self._idf = {
            term: math.log(1 + (total - count + 0.5) / (count + 0.5))
            for term, count in frequency.items()
        }
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for index, terms in enumerate(self._doc_terms):
            for term, count in terms.items():
                self._postings.setdefault(term, []).append((index, count))
        # character n-grams of each phrasing
        gram_frequency: Counter[str] = Counter()
        counted = [(owner, _char_grams(tokens)) for owner, tokens in phrasings]
        for _, grams in counted:
            gram_frequency.update(grams.keys())
        size = max(len(counted), 1)
        common = max(_MIN_COMMON, _COMMON_SHARE * size)  # "ao ", " ba": in most phrasings
        self._gram_idf = {g: math.log(1 + size / c) for g, c in gram_frequency.items()
                          if c <= common}
        self._owners = [owner for owner, _ in counted]
        self._gram_postings: dict[str, list[tuple[int, float]]] = {}
        for row, (_, grams) in enumerate(counted):
            vector = self._vector(grams)
            if not vector.weights:
                continue
            for gram, weight in vector.weights.items():
                self._gram_postings.setdefault(gram, []).append((row, weight / vector.norm))

    @classmethod
    def build(cls, topics: Iterable[Topic], tokenize: Tokenize = canonical_tokens) -> TopicRanker:
        """Indexes title, button, phrasings and keywords (twice) of each topic."""
        ids: list[str] = []
        documents: list[list[str]] = []
        phrasings: list[tuple[int, list[str]]] = []
        for index, topic in enumerate(topics):
            ids.append(topic.id)
            texts = [topic.title, topic.button, *topic.phrasings]
            document: list[str] = []
            for text in texts:
                tokens = tokenize(text)
                document.extend(tokens)
                phrasings.append((index, tokens))
            for keyword in topic.keywords:
                document.extend(tokenize(keyword) * _KEYWORD_REPEAT)
            documents.append(document)
        return cls(ids, documents, phrasings, tokenize)

    def _vector(self, grams: Counter[str]) -> _Vector:
        idf = self._gram_idf
        weights = {g: (1 + math.log(c)) * idf[g] for g, c in grams.items() if g in idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return _Vector(weights, norm)

    def _bm25(self, tokens: Sequence[str]) -> list[float]:
        scores = [0.0] * len(self._ids)
        query = set(_terms(tokens))
        best = sum(self._idf.get(term, 0.0) * (_K1 + 1) for term in query)
        if not best:
            return scores
        for term in query:
            idf = self._idf.get(term)
            if idf is None:
                continue
            for index, count in self._postings[term]:
                length = self._doc_len[index] / self._avg_len
                scores[index] += idf * count * (_K1 + 1) / (count + _K1 * (1 - _B + _B * length))
        return [min(score / best, 1.0) for score in scores]

    def _chars(self, tokens: Sequence[str]) -> list[float]:
        scores = [0.0] * len(self._ids)
        vector = self._vector(_char_grams(tokens))
        rows: dict[int, float] = {}
        for gram, weight in vector.weights.items():
            for row, other in self._gram_postings.get(gram, ()):
                rows[row] = rows.get(row, 0.0) + weight * other
        for row, dot in rows.items():
            owner = self._owners[row]
            scores[owner] = max(scores[owner], dot / vector.norm)
        return scores

    def rank(self, text: str, limit: int = 3) -> list[tuple[str, float]]:
        """The best topics for ``text``: ``(topic_id, score in [0, 1])``, best first."""
        tokens = self._tokenize(text)
        if not tokens or not self._ids:
            return []
        bm25 = self._bm25(tokens)
        chars = self._chars(tokens)
        scored = [
            (self._ids[i], round(math.sqrt(bm25[i] * chars[i]), 4)) for i in range(len(self._ids))
        ]
        scored.sort(key=lambda hit: -hit[1])
        return [hit for hit in scored[:limit] if hit[1] > 0]


_SPLIT = re.compile(r"[?!;\n]+|\.(?=\s|$)|\s(?=(?:\d[).]|[-•])\s)")
_JOINERS = re.compile(
    r"\s*(?:,\s*)?\b(?:ngoài ra|ngoai ra|thêm nữa|them nua|với lại|voi lai|còn nữa|con nua|"
    r"và cho hỏi|va cho hoi|cho hỏi thêm|cho hoi them|hỏi thêm|hoi them)\b\s*",
    re.IGNORECASE,
)
_MIN_WORDS = 3


def split_questions(text: str) -> list[str]:
    """Splits a message into its questions (at most :data:`MAX_QUESTIONS`, in order).

    Splits at ``?``, ``!``, ``;``, sentence stops, new lines, list marks and joiners such as
    "ngoài ra", "cho hỏi thêm". A part of fewer than three words is joined to the part before
    it (it is context, "bố tôi mất rồi."), and parts after the third are joined to the third.
    """
    pieces: list[str] = []
    for chunk in _SPLIT.split(text):
        pieces.extend(part for part in _JOINERS.split(chunk or "") if part)
    parts: list[str] = []
    for piece in (p.strip(" ,.-•") for p in pieces):
        if not piece:
            continue
        if parts and len(piece.split()) < _MIN_WORDS:
            parts[-1] = f"{parts[-1]}. {piece}"
        elif not parts and len(piece.split()) < _MIN_WORDS:
            parts.append(piece)
        else:
            parts.append(piece)
    if len(parts) > 1 and len(parts[0].split()) < _MIN_WORDS:
        parts[1] = f"{parts[0]}. {parts[1]}"
        parts.pop(0)
    if len(parts) > MAX_QUESTIONS:
        parts = [*parts[: MAX_QUESTIONS - 1], ". ".join(parts[MAX_QUESTIONS - 1:])]
    return parts or [text.strip()]
