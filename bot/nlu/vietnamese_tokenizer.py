"""Rasa tokenizer for Vietnamese chat text: syllable tokens, folded teencode-expanded lemmas.

Tokens are split like Rasa's ``WhitespaceTokenizer`` (one token per syllable, punctuation at the
edges dropped). Each token keeps what the citizen typed: ``Token.start``/``Token.end`` index the
raw message (even when it arrived in NFD), and ``Token.text`` is that raw slice in NFC. The
features read ``Token.lemma`` instead (CountVectorsFeaturizer's ``use_lemma``, on by default): see
:meth:`bot.nlu.teencode.TeencodeTable.lemma`. So ``"Rút BHXH 1 lần"``, ``"rut bhxh 1 lan"`` and
``"rút bảo hiểm xã hội một lần"`` look the same to the classifier, while entity offsets and the
text shown back to people stay as typed.

Rasa runs the same tokenizer on the training data and on every incoming message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bhxh_catalog import vntext
from bot.nlu.teencode import DEFAULT_TEENCODE_PATH, TeencodeTable, load_teencode

__all__ = ["VietnameseTokenizer", "lemmatize"]


def lemmatize(tokens: list[Token], table: TeencodeTable) -> list[Token]:
    """Returns the tokens with NFC text and folded, teencode-expanded lemmas.

    Args:
        tokens: tokens whose ``text``, ``start`` and ``end`` are slices of the raw message.
        table: the teencode table.

    Returns:
        New tokens with the same offsets and data.
    """
    result: list[Token] = []
    previous: str | None = None
    for token in tokens:
        lemma = table.lemma(token.text, previous)
        result.append(
            Token(
                vntext.normalize(token.text),
                token.start,
                token.end,
                data=token.data,
                lemma=lemma or vntext.fold(token.text),
            )
        )
        previous = token.text
    return result


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):  # type: ignore[misc]
    """Whitespace tokenizer whose lemmas are NFC, collapsed, teencode-expanded and folded.

    Config (besides WhitespaceTokenizer's): ``teencode_path``, the teencode table
    (default ``bot/nlu/teencode.yml``, relative paths from the working directory).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {**WhitespaceTokenizer.get_default_config(), "teencode_path": None}

    def __init__(self, config: dict[str, Any]) -> None:
        """Loads the teencode table.

        Raises:
            bot.nlu.teencode.TeencodeError: the table cannot be read.
        """
        super().__init__(config)
        self._table = load_teencode(_teencode_path(config))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        """Creates the component (see Rasa's GraphComponent.create)."""
        return cls(config)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Makes Rasa's training cache notice edits of the teencode table and of this code."""
        digest = hashlib.sha256()
        for path in (_teencode_path(config), Path(__file__), Path(vntext.__file__)):
            digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(Path(__file__).with_name("teencode.py").read_bytes())
        return digest.hexdigest()

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Splits the attribute's text into syllable tokens with normalised lemmas."""
        return lemmatize(super().tokenize(message, attribute), self._table)


def _teencode_path(config: dict[str, Any]) -> Path:
    configured = config.get("teencode_path")
    return Path(configured) if configured else DEFAULT_TEENCODE_PATH
