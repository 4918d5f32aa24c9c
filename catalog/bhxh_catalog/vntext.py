"""Vietnamese text normalisation shared by the NLU, the catalog search and the validators.

Every function here is pure and uses only the standard library. The order of operations follows
the project's NLU notes: repair look-alike letters, NFC, collapse letters typed three or more
times, lower-case, then fold diacritics (with ``đ → d``) for matching. Text shown to people is
never folded; folding is for comparing.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["collapse_repeats", "fold", "is_question", "normalize", "tokens"]

_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ"})
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """Repairs look-alike letters (Ð/ð → Đ/đ) and returns the NFC form.

    Args:
        text: raw text as typed or pasted (NFC, NFD or mixed).

    Returns:
        The same text in Unicode NFC, keeping case and diacritics.
    """
    return unicodedata.normalize("NFC", text.translate(_LOOKALIKES))


def collapse_repeats(text: str) -> str:
    """Collapses a letter typed three or more times in a row: ``nhiềuuuu → nhiều``.

    Letters count as the same when they differ only by diacritics (``quáaaa → quá``); the first
    one is kept. Digits are left alone (``0900000`` stays as typed).
    """
    out: list[str] = []
    run_base = ""
    run_length = 0
    for ch in text:
        base = fold(ch) if ch.isalpha() else ""
        if base and base == run_base:
            run_length += 1
        else:
            run_base, run_length = base, 1
        out.append(ch)
        if run_length == 3:
            del out[-2:]
        elif run_length > 3:
            out.pop()
    return "".join(out)


def fold(text: str) -> str:
    """Returns the lower-case, diacritic-free form used for matching: ``Được → duoc``.

    ``đ`` has no Unicode decomposition, so it is mapped to ``d`` explicitly.
    """
    decomposed = unicodedata.normalize("NFD", normalize(text).lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).replace("đ", "d")


def tokens(text: str) -> list[str]:
    """Splits folded, collapsed text into word tokens (letters and digits)."""
    return _WORD.findall(fold(collapse_repeats(normalize(text))))


_QUESTION_PHRASES = (
    ("bao", "nhieu"), ("bao", "lau"), ("bn",), ("the", "nao"), ("ntn",), ("o", "dau"),
    ("khi", "nao"), ("luc", "nao"), ("lam", "sao"), ("tai", "sao"), ("vi", "sao"),
    ("gi",), ("j",), ("duoc", "khong"), ("dc", "ko"), ("duoc", "ko"), ("dc", "khong"),
    ("co", "phai"), ("hay", "khong"), ("phai", "khong"), ("bao", "gio"), ("may",),
)
"""Folded words that make a sentence a question ("bao lâu", "ở đâu", "được không", "mấy")."""
_QUESTION_ENDINGS = frozenset({"khong", "ko", "k", "chua", "nhi", "ha", "sao", "vay"})
_ASKING = frozenset({"co", "duoc", "dc", "da", "con"})
"""With a question ending: "có … không", "được … không", "đã … chưa", "còn … không"."""


_OPENS_WITH_ANSWER = re.compile(
    r"^\s*(?:da\s+|vang\s+)?(?:khong|ko|k|co|vang|da|u|uh|roi|chua|dung|phai)\s*[,.!;]"
)
"""An answer word then a comma ("Không, tôi sang thăm con mấy tháng rồi về") opens an answer."""
_NEGATING = frozenset({"khong", "ko", "k", "chua", "chang", "cha", "hok"})


def _indefinite(words: list[str], i: int, n: int) -> bool:
    """"gì" / "nào" after a negation means "any": "tôi chưa có lương hưu gì" is no question."""
    return n == 1 and words[i] in ("gi", "j") and any(w in _NEGATING for w in words[:i])


def is_question(text: str) -> bool:
    """True when the text asks something ("bao lâu thì có tiền", "có được rút không?").

    A question in the middle of a form is answered, not read as the form's answer. A short
    answer that ends in "không" ("không", "tôi không") is an answer, not a question.
    """
    if "?" in text:
        return True
    if _OPENS_WITH_ANSWER.match(fold(text)):
        return False
    words = tokens(text)
    if len(words) < 3:
        return False
    for n in (1, 2):
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) in _QUESTION_PHRASES and not _indefinite(words, i, n):
                return True
    return words[-1] in _QUESTION_ENDINGS and any(word in _ASKING for word in words[:-1])
