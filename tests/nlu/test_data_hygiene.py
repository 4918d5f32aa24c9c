"""NLU training data and held-out set: NFC, complete, consistent and kept apart."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bhxh_catalog import vntext
from bot.nlu.nlu_examples import UNACCENTED_STYLE, Example, read_examples

ROOT = Path(__file__).resolve().parents[2]
TRAINING_DIR = ROOT / "bot" / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
MIN_EXAMPLES = 20
MIN_HELDOUT = 330
MIN_UNACCENTED_SHARE = 0.40


def documented_intents() -> set[str]:
    """The intent names of docs/nlu-intents.md (every backquoted name above "## Entities")."""
    doc = (ROOT / "docs" / "nlu-intents.md").read_text(encoding="utf-8")
    intents_part = doc.split("## Entities")[0]
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", intents_part)) - {"procedure"}


def key(text: str) -> str:
    """What the NLU sees of a message, near enough: folded words."""
    return " ".join(vntext.tokens(text))


@pytest.fixture(scope="module")
def training() -> list[Example]:
    return read_examples(sorted(TRAINING_DIR.glob("*.yml")))


@pytest.fixture(scope="module")
def heldout() -> list[Example]:
    return read_examples([HELDOUT])


def yaml_files() -> list[Path]:
    folders = [ROOT / "bot" / "data", ROOT / "tests" / "nlu", ROOT / "bot" / "nlu"]
    return sorted(p for folder in folders for p in folder.rglob("*.y*ml"))


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_yaml_is_nfc(path: Path):
    text = path.read_text(encoding="utf-8")
    bad = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if not unicodedata.is_normalized("NFC", line)
    ]
    assert not bad, f"{path.relative_to(ROOT)}: lines not in NFC: {bad}"


def test_documented_intents_are_found():
    assert len(documented_intents()) >= 30  # the parse of the doc did not break


def test_training_covers_exactly_the_documented_intents(training):
    assert {e.intent for e in training} == documented_intents()


def test_every_intent_has_enough_distinct_examples(training):
    distinct: dict[str, set[str]] = defaultdict(set)
    for example in training:
        distinct[example.intent].add(key(example.text))
    thin = {intent: len(texts) for intent, texts in distinct.items() if len(texts) < MIN_EXAMPLES}
    assert not thin, f"fewer than {MIN_EXAMPLES} distinct examples: {thin}"


def test_no_message_is_trained_with_two_intents(training):
    intents: dict[str, set[str]] = defaultdict(set)
    for example in training:
        intents[key(example.text)].add(example.intent)
    clashes = {text: sorted(names) for text, names in intents.items() if len(names) > 1}
    assert not clashes


def test_teencode_table_is_not_training_data():
    assert not list((ROOT / "bot" / "data").rglob("teencode*"))


def test_heldout_is_large_and_covers_every_intent(heldout):
    assert len(heldout) >= MIN_HELDOUT
    assert {e.intent for e in heldout} == documented_intents()


def test_heldout_has_enough_unaccented_or_teencode_messages(heldout):
    share = sum(e.style == UNACCENTED_STYLE for e in heldout) / len(heldout)
    assert share >= MIN_UNACCENTED_SHARE


def test_heldout_styles_are_known(heldout):
    assert {e.style for e in heldout} <= {None, UNACCENTED_STYLE}


def test_unaccented_blocks_really_are_unaccented_or_teencode(heldout, table):
    def plain(text: str) -> bool:
        return vntext.fold(text) == vntext.normalize(text).lower()

    def teencode(text: str) -> bool:
        words = re.findall(r"\w+", text.lower())
        return any(table.lemma(w) != vntext.fold(w) for w in words if not w.isdigit())

    wrong = [e.text for e in heldout if e.style == UNACCENTED_STYLE
             and not (plain(e.text) or teencode(e.text))]  # fmt: skip
    assert not wrong


def test_heldout_never_appears_in_training(training, heldout):
    seen = {key(e.text) for e in training}
    leaked = [e.text for e in heldout if key(e.text) in seen]
    assert not leaked


def test_heldout_has_no_duplicates_within_a_style(heldout):
    # The same message may appear once typed with diacritics and once without: on purpose.
    counts = Counter((e.style, key(e.text)) for e in heldout)
    assert [text for text, n in counts.items() if n > 1] == []
