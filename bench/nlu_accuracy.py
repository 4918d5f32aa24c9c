"""NLU benchmark: intent accuracy of the trained pipeline on the held-out set.

Usage (from the repository root)::

    bin/env bot python bench/nlu_accuracy.py            # trains config.yml's NLU into a temp dir
    BHXH_MODEL=models/current.tar.gz bin/env bot python bench/nlu_accuracy.py   # reuses a model
    bin/env bot python bench/nlu_accuracy.py --stock    # the stock `rasa init` pipeline, same data

Prints: held-out intent accuracy overall and on the part typed without diacritics or with teencode
(blocks marked ``metadata: {style: unaccented_or_teencode}`` in tests/nlu/heldout.yml), macro-F1,
the five worst intents with their main confusions, and the training time. "As the bot sees it"
counts a message that falls back (``nlu_fallback``) as wrong; "top intent" is the classifier's best
guess before the FallbackClassifier. Targets: ≥ 90 % overall, ≥ 85 % unaccented/teencode.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "catalog")]

from bot.nlu.nlu_examples import UNACCENTED_STYLE, Example, read_examples  # noqa: E402

FALLBACK = "nlu_fallback"

# The pipeline `rasa init` trains with (Rasa 3.6's default_config.yml), for --stock.
STOCK_PIPELINE: list[dict[str, Any]] = [
    {"name": "WhitespaceTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
    {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True},
    {"name": "EntitySynonymMapper"},
    {"name": "ResponseSelector", "epochs": 100, "constrain_similarities": True},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
]


@dataclass(frozen=True)
class Prediction:
    """The intent the bot sees and the classifier's best intent before fallback."""

    example: Example
    final: str
    top: str


def main(argv: Sequence[str] | None = None) -> None:
    """Trains (or reuses) a model, parses the held-out set and prints the figures."""
    args = _parse_args(argv)
    _quiet()
    heldout = read_examples([args.heldout])
    with tempfile.TemporaryDirectory(prefix="nlu-bench-") as tmp:
        model, seconds = _model(args, Path(tmp))
        predictions = asyncio.run(_predict(model, heldout))
    title = "stock Rasa pipeline" if args.stock else f"project pipeline ({args.config})"
    _report(title, predictions, seconds)


def _quiet() -> None:
    """Keeps Rasa's per-message debug lines out of the report."""
    import structlog

    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stock", action="store_true", help="use Rasa's default pipeline")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--nlu", type=Path, default=ROOT / "bot" / "data" / "nlu")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument(
        "--model", type=Path, default=None, help="trained model to reuse (default: $BHXH_MODEL)"
    )
    args = parser.parse_args(argv)
    if args.model is None and os.environ.get("BHXH_MODEL") and not args.stock:
        args.model = Path(os.environ["BHXH_MODEL"])
    return args


def _model(args: argparse.Namespace, tmp: Path) -> tuple[Path, float | None]:
    if args.model is not None:
        return args.model, None
    config = _config(args, tmp)
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config),
            "--nlu", str(args.nlu), "--out", str(tmp), "--fixed-model-name", "nlu", "--quiet",
        ],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    return tmp / "nlu.tar.gz", time.monotonic() - started


def _config(args: argparse.Namespace, tmp: Path) -> Path:
    config = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    if args.stock:
        config["pipeline"] = STOCK_PIPELINE
    config.pop("policies", None)
    path = tmp / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


async def _predict(model: Path, examples: Sequence[Example]) -> list[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    predictions = []
    for example in examples:
        parsed = await agent.parse_message(example.text)
        final = parsed["intent"]["name"]
        ranking = [r["name"] for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK]
        predictions.append(Prediction(example, final, ranking[0] if ranking else final))
    return predictions


def _report(title: str, predictions: Sequence[Prediction], seconds: float | None) -> None:
    from sklearn.metrics import f1_score

    unaccented = [p for p in predictions if p.example.style == UNACCENTED_STYLE]
    gold = [p.example.intent for p in predictions]
    labels = sorted(set(gold))
    print(f"NLU benchmark — {title}")
    print(f"held-out messages: {len(predictions)} ({len(unaccented)} unaccented/teencode)")
    print(f"training time: {f'{seconds:.0f} s' if seconds is not None else 'model reused'}")
    for name, part in (("overall", predictions), ("unaccented/teencode", unaccented)):
        print(
            f"intent accuracy {name:>20}: {_accuracy(part, final=True):6.1%} as the bot sees it"
            f" | {_accuracy(part, final=False):6.1%} top intent"
        )
    macro = f1_score(gold, [p.final for p in predictions], labels=labels, average="macro")
    macro_top = f1_score(gold, [p.top for p in predictions], labels=labels, average="macro")
    print(f"macro-F1: {macro:.3f} as the bot sees it | {macro_top:.3f} top intent")
    fallbacks = sum(p.final == FALLBACK for p in predictions)
    print(f"fell back (nlu_fallback): {fallbacks}")
    print("five worst intents (F1 as the bot sees it; main confusions):")
    per_intent = f1_score(gold, [p.final for p in predictions], labels=labels, average=None)
    worst = sorted(zip(labels, per_intent, strict=True), key=lambda pair: pair[1])[:5]
    for intent, score in worst:
        mine = [p for p in predictions if p.example.intent == intent]
        wrong = Counter(p.final for p in mine if p.final != intent)
        stolen = Counter(p.example.intent for p in predictions
                         if p.final == intent and p.example.intent != intent)  # fmt: skip
        print(
            f"  {intent:<36} F1 {score:.2f}  recall {1 - sum(wrong.values()) / len(mine):.0%}"
            f"  → {_top(wrong)}  ← {_top(stolen)}"
        )
    misses = [p for p in predictions if p.final != p.example.intent]
    if misses:
        print("misclassified:")
        for p in misses:
            print(f"  [{p.example.intent} → {p.final}] {p.example.text}")


def _accuracy(predictions: Sequence[Prediction], final: bool) -> float:
    if not predictions:
        return 0.0
    hits = sum((p.final if final else p.top) == p.example.intent for p in predictions)
    return hits / len(predictions)


def _top(counter: Counter[str]) -> str:
    return ", ".join(f"{name} ×{n}" for name, n in counter.most_common(3)) or "—"


if __name__ == "__main__":
    main()
