"""Facts told in passing: "nghỉ việc từ 2019, đóng từ 2008" answers two questions at once.

A question may list ``cues`` in the catalog: the words citizens put before its answer
("đóng từ", "bắt đầu đóng" for the first contribution date; "nghỉ việc từ" for the last). The
few words after a cue, up to a comma or "và", are read with the question's own reader; what reads
is an answer, what does not is left for the question itself. Nothing is guessed without a cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bhxh_catalog.errors import AnswerError
from bhxh_catalog.models import Question
from bhxh_catalog.vntext import fold

__all__ = ["answers_in_story"]

_WINDOW_WORDS = 6
_BREAK = re.compile(r"[,;!?\n]|\.(?!\d)| va | roi | nhung | ma | den | toi nay")


def _after(folded: str, cue: str) -> Iterable[str]:
    for match in re.finditer(rf"(?<!\w){re.escape(cue)}(?!\w)", folded):
        rest = _BREAK.split(folded[match.end() :], maxsplit=1)[0]
        words = rest.split()[:_WINDOW_WORDS]
        if words:
            yield " ".join(words)


def answers_in_story(questions: Iterable[Question], text: str) -> dict[str, object]:
    """The answers a message gives to questions with cues, by question id.

    Example: with the cues of ``huong_bhxh_mot_lan``, "tôi nghỉ việc từ 2019, đóng từ 2008"
    gives ``{"ngay_dung_dong": date(2019, 1, 1), "ngay_bat_dau_dong": date(2008, 1, 1)}`` (a
    year alone only where the rules need no more).
    """
    folded = f" {fold(text)} "
    found: dict[str, object] = {}
    for question in questions:
        for cue in question.cues:
            for window in _after(folded, fold(cue)):
                try:
                    found[question.id] = question.read(window)
                except AnswerError:
                    continue
                break
            if question.id in found:
                break
    return found
