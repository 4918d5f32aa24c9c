"""Split a long bot message into pieces a platform accepts.

Zalo and Messenger take 2000 characters per text message, Telegram 4096 (counted in UTF-16 code
units). A longer answer is cut at the largest natural boundary that fits: between paragraphs,
then lines, then sentences, then words; only a single word longer than the limit is cut inside.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Measure = Callable[[str], int]

_LEVELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n\s*\n"), "\n\n"),  # paragraphs
    (re.compile(r"\n"), "\n"),  # lines
    (re.compile(r"(?<=[.!?…;])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the way Telegram counts message length."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int, measure: Measure = len) -> list[str]:
    """Splits ``text`` into pieces of at most ``limit``, at the largest boundary that fits.

    Args:
        text: the message.
        limit: maximum length of one piece, as counted by ``measure``.
        measure: how the platform counts length (``len`` = code points).

    Returns:
        The pieces in order, stripped; empty when ``text`` is blank.

    Raises:
        ValueError: when ``limit`` is smaller than 1.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    text = text.strip()
    if not text:
        return []
    return _split(text, limit, measure, 0)


def _split(text: str, limit: int, measure: Measure, level: int) -> list[str]:
    if measure(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return _hard_cut(text, limit, measure)
    pattern, joiner = _LEVELS[level]
    units = [unit.strip() for unit in pattern.split(text) if unit.strip()]
    pieces: list[str] = []
    for unit in units:
        pieces.extend(_split(unit, limit, measure, level + 1))
    return _pack(pieces, joiner, limit, measure)


def _pack(pieces: list[str], joiner: str, limit: int, measure: Measure) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{joiner}{piece}" if current else piece
        if measure(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def _hard_cut(text: str, limit: int, measure: Measure) -> list[str]:
    chunks: list[str] = []
    current = ""
    for char in text:
        if current and measure(current + char) > limit:
            chunks.append(current)
            current = ""
        current += char
    if current:
        chunks.append(current)
    return chunks
