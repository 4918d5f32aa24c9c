"""Rasa entity extractor: finds catalog procedures named in a message (entity ``procedure``).

The aliases come from the procedure catalog (``name``, ``short_name`` and ``aliases`` of every
procedure) each time the model is loaded, so an office adds an alias in
``catalog/data/procedures/<id>.yaml`` and restarts the bot: no retraining. Matching runs on
lemmas (folded, teencode expanded: see :mod:`bot.nlu.teencode`), so ``"rut bhxh 1 lan"``,
``"Rút BHXH một lần"`` and ``"rút bảo hiểm xã hội 1 lần"`` all match the alias
``"rút bhxh 1 lần"``.
The longest alias wins; matches start and end on whole typed words, and the entity's
``start``/``end`` point into the message as typed. The entity value is the procedure id.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.teencode import TeencodeTable, load_teencode

__all__ = [
    "AliasIndex",
    "CatalogUnavailable",
    "ProcedureExtractor",
    "ProcedureMention",
    "aliases_from_catalog",
]

logger = logging.getLogger(__name__)

ENTITY = "procedure"
_WORD = re.compile(r"\w+", re.UNICODE)


class CatalogUnavailable(RuntimeError):
    """The procedure catalog cannot be loaded, so procedure names cannot be recognised."""


@dataclass(frozen=True)
class ProcedureMention:
    """A procedure named in a message: its id and where the words are in the typed text."""

    procedure_id: str
    start: int
    end: int


@dataclass(frozen=True)
class _Word:
    lemma: str
    token_index: int
    first_of_token: bool
    last_of_token: bool


class AliasIndex:
    """Aliases as lemma-word sequences, matched longest first on a message's tokens."""

    def __init__(self, aliases: Mapping[str, Iterable[str]], table: TeencodeTable) -> None:
        """Builds the index.

        Args:
            aliases: procedure id → its names and aliases, as typed in the catalog.
            table: the teencode table (the same one the tokenizer uses).
        """
        self._table = table
        owners: dict[tuple[str, ...], set[str]] = {}
        for procedure_id, names in aliases.items():
            for name in names:
                words = tuple(w.lemma for w in _words(_split(name), table))
                if words:
                    owners.setdefault(words, set()).add(procedure_id)
        self._entries: dict[tuple[str, ...], str] = {}
        for words, ids in owners.items():
            if len(ids) > 1:
                logger.warning(
                    "alias %r belongs to several procedures (%s): ignored",
                    " ".join(words),
                    ", ".join(sorted(ids)),
                )
                continue
            self._entries[words] = next(iter(ids))
        self._longest = max((len(w) for w in self._entries), default=0)

    def __len__(self) -> int:
        """Returns the number of usable aliases."""
        return len(self._entries)

    def find(self, tokens: Sequence[Token]) -> list[ProcedureMention]:
        """Returns the procedures named in the tokens, left to right, without overlaps.

        Args:
            tokens: the message's tokens (``text``/``start``/``end`` as typed).
        """
        words = _words(tokens, self._table)
        mentions: list[ProcedureMention] = []
        i = 0
        while i < len(words):
            found = self._longest_at(words, i)
            if found is None:
                i += 1
                continue
            end, procedure_id = found
            if not _denied(words, i):
                first, last = tokens[words[i].token_index], tokens[words[end - 1].token_index]
                mentions.append(ProcedureMention(procedure_id, first.start, last.end))
            i = end
        return mentions

    def _longest_at(self, words: Sequence[_Word], i: int) -> tuple[int, str] | None:
        if not words[i].first_of_token:
            return None
        for end in range(min(len(words), i + self._longest), i, -1):
            if not words[end - 1].last_of_token:
                continue
            key = tuple(w.lemma for w in words[i:end])
            if key in self._entries:
                return end, self._entries[key]
        return None


_NEGATIONS = frozenset({"khong", "ko", "k", "chua", "chang", "cha", "hok"})
_USE_VERBS = frozenset({"dung", "xai", "cai", "biet", "ranh", "can"})
"""After a negation these say the procedure is NOT what the citizen wants: "tôi không dùng
VssID, nhờ bạn nộp giúp" once opened VssID registration instead of the submission."""


def _denied(words: Sequence[_Word], i: int) -> bool:
    """True when the mention at ``words[i]`` follows "không dùng", "chưa có", "không biết"."""
    before = [word.lemma for word in words[max(0, i - 3) : i]]
    return any(
        first in _NEGATIONS and second in _USE_VERBS
        for first, second in itertools.pairwise(before)
    )


def _split(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _words(tokens: Sequence[Token], table: TeencodeTable) -> list[_Word]:
    """Splits each token's lemma (recomputed from its text) into words."""
    words: list[_Word] = []
    previous: str | None = None
    for index, token in enumerate(tokens):
        parts = _WORD.findall(table.lemma(token.text, previous))
        previous = token.text
        for n, part in enumerate(parts):
            words.append(_Word(part, index, n == 0, n == len(parts) - 1))
    return words


def aliases_from_catalog() -> dict[str, list[str]]:
    """Reads every procedure's name, short name and aliases from the catalog.

    Returns:
        procedure id → names and aliases.

    Raises:
        CatalogUnavailable: the catalog package or its data cannot be loaded.
    """
    try:
        from bhxh_catalog import load_catalog

        catalog = load_catalog()
        return {
            pid: [proc.name, proc.short_name, *proc.aliases]
            for pid, proc in catalog.procedures.items()
        }
    except Exception as exc:  # any failure means the bot cannot recognise procedures
        raise CatalogUnavailable(
            "bot.nlu.procedure_extractor: cannot load the procedure catalog "
            f"({type(exc).__name__}: {exc}). Check catalog/data (bin/catalog check) "
            "or BHXH_CATALOG_DIR."
        ) from exc


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ProcedureExtractor(GraphComponent, EntityExtractorMixin):  # type: ignore[misc]
    """Adds a ``procedure`` entity (value: procedure id) for each catalog alias in the message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config (none needed)."""
        return {}

    def __init__(self, index: AliasIndex) -> None:
        """Keeps the alias index."""
        self._index = index

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ProcedureExtractor:
        """Loads the aliases from the catalog (at training and at every model load).

        Raises:
            CatalogUnavailable: the catalog cannot be loaded.
        """
        index = AliasIndex(aliases_from_catalog(), load_teencode())
        logger.info("procedure extractor: %d aliases from the catalog", len(index))
        return cls(index)

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends the procedure entities found in each message."""
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or _split(message.get(TEXT) or "")
            entities = [
                {
                    "entity": ENTITY,
                    "value": mention.procedure_id,
                    "start": mention.start,
                    "end": mention.end,
                    "confidence_entity": 1.0,
                }
                for mention in self._index.find(tokens)
            ]
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(entities),
                add_to_output=True,
            )
        return messages
