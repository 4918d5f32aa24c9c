"""The tokens topics are ranked on: the NLU's lemmas (teencode expanded, folded), catalog rewrites.

Shared by the NLU component (:mod:`bot.nlu.topic_router`) and the actions (which rank again when a
form asks for it), so both read a message exactly alike. No Rasa import.
"""

from __future__ import annotations

import functools
import re

from bhxh_catalog import vntext
from bhxh_catalog.search import canonical_tokens
from bhxh_catalog.topics_rank import Tokenize
from bot.nlu.teencode import TeencodeTable, load_teencode

__all__ = ["default_tokenizer", "lemma_tokenizer"]

_WORD = re.compile(r"\w+", re.UNICODE)


def lemma_tokenizer(table: TeencodeTable) -> Tokenize:
    """Folded tokens with teencode expanded, then the catalog's rewrites (``bhxh``, ``1``)."""

    def tokenize(text: str) -> list[str]:
        lemmas: list[str] = []
        previous: str | None = None
        for word in _WORD.findall(vntext.normalize(text)):
            lemmas.append(table.lemma(word, previous))
            previous = word
        return canonical_tokens(" ".join(lemmas))

    return tokenize


@functools.lru_cache(maxsize=1)
def default_tokenizer() -> Tokenize:
    """The tokenizer over the project's teencode table (read once)."""
    return lemma_tokenizer(load_teencode())
