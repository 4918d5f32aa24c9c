"""Held-out typed answers to the catalog's real questions: how many are read correctly.

Usage (from the repository root)::

    bin/env bot python bench/typed_answers.py [--heldout tests/nlu/heldout_answers.yml]
                                              [--today 2026-12-07] [--show-misses]

The held-out file was written by people who saw neither the code nor the training data: a list
of ``{question: "<procedure>.<question_id>", text, expect, persona}``; ``expect: null`` marks a
counter-question, which must not be taken for an answer. Prints the share read correctly,
overall, per kind and per persona, and the misses. Target (issue 15): ≥ 95 %, and no duration
or date misread in a way that changes a verdict. Prints figures only.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "catalog")]

from bhxh_catalog import load_catalog  # noqa: E402
from bhxh_catalog.errors import AnswerError  # noqa: E402
from bhxh_catalog.models import Question  # noqa: E402
from bhxh_catalog.vntext import is_question  # noqa: E402

HELDOUT = ROOT / "tests" / "nlu" / "heldout_answers.yml"


def _question(catalog: object, key: str) -> Question | None:
    procedure_id, _, question_id = key.partition(".")
    proc = catalog.procedures.get(procedure_id)  # type: ignore[attr-defined]
    if proc is None:
        return None
    found = proc.question(question_id)
    if found is not None:
        return found
    for amount in proc.amounts:
        for item in amount.inputs:
            if item.id == question_id:
                return item
    return None


def _same(kind: str, got: object, expect: object) -> bool:
    if kind == "date":
        return isinstance(got, date) and got.isoformat() == str(expect)
    if kind in ("number", "integer", "money") and isinstance(expect, (int, float)):
        return isinstance(got, (int, float)) and abs(float(got) - float(expect)) < 0.01
    return got == expect


def _read(question: Question, text: str) -> object | None:
    if is_question(text):
        return None
    try:
        return question.read(text)
    except AnswerError:
        return None


def main() -> None:
    """Reads the held-out file and prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--today", default="2026-12-07", help="the day the answers were written")
    args = parser.parse_args()
    os.environ["BHXH_TODAY"] = args.today
    catalog = load_catalog()
    rows = yaml.safe_load(args.heldout.read_text(encoding="utf-8"))
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: list[str] = []
    for row in rows:
        question = _question(catalog, str(row["question"]))
        if question is None:
            continue
        got = _read(question, str(row["text"]))
        expect = row["expect"]
        ok = got is None if expect is None else _same(question.kind, got, expect)
        for key in ("all", f"kind:{question.kind}", f"persona:{row.get('persona')}"):
            total[key] += 1
            right[key] += ok
        if not ok:
            misses.append(f"{row['question']}  {row['text']!r}  expected {expect!r}, got {got!r}")
    for key in sorted(total, key=lambda k: (k != "all", k)):
        print(f"{key:22} {right[key]:4}/{total[key]:<4} {100 * right[key] / total[key]:5.1f} %")
    if args.show_misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
