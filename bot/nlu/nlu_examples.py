"""Reads intent examples from Rasa NLU YAML files (for the data tests and the NLU benchmark).

Only what those need: each example's text (entity annotations ``[text](entity)`` reduced to the
text), its intent, the block's ``metadata.style`` and the file it came from. Rasa itself reads the
training data; this module never feeds a model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["UNACCENTED_STYLE", "Example", "read_examples"]

UNACCENTED_STYLE = "unaccented_or_teencode"
"""``metadata.style`` of held-out blocks typed without diacritics or with teencode."""

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    """One intent example."""

    text: str
    intent: str
    style: str | None
    path: Path


def read_examples(paths: Iterable[Path]) -> list[Example]:
    """Returns the intent examples of the given YAML files, in file order.

    Args:
        paths: NLU YAML files (other sections such as ``synonym`` or ``lookup`` are skipped).

    Raises:
        ValueError: a file is not NLU YAML with an ``nlu`` list.
    """
    examples: list[Example] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        blocks = data.get("nlu") if isinstance(data, dict) else None
        if not isinstance(blocks, list):
            raise ValueError(f"{path}: no 'nlu' list")
        for block in blocks:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            metadata = block.get("metadata") or {}
            style = metadata.get("style") if isinstance(metadata, dict) else None
            for text in _texts(block.get("examples")):
                examples.append(Example(text, str(block["intent"]), style, path))
    return examples


def _texts(raw: object) -> list[str]:
    if isinstance(raw, str):
        lines = [line.strip() for line in raw.splitlines()]
        items = [line[2:] if line.startswith("- ") else line[1:] for line in lines if line]
    elif isinstance(raw, list):
        items = [
            str(item.get("text", "")) if isinstance(item, dict) else str(item) for item in raw
        ]
    else:
        items = []
    return [_ANNOTATION.sub(r"\1", item).strip() for item in items if item.strip()]
