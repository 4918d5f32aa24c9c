"""Finding names (provinces, banks) by their folded words, longest name first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from bhxh_catalog.vntext import tokens

__all__ = ["AliasIndex", "scan_mentions"]

T = TypeVar("T")


class AliasIndex(Generic[T]):
    """Maps phrases (compared as folded word sequences) to targets.

    Raises ``ValueError`` when one phrase is given two different targets: that is a data error.
    """

    def __init__(self) -> None:
        self._targets: dict[tuple[str, ...], T] = {}
        self._longest = 0

    def add(self, phrase: str, target: T) -> None:
        """Registers *phrase* (any case, with or without diacritics) for *target*."""
        words = tuple(tokens(phrase))
        if not words:
            return
        known = self._targets.get(words)
        if known is not None and known != target:
            raise ValueError(f"alias {phrase!r} names two different entries")
        self._targets[words] = target
        self._longest = max(self._longest, len(words))

    def get(self, words: Sequence[str]) -> T | None:
        """Returns the target whose phrase is exactly *words*, if any."""
        return self._targets.get(tuple(words))

    def match_at(self, words: Sequence[str], index: int) -> tuple[int, T] | None:
        """Returns ``(number of words, target)`` of the longest phrase starting at *index*."""
        for size in range(min(self._longest, len(words) - index), 0, -1):
            target = self._targets.get(tuple(words[index : index + size]))
            if target is not None:
                return size, target
        return None

    def phrases(self) -> list[str]:
        """Returns every registered phrase as space-joined folded words."""
        return [" ".join(words) for words in self._targets]

    def mentions(self, words: Sequence[str]) -> list[tuple[int, int, T]]:
        """Finds the phrases in *words*; see :func:`scan_mentions`."""
        return scan_mentions(words, self.match_at)


def scan_mentions(
    words: Sequence[str], match_at: Callable[[Sequence[str], int], tuple[int, T] | None]
) -> list[tuple[int, int, T]]:
    """Walks *words* left to right, taking the longest match at each place, without overlaps.

    Args:
        words: folded words.
        match_at: returns ``(number of words, target)`` for a match starting at an index.

    Returns:
        ``(first word index, index after the last word, target)`` for each mention.
    """
    found: list[tuple[int, int, T]] = []
    position = 0
    while position < len(words):
        hit = match_at(words, position)
        if hit is None:
            position += 1
            continue
        size, target = hit
        found.append((position, position + size, target))
        position += size
    return found
