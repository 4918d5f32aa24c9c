"""Rasa entity extractor for identifiers and values typed in a message.

Finds CCCD numbers, social-insurance codes (mã số BHXH), BHYT card codes, phone numbers, dates,
money amounts, numbers, provinces and banks with the catalog's shared validators
(:func:`bhxh_catalog.validators.extract_values`), so the bot and the intake service read values the
same way. Entity names are those of docs/nlu-intents.md, plus ``cmnd`` and ``bank_account`` when
the words before the number say so ("CMND", "STK"); ``start``/``end`` point into the message as
typed. Values are what ``validate(kind, raw)`` returns, made JSON-friendly: dates as ISO strings,
money as integer VND, a bank as its usual name ("Vietcombank"), a province as the current
province's label ("TP Hồ Chí Minh", also for a legacy name such as "Bình Dương").

A 10-digit number can be a mobile phone number or a mã số BHXH. The words just before it decide
("sđt", "điện thoại", "zalo" → phone; "mã số bhxh", "mã bảo hiểm", "sổ" → bhxh_code); with no
such word, a number with a valid mobile prefix is a phone number, any other is a mã số BHXH.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.teencode import TeencodeTable, load_teencode

__all__ = ["ENTITY_KINDS", "Entity", "FoundValueLike", "ValueExtractor", "find_entities"]

logger = logging.getLogger(__name__)

# Most specific first: when two values overlap, the earlier kind wins.
ENTITY_KINDS = (
    "bhyt_card",
    "cccd",
    "cmnd",
    "bhxh_code",
    "phone",
    "bank_account",
    "date",
    "money",
    "bank",
    "province",
    "number",
)
_PRIORITY = {kind: rank for rank, kind in enumerate(ENTITY_KINDS)}

_PHONE_CUES = ("dien thoai", "di dong", "zalo", "phone", "lien he", "lien lac", "goi", "sim")
_BHXH_CUES = ("bao hiem", "ma so", "ma bh", "so so", "so bao", "ma the")
_CONTEXT_CHARS = 40
_WORD = re.compile(r"\w+", re.UNICODE)
_NOT_DIGIT = re.compile(r"\D")
_NUMBER = re.compile(r"\d(?:[\d\s.\-/]*\d)?")
_MOBILE = re.compile(r"^0(3[2-9]|5[2689]|7[06-9]|8[1-9]|9\d)\d{7}$")


class FoundValueLike(Protocol):
    """What :func:`bhxh_catalog.validators.extract_values` returns for each value found."""

    @property
    def kind(self) -> str:
        """One of the validators' extract kinds (``"phone"``, ``"cccd"``, …)."""

    @property
    def value(self) -> object:
        """The normalised value."""

    @property
    def start(self) -> int:
        """Index of the first character in the text."""

    @property
    def end(self) -> int:
        """Index just after the last character."""

    @property
    def raw(self) -> str:
        """The text as typed, ``text[start:end]``."""


Extract = Callable[[str], Sequence[FoundValueLike]]


@dataclass(frozen=True)
class Entity:
    """An entity ready for Rasa: kind, JSON-friendly value, span in the typed text."""

    kind: str
    value: Any
    start: int
    end: int

    def as_rasa(self) -> dict[str, Any]:
        """Returns the entity as Rasa's message data expects it."""
        return {
            "entity": self.kind,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "confidence_entity": 1.0,
        }


def find_entities(text: str, extract: Extract, table: TeencodeTable) -> list[Entity]:
    """Returns the values found in *text*, without overlaps, in text order.

    Args:
        text: the message as typed.
        extract: the value finder (``bhxh_catalog.validators.extract_values``).
        table: the teencode table, to read context words such as "sđt".
    """
    candidates: list[Entity] = []
    for found in extract(text):
        kind = _decide_kind(text, found, table)
        if kind in _PRIORITY:
            candidates.append(Entity(kind, _json_value(kind, found), found.start, found.end))
    candidates.sort(key=lambda e: (_PRIORITY[e.kind], e.start))
    kept: list[Entity] = []
    for entity in candidates:
        if all(entity.end <= k.start or entity.start >= k.end for k in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: e.start)


def _decide_kind(text: str, found: FoundValueLike, table: TeencodeTable) -> str:
    if found.kind not in ("phone", "bhxh_code"):
        return found.kind
    digits = _NOT_DIGIT.sub("", found.raw)
    if len(digits) != 10:
        return found.kind
    cue = _context_cue(text[max(0, found.start - _CONTEXT_CHARS) : found.start], table)
    if cue is None:
        cue = _context_cue(text[found.end : found.end + _CONTEXT_CHARS], table, before=False)
    if cue is not None:
        return cue
    return "phone" if _MOBILE.match(digits) else "bhxh_code"


def _context_cue(snippet: str, table: TeencodeTable, before: bool = True) -> str | None:
    """Returns the kind named by the cue nearest to the number, in the words next to it.

    Only the words between the number and the next number on that side count.
    """
    pieces = _NUMBER.split(snippet)
    part = pieces[-1] if before else pieces[0]
    words: list[str] = []
    previous: str | None = None
    for word in _WORD.findall(part):
        words.extend(table.lemma(word, previous).split())
        previous = word
    folded = " ".join(words)
    best: tuple[int, str] | None = None
    for cues, kind in ((_PHONE_CUES, "phone"), (_BHXH_CUES, "bhxh_code")):
        for cue in cues:
            for match in re.finditer(rf"\b{cue}\b", folded):
                nearness = match.end() if before else -match.start()
                if best is None or nearness > best[0]:
                    best = (nearness, kind)
    return best[1] if best else None


def _json_value(kind: str, found: FoundValueLike) -> Any:
    """Returns the value as :func:`bhxh_catalog.validators.validate` would, JSON-friendly."""
    value = found.value
    if kind in ("phone", "bhxh_code") and found.kind != kind:
        return _NOT_DIGIT.sub("", found.raw)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # Bank → "Vietcombank", ProvinceMatch → "TP Hồ Chí Minh"


def _catalog_extract() -> Extract:
    from bhxh_catalog.validators import extract_values

    def extract(text: str) -> Sequence[FoundValueLike]:
        return extract_values(text)

    return extract


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ValueExtractor(GraphComponent, EntityExtractorMixin):  # type: ignore[misc]
    """Adds cccd, cmnd, bhxh_code, bhyt_card, phone, bank_account, date, money, number, province
    and bank entities."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config (none needed)."""
        return {}

    def __init__(self, extract: Extract, table: TeencodeTable) -> None:
        """Keeps the value finder and the teencode table."""
        self._extract = extract
        self._table = table

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ValueExtractor:
        """Creates the component with the catalog's value finder."""
        return cls(_catalog_extract(), load_teencode())

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends the values found in each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            entities = [e.as_rasa() for e in find_entities(text, self._extract, self._table)]
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(entities),
                add_to_output=True,
            )
        return messages
