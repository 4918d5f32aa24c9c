"""Finding procedures from free text by their names and aliases, on folded text.

Text and aliases are compared as folded tokens (``vntext.tokens``: no diacritics, lower case),
after a few canonical rewrites ("bảo hiểm xã hội" → "bhxh", "một" → "1"). A phrase scores by
the share of its tokens found in the text, each token weighted by how rare it is among the
procedures; a phrase found word for word in the text scores more, an exact match most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bhxh_catalog.vntext import tokens

if TYPE_CHECKING:
    from bhxh_catalog.models import Procedure

__all__ = ["MIN_SCORE", "SearchIndex", "canonical_tokens"]

MIN_SCORE = 0.6
"""Smallest score :meth:`SearchIndex.search` returns by default."""

_REWRITES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("bao", "hiem", "xa", "hoi"), ("bhxh",)),
    (("bao", "hiem", "y", "te"), ("bhyt",)),
    (("tn",), ("tu", "nguyen")),
    (("mot",), ("1",)),
    (("hgd",), ("ho", "gia", "dinh")),
    (("qd",), ("quyet", "dinh")),
)


def canonical_tokens(text: str) -> list[str]:
    """Folds, tokenises and rewrites abbreviations: ``"Rút BHXH một lần" → rut bhxh 1 lan``."""
    words = tokens(text.replace("_", " "))
    out: list[str] = []
    index = 0
    while index < len(words):
        for pattern, replacement in _REWRITES:
            if tuple(words[index : index + len(pattern)]) == pattern:
                out.extend(replacement)
                index += len(pattern)
                break
        else:
            out.append(words[index])
            index += 1
    return out


@dataclass(frozen=True, slots=True)
class _Entry:
    procedure_id: str
    order: int
    phrases: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """Name/alias phrases of every procedure, with token weights."""

    entries: tuple[_Entry, ...]
    weights: dict[str, float]

    @classmethod
    def build(cls, procedures: Iterable[Procedure]) -> SearchIndex:
        """Indexes id, name, short name and aliases of each procedure."""
        entries = tuple(
            _Entry(proc.id, order, _phrases(proc)) for order, proc in enumerate(procedures)
        )
        counts: dict[str, int] = {}
        for entry in entries:
            for token in {token for phrase in entry.phrases for token in phrase}:
                counts[token] = counts.get(token, 0) + 1
        total = max(len(entries), 1)
        weights = {token: math.log(1 + total / count) for token, count in counts.items()}
        return cls(entries, weights)

    def search(self, text: str, min_score: float = MIN_SCORE) -> list[tuple[str, float]]:
        """Ranks procedure ids for ``text``, best first.

        Args:
            text: free text as typed ("rut bhxh 1 lan", "đóng bảo hiểm tự nguyện").
            min_score: scores below this are left out (an exact alias scores 2).

        Returns:
            ``(procedure_id, score)`` pairs, highest score first, ties in catalog order.
        """
        words = canonical_tokens(text)
        if not words:
            return []
        scored = [(self._score(entry, words), entry) for entry in self.entries]
        hits = [(score, entry) for score, entry in scored if score >= min_score]
        hits.sort(key=lambda hit: (-hit[0], hit[1].order))
        return [(entry.procedure_id, round(score, 3)) for score, entry in hits]

    def _score(self, entry: _Entry, words: list[str]) -> float:
        return max((self._phrase_score(phrase, words) for phrase in entry.phrases), default=0.0)

    def _phrase_score(self, phrase: tuple[str, ...], words: list[str]) -> float:
        if tuple(words) == phrase:
            return 2.0
        present = set(words)
        total = sum(self.weights.get(token, 1.0) for token in phrase)
        found = sum(self.weights.get(token, 1.0) for token in phrase if token in present)
        coverage = found / total if total else 0.0
        return coverage + (0.5 if _contains(words, phrase) else 0.0)


def _phrases(proc: Procedure) -> tuple[tuple[str, ...], ...]:
    texts = [proc.id, proc.name, proc.short_name, *proc.aliases]
    phrases = {tuple(canonical_tokens(text)) for text in texts}
    return tuple(sorted(phrase for phrase in phrases if phrase))


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))
