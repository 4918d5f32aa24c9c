"""Teencode table and the lemma of a typed word, as the NLU features and alias matching see it.

The lemma of a word is what CountVectorsFeaturizer reads (``Token.lemma``): look-alike letters
repaired, NFC, letters typed three or more times collapsed, teencode expanded, then folded
(lower-case, no diacritics, ``đ → d``). ``"Bhxh" → "bao hiem xa hoi"``, ``"đc" → "duoc"``,
``"khôngggg" → "khong"``. The table is project data (``bot/nlu/teencode.yml``); this module only
reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bhxh_catalog import vntext

__all__ = ["DEFAULT_TEENCODE_PATH", "TeencodeError", "TeencodeTable", "load_teencode"]

DEFAULT_TEENCODE_PATH = Path(__file__).with_name("teencode.yml")

_WORD = re.compile(r"\w+", re.UNICODE)
_HAS_DIGIT = re.compile(r"\d")


class TeencodeError(ValueError):
    """The teencode table cannot be read or has a malformed entry."""


@dataclass(frozen=True)
class TeencodeTable:
    """Abbreviations and their folded expansions.

    Attributes:
        folded: folded token → folded expansion (``"dc" → "duoc"``).
        exact: lower-case NFC token with diacritics → folded expansion (``"hông" → "khong"``).
        not_after_number: folded keys left as typed right after a number (``"500 k"``).
    """

    folded: Mapping[str, str] = field(default_factory=dict)
    exact: Mapping[str, str] = field(default_factory=dict)
    not_after_number: frozenset[str] = frozenset()

    def lemma(self, word: str, previous: str | None = None) -> str:
        """Returns the lemma of one typed word.

        Args:
            word: the word as typed (any Unicode form, any case).
            previous: the word typed just before it, if any (decides ``"500 k"``).

        Returns:
            The folded lemma; may contain spaces when an abbreviation stands for several
            words (``"bhxh" → "bao hiem xa hoi"``).
        """
        cleaned = vntext.collapse_repeats(vntext.normalize(word)).lower()
        folded = vntext.fold(cleaned)
        parts = _WORD.findall(folded)
        if len(parts) > 1 and not _HAS_DIGIT.search(folded):
            # "bhxh/bhyt", "k.dc": expand each piece of a token glued by punctuation.
            return " ".join(self._expand(part, part, previous) for part in parts)
        return self._expand(cleaned, folded, previous)

    def _expand(self, cleaned: str, folded: str, previous: str | None) -> str:
        if cleaned in self.exact:
            return self.exact[cleaned]
        if folded in self.not_after_number and _is_number(previous):
            return folded
        return self.folded.get(folded, folded)


def _is_number(word: str | None) -> bool:
    return bool(word) and bool(_HAS_DIGIT.search(word or ""))


def load_teencode(path: Path = DEFAULT_TEENCODE_PATH) -> TeencodeTable:
    """Reads the teencode table.

    Args:
        path: the YAML file (default ``bot/nlu/teencode.yml``).

    Returns:
        The table, keys and expansions folded.

    Raises:
        TeencodeError: the file is missing, is not YAML, or has a malformed entry.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TeencodeError(f"cannot read the teencode table {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise TeencodeError(f"{path}: expected a mapping with 'folded' and 'exact' sections")
    folded = _section(raw, "folded", path, fold_keys=True)
    exact = _section(raw, "exact", path, fold_keys=False)
    keep = raw.get("not_after_number") or []
    if not isinstance(keep, list) or not all(isinstance(k, str) for k in keep):
        raise TeencodeError(f"{path}: 'not_after_number' must be a list of strings")
    return TeencodeTable(folded, exact, frozenset(vntext.fold(k) for k in keep))


def _section(raw: Mapping[str, object], name: str, path: Path, fold_keys: bool) -> dict[str, str]:
    entries = raw.get(name) or {}
    if not isinstance(entries, dict):
        raise TeencodeError(f"{path}: '{name}' must be a mapping of word → expansion")
    table: dict[str, str] = {}
    for key, value in entries.items():
        if not isinstance(value, str) or not str(key).strip() or not value.strip():
            raise TeencodeError(f"{path}: '{name}.{key}' must map a word to a non-empty text")
        word = str(key).strip()
        norm_key = vntext.fold(word) if fold_keys else vntext.normalize(word).lower()
        if " " in norm_key:
            raise TeencodeError(f"{path}: '{name}.{key}' must be a single word")
        table[norm_key] = " ".join(vntext.tokens(value))
    return table
