"""Knowledge-base benchmark: ranker latency, and held-out topic accuracy and answer correctness.

Usage (from the repository root)::

    bin/env bot python bench/topic_answers.py                     # latency + held-out figures
    bin/env bot python bench/topic_answers.py --heldout other.yml --as-of 2026-07-01
    BHXH_MODEL=models/x.tar.gz bin/env bot python bench/topic_answers.py --model
                                               # also: how often the NLU routes to ask_question

The held-out file (default ``tests/nlu/heldout_topics.yml``, written by people who have not seen
the topics' phrasings) is a list of ``{text, topic, expect}``: ``topic`` the id that should answer
(a list when several may; ``null`` when no topic should), ``expect`` a key figure or phrase the
answer must contain (a list: all of them). Prints:

* ranker latency per message (p50, p95, max) and of the whole answer (split, rank, compute, fill);
* top-1 topic accuracy overall and on the unaccented / teencode part (no diacritics in the text,
  or a teencode word of ``bot/nlu/teencode.yml``), with the confusions;
* answer correctness: the share of messages whose reply contains every ``expect`` (case and
  diacritics ignored, spaces and dots in figures kept);
* with ``--model``, the share of messages the trained NLU routes to ``ask_question``.

Targets (issue 14): top-1 ≥ 90 %, ≥ 85 % unaccented/teencode, answer correctness ≥ 95 %, p95 of
a message at 20 citizens < 150 ms (the ranker is a small part of it). Prints figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "catalog")]

from bhxh_catalog import load_catalog, vntext  # noqa: E402
from bhxh_catalog.topics import load_topics  # noqa: E402
from bhxh_catalog.topics_answer import KnowledgeBase, answer_message  # noqa: E402
from bot.nlu.teencode import load_teencode  # noqa: E402
from bot.nlu.topic_tokens import default_tokenizer  # noqa: E402

HELDOUT = ROOT / "tests" / "nlu" / "heldout_topics.yml"
SAMPLE = [
    "Tiền mai táng phí bây giờ là bao nhiêu?",
    "đóng tự nguyện ít nhất mỗi tháng bao nhiêu",
    "mấy năm thì có lương hưu",
    "tôi đóng từ 2012 đến 2024, lương 7 triệu thì rút được bao nhiêu",
    "co nguoi goi dien doi ma otp de cap nhat vssid",
    "Bố tôi mất ngày 20/2/2026. Gia đình được tiền mai táng bao nhiêu? Hạn nộp hồ sơ khi nào?",
    "nha toi 5 nguoi mua bhyt het bao nhieu",
    "toi sinh nam 1970 la nu thi bao gio duoc nghi huu",
    "cho em hỏi là em đóng bảo hiểm được 6 năm rồi giờ em nghỉ việc thì em có rút được không "
    "và rút thì được bao nhiêu tiền, lương em khoảng 8 triệu",
    "thời tiết hôm nay thế nào",
]


MERGED = {
    # Held-out labels written against topic ids that were later merged into another topic
    # (git log -S <id>): a reply from the surviving topic answers the same question.
    "bhyt_ho_gia_dinh_nhieu_nguoi": "bhyt_ho_gia_dinh_bao_nhieu",
    "bhyt_cap_lai_bao_lau": "bhyt_mat_the_cap_lai",  # 6a7993e
    "bhyt_the_tren_vssid": "bhyt_di_kham_khong_mang_the",  # 6a7993e
    "bhyt_sai_thong_tin_doi_the": "sai_thong_tin_so_bhxh",  # d812bdd
    "giay_to_ghi_tinh_cu": "tinh_sap_nhap_nop_o_dau",  # d812bdd
    "lua_dao_xin_otp": "lua_dao_otp",  # 286c17f
    "tn_dong_it_nhat": "tu_nguyen_dong_toi_thieu",  # 286c17f
    "tn_bao_nhieu_nam_co_luong_huu": "may_nam_co_luong_huu",  # 286c17f
}
"""Merged-away topic id → the topic that now holds its phrasings."""


@dataclass(frozen=True)
class Case:
    """One held-out message."""

    text: str
    topics: tuple[str, ...]
    expect: tuple[str, ...]


def read_cases(path: Path) -> list[Case]:
    """Reads the held-out file (a list of ``{text, topic, expect}``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if isinstance(data, dict):
        data = data.get("questions") or data.get("cases") or []
    cases: list[Case] = []
    for item in data:
        topic = item.get("topic")
        labels = tuple(topic) if isinstance(topic, list) else ((topic,) if topic else ())
        topics = tuple(MERGED.get(label, label) for label in labels)
        expect = item.get("expect")
        expects = tuple(str(e) for e in expect) if isinstance(expect, list) else (
            (str(expect),) if expect not in (None, "") else ())
        cases.append(Case(str(item["text"]), topics, expects))
    return cases


def _key(text: str) -> str:
    return " ".join(vntext.fold(text).split())


def is_unaccented_or_teencode(text: str, teencode_words: frozenset[str]) -> bool:
    """No diacritic in the text, or a word of the teencode table."""
    if vntext.fold(text) == vntext.normalize(text).lower():
        return True
    return any(word in teencode_words for word in vntext.tokens(text))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _latency(kb: KnowledgeBase, day: date, texts: list[str], rounds: int) -> None:
    rank_ms: list[float] = []
    answer_ms: list[float] = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            kb.ranker.rank(text)
            rank_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            answer_message(text, kb, day)
            answer_ms.append((time.perf_counter() - start) * 1000)
    for name, values in (("ranker", rank_ms), ("whole answer", answer_ms)):
        print(f"{name:>13}: p50 {statistics.median(values):.2f} ms, p95 "
              f"{_percentile(values, 0.95):.2f} ms, max {max(values):.2f} ms "
              f"({len(values)} messages)")


async def _routed_share(cases: list[Case]) -> float:
    from rasa.core.agent import Agent

    agent = Agent.load(os.environ["BHXH_MODEL"])
    routed = 0
    for case in cases:
        parsed = await agent.parse_message(case.text)
        routed += parsed["intent"]["name"] == "ask_question"
    return routed / max(len(cases), 1)


def main() -> None:
    """Prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--model", action="store_true", help="also parse with $BHXH_MODEL")
    args = parser.parse_args()
    start = time.perf_counter()
    topics = load_topics()
    kb = KnowledgeBase.build(topics, load_catalog(), default_tokenizer())
    print(f"{len(topics)} topics, {sum(len(t.phrasings) for t in topics)} phrasings; index built "
          f"in {(time.perf_counter() - start) * 1000:.0f} ms; answers as of {args.as_of}")
    cases = read_cases(args.heldout) if args.heldout.is_file() else []
    answer_message(SAMPLE[3], kb, args.as_of)  # warm-up: the validators read their data once
    _latency(kb, args.as_of, [c.text for c in cases] or SAMPLE, args.rounds if not cases else 3)
    if not cases:
        print(f"no held-out file at {args.heldout}: accuracy not measured")
        return
    teencode = load_teencode()
    words = frozenset({*teencode.folded, *(vntext.fold(w) for w in teencode.exact)})
    right = right_plain = plain = answered_ok = expected = wrong = unanswered = 0
    confusions: Counter[tuple[str, str]] = Counter()
    wrong_answers: list[tuple[str, str]] = []
    for case in cases:
        reply = answer_message(case.text, kb, args.as_of)
        ranked = kb.ranker.rank(case.text, limit=1)
        got = reply.answers[0].topic.id if reply.answers else (ranked[0][0] if ranked else "")
        good = (got in case.topics) if case.topics else not reply.answers
        right += good
        answered = reply.answers[0].topic.id if reply.answers else ""
        wrong += bool(answered) and answered not in case.topics
        unanswered += bool(case.topics) and not answered
        if is_unaccented_or_teencode(case.text, words):
            plain += 1
            right_plain += good
        if not good:
            confusions[(",".join(case.topics) or "none", got or "none")] += 1
        if case.expect:
            expected += 1
            said = _key(" ".join(a.text for a in reply.answers))
            ok = all(_key(e) in said for e in case.expect)
            answered_ok += ok
            if not ok:
                wrong_answers.append((case.text, " | ".join(case.expect)))
    total = len(cases)
    print(f"held-out: {total} messages ({plain} unaccented/teencode)")
    print(f"top-1 topic accuracy: {right / total:.1%} overall, "
          f"{(right_plain / plain if plain else 0):.1%} unaccented/teencode")
    print(f"answered with a wrong topic: {wrong}; topic question left unanswered: {unanswered}")
    if expected:
        print(f"answer correctness: {answered_ok / expected:.1%} of {expected} with an expected "
              "figure or phrase")
    for (want, got), count in confusions.most_common(10):
        print(f"  {count:>3} × expected {want}, got {got}")
    for text, expect in wrong_answers[:10]:
        print(f"  answer missing «{expect}»: {text[:90]}")
    if args.model and os.environ.get("BHXH_MODEL"):
        share = asyncio.run(_routed_share([c for c in cases if c.topics]))
        print(f"routed to ask_question by the NLU: {share:.1%} of messages with a topic")


if __name__ == "__main__":
    main()
