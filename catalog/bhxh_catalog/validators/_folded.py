"""Folded text that remembers where each folded character came from in the original text.

Matching runs on the folded form (lower case, no diacritics, ``đ → d``) while the spans it finds
must point into the text as the person typed it, which may be NFD or contain look-alike letters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bhxh_catalog.vntext import fold

__all__ = ["FoldedText", "Word", "fold_with_offsets"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Word:
    """A word of the folded text with its position in the folded text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class FoldedText:
    """The folded form of ``original`` plus, per folded character, its original span.

    Attributes:
        original: the text as given.
        folded: the folded text.
        starts: for each folded character, the index of its first original character.
        ends: for each folded character, the index just after its last original character.
    """

    original: str
    folded: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Maps the folded slice ``[start, end)`` (non-empty) to a slice of the original text."""
        return self.starts[start], self.ends[end - 1]

    def words(self) -> list[Word]:
        """Returns the words (letters and digits) of the folded text."""
        return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(self.folded)]


def fold_with_offsets(text: str) -> FoldedText:
    """Folds *text* one character cluster (a base letter and its marks) at a time.

    Args:
        text: the original text, in any normalisation form.

    Returns:
        The folded text and the offset tables back into *text*.
    """
    folded: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    while index < len(text):
        stop = index + 1
        while stop < len(text) and unicodedata.combining(text[stop]):
            stop += 1
        for char in fold(text[index:stop]):
            folded.append(char)
            starts.append(index)
            ends.append(stop)
        index = stop
    return FoldedText(text, "".join(folded), tuple(starts), tuple(ends))
