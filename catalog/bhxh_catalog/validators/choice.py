"""Answers to closed questions: one option of a list, or yes / no."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bhxh_catalog.validators._common import Context, clean, example, fail
from bhxh_catalog.validators._numbers import DIGIT_WORDS
from bhxh_catalog.validators.errors import InvalidValue
from bhxh_catalog.vntext import tokens

__all__ = [
    "NO_WORDS",
    "YES_WORDS",
    "AmbiguousChoice",
    "Option",
    "options_of",
    "parse_choice",
    "parse_yes_no",
]

YES_WORDS = frozenset(
    {"co", "ok", "oke", "okie", "oki", "okay", "dung", "vang", "uh", "u", "uhm", "um", "uk",
     "dc", "duoc", "yes", "y", "roi", "phai", "chuan", "true", "dong"}
)
"""Folded words that answer yes (``đồng`` counts only in ``đồng ý``)."""

NO_WORDS = frozenset(
    {"khong", "ko", "k", "kh", "khg", "kg", "hok", "hk", "hem", "khum", "hong", "sai", "no",
     "n", "chua", "false"}
)
"""Folded words that answer no (``chưa`` = not yet, ``hông`` = không)."""

_ORDINAL_MARKERS = frozenset(
    {"so", "cai", "muc", "cau", "phuong", "an", "lua", "chon", "thu", "y", "option", "toi"}
)
_ORDINAL_WORDS = {"nhat": 1, **DIGIT_WORDS}
_POLITE = frozenset({"a", "da", "nhe", "nha", "vay", "ah", "oi", "chu", "luon", "roi"})
_FUZZY_CUTOFF = 0.8
_MIN_PART = 4


_NEGATIONS = frozenset({"khong", "ko", "k", "kh", "khg", "chua", "chang", "hok", "hem", "khum"})
"""Folded words that negate the phrase after them ("không đóng bắt buộc")."""
_ONE_WORD_NAMES = 5
"""A one-word label or alias picks its option inside a sentence only when this long
("nam", "nữ", "có" are too common to mean an option there)."""


class AmbiguousChoice(InvalidValue):
    """The answer fits two or more options equally well; ask with those options only.

    Attributes:
        candidates: the values of the options that fit, in the list's order.
    """

    def __init__(self, message: str, candidates: tuple[str, ...]) -> None:
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True)
class Option:
    """One option of a choice question: the stored value, the label shown, extra aliases."""

    value: str
    label: str
    aliases: tuple[str, ...] = ()


def options_of(context: Context | None) -> list[Option]:
    """Reads ``context["options"]``: dicts with ``value`` and ``label`` (and optional
    ``aliases``), or plain strings used as both.

    Raises:
        ValueError: no options given (a programming error, not the person's).
    """
    raw = context.get("options") if context is not None else None
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise ValueError("the choice validator needs context['options'] (a non-empty list)")
    options: list[Option] = []
    for item in raw:
        if isinstance(item, Option):
            options.append(item)
        elif isinstance(item, Mapping):
            value = str(item["value"])
            label = str(item.get("label", value))
            extra = item.get("aliases") or ()
            aliases = tuple(str(alias) for alias in extra) if isinstance(extra, list) else ()
            options.append(Option(value, label, aliases))
        else:
            options.append(Option(str(item), str(item)))
    return options


def _key(text: str) -> str:
    return " ".join(tokens(text))


def _by_number(words: list[str]) -> int | None:
    """Returns the 1-based number picked ("2", "số 2", "thứ hai", "cái thứ 2"), or None."""
    core = [word for word in words if word not in _ORDINAL_MARKERS and word not in _POLITE]
    if len(core) != 1:
        return None
    word = core[0]
    if word.isdecimal():
        return int(word)
    has_marker = any(marker in words for marker in ("thu", "so", "cai", "muc", "chon"))
    if word == "nhat" or (word in _ORDINAL_WORDS and (has_marker or len(words) == 1)):
        return _ORDINAL_WORDS[word]
    return None


def _options_list(options: Sequence[Option]) -> str:
    return "; ".join(f"{number}. {option.label}" for number, option in enumerate(options, 1))


def _exact(options: Sequence[Option], key: str) -> Option | None:
    for option in options:
        names = (option.value, option.value.replace("_", " "), option.label, *option.aliases)
        if any(key == _key(name) for name in names):
            return option
    return None


def _partial(options: Sequence[Option], key: str) -> Option | None:
    """The one option whose label contains the answer, or whose name the answer contains.

    One short word ("có", "nam") is not enough to pick an option by a part of its label:
    "có" must not pick "Giấy tờ khác / chưa có".
    """
    long_enough = " " in key or len(key) >= _MIN_PART
    inside = [option for option in options if f" {key} " in f" {_key(option.label)} "]
    if long_enough and len(inside) == 1:
        return inside[0]
    named = [
        option for option in options
        if any(f" {_key(name)} " in f" {key} " for name in (option.label, *option.aliases))
    ]
    if len(named) == 1:
        return named[0]
    return None


def _phrase_at(words: list[str], name: list[str]) -> bool:
    """True when ``name`` occurs in ``words`` and is not negated by the word before it."""
    size = len(name)
    negated_name = name[0] in _NEGATIONS
    for start in range(len(words) - size + 1):
        if words[start : start + size] != name:
            continue
        before = words[max(0, start - 2) : start]
        if negated_name or not any(word in _NEGATIONS for word in before):
            return True
    return False


def _by_phrase(options: Sequence[Option], words: list[str]) -> list[Option]:
    """The options whose label or alias is said in the answer, longest phrase first.

    "tôi nghỉ rồi, không đóng nữa" says the alias "không đóng nữa" of "Đã dừng đóng BHXH";
    "không đóng bắt buộc" does not say "đóng bắt buộc".
    """
    best: list[Option] = []
    best_size = 0
    for option in options:
        size = 0
        for name in (option.label, *option.aliases):
            name_words = tokens(name)
            too_short = len(name_words) == 1 and len(name_words[0]) < _ONE_WORD_NAMES
            if name_words and not too_short and _phrase_at(words, name_words):
                size = max(size, len(name_words))
        if size > best_size:
            best, best_size = [option], size
        elif size and size == best_size:
            best.append(option)
    return best


_FILLER = frozenset(
    {"toi", "em", "e", "anh", "chi", "minh", "cho", "chau", "ong", "ba", "bac", "co", "la", "cua",
     "da", "dang", "roi", "r", "a", "nhe", "thi", "ma", "va", "voi", "o", "bi", "duoc",
     "dc", "nay", "do", "cai", "mot", "nhung", "nhu", "vay", "the", "ay", "nua", "con", "cung",
     "khi", "tu", "den", "sang", "qua", "muon", "can", "phai", "nen", "vi", "de", "nao", "gi",
     "j", "bhxh", "bao", "hiem", "xa", "hoi", "nha", "luc", "gio", "ca", "het", "lam", "hay"}
)
"""Folded words too common to tell options apart (pronouns, particles, "bảo hiểm xã hội")."""
_MIN_SCORE = 1.0
_MARGIN = 1.5


def _content(words: Sequence[str]) -> list[str]:
    """The words that carry meaning, without those right after a negation."""
    kept: list[str] = []
    negated = False
    for word in words:
        if word in _NEGATIONS:
            negated = True
            continue
        if not negated and word not in _FILLER and len(word) > 1:
            kept.append(word)
        negated = False
    return kept


def _by_words(options: Sequence[Option], words: list[str]) -> list[Option]:
    """The options whose distinctive words the answer uses most ("Tôi có hộ chiếu Đức" →
    "Hộ chiếu nước ngoài"); each word weighs more the fewer options use it."""
    said = set(_content(words))
    if not said:
        return []
    vocab = [
        {w for name in (o.label, *o.aliases) for w in _content(tokens(name))} for o in options
    ]
    counts: dict[str, int] = {}
    for words_of_option in vocab:
        for word in words_of_option:
            counts[word] = counts.get(word, 0) + 1
    scores = [
        sum(1.0 / counts[word] for word in said & words_of_option) for words_of_option in vocab
    ]
    ranked = sorted(range(len(options)), key=lambda i: scores[i], reverse=True)
    best = scores[ranked[0]]
    second = scores[ranked[1]] if len(ranked) > 1 else 0.0
    if best < _MIN_SCORE:
        return []
    if second * _MARGIN > best:
        return [options[i] for i in ranked[:2]]
    return [options[ranked[0]]]


_UNSURE_AFTER_NO = frozenset({"biet", "bt", "ro", "nho", "chac"})


def _yes_no_option(options: Sequence[Option], words: list[str]) -> Option | None:
    """"Có, tôi về hưu năm 2005" picks the option "co" of a question whose options are
    yes / no / something else; the first word decides, as for a yes/no question."""
    values = {option.value: option for option in options}
    if not words or "co" not in values or "khong" not in values:
        return None
    if words[0] in YES_WORDS and words[0] != "dong":
        return values["co"]
    if words[0] in NO_WORDS and not (len(words) > 1 and words[1] in _UNSURE_AFTER_NO):
        return values["khong"]
    return None


def _ambiguous(found: Sequence[Option], sample: str) -> AmbiguousChoice:
    labels = " hay ".join(f"“{option.label}”" for option in found)
    return AmbiguousChoice(
        f"Ông/bà chọn {labels}? Ông/bà vui lòng chọn một. Ví dụ: {sample}.",
        tuple(option.value for option in found),
    )


def parse_choice(raw: str, context: Context | None = None) -> str:
    """Reads the option picked: its value, its label (with or without diacritics), an alias,
    its 1-based number, its label or an alias said inside a sentence (not negated), a part of
    the label that fits only one option, or a label with a typo.

    Args:
        raw: what the person typed (or a button's payload value).
        context: must carry ``options``; may carry ``example``.

    Returns:
        The option's value.

    Raises:
        AmbiguousChoice: the sentence names two options equally (the message names them).
        InvalidValue: no option fits (the message lists them).
        ValueError: the context has no options.
    """
    options = options_of(context)
    sample = example(context, "1")
    listing = _options_list(options)
    text = clean(raw)
    if not text:
        raise fail(f"Ông/bà chưa chọn. Các lựa chọn: {listing}.", sample)
    if any(text == option.value for option in options):
        return text
    words = tokens(text)
    key = " ".join(word for word in words if word not in _POLITE) or " ".join(words)
    found = _exact(options, " ".join(words)) or _exact(options, key)
    if found is not None:
        return found.value
    number = _by_number(words)
    if number is not None:
        if 1 <= number <= len(options):
            return options[number - 1].value
        raise fail(f"Chỉ có {len(options)} lựa chọn: {listing}.", sample)
    yes_no = _yes_no_option(options, words)
    if yes_no is not None:
        return yes_no.value
    said = _by_phrase(options, words)
    if len(said) > 1:
        raise _ambiguous(said, sample)
    if said:
        return said[0].value
    found = _partial(options, key)
    if found is None:
        labels = [_key(option.label) for option in options]
        close = difflib.get_close_matches(key, labels, n=1, cutoff=_FUZZY_CUTOFF)
        found = options[labels.index(close[0])] if close else None
    if found is None:
        by_words = _by_words(options, words)
        if len(by_words) > 1:
            raise _ambiguous(by_words, sample)
        found = by_words[0] if by_words else None
    if found is None:
        raise fail(
            f"Chưa rõ ông/bà chọn mục nào. Ông/bà vui lòng chọn một trong các mục: {listing} "
            "(có thể trả lời bằng số thứ tự).",
            sample,
        )
    return found.value


_UNSURE = (("khong", "biet"), ("khong", "ro"), ("chua", "ro"), ("ko", "biet"), ("k", "biet"),
           ("khong", "nho"), ("ko", "nho"), ("khong", "chac"), ("chua", "chac"), ("ko", "ro"))


def _is_unsure(words: list[str]) -> bool:
    """True when the answer says "I don't know / not sure" ("không biết", "ko rõ", "chưa chắc")."""
    pairs = set(itertools.pairwise(words))
    return any(pair in pairs for pair in _UNSURE)


def parse_yes_no(raw: str, context: Context | None = None) -> bool:
    """Reads a yes/no answer; the first yes or no word decides.

    Yes: có, ok, đúng, vâng, ừ/uh, được/dc, rồi, phải, đồng ý, yes. No: không, ko, k, khum,
    hông, sai, chưa, no.

    Args:
        raw: what the person typed (or a button payload such as "true").
        context: may carry ``example``.

    Raises:
        InvalidValue: neither yes nor no.
    """
    sample = example(context, "có")
    words = tokens(clean(raw))
    if _is_unsure(words):
        raise fail(
            "Nếu chưa chắc, ông/bà có thể xem lại giấy tờ hoặc gọi tổng đài 1900 9068; "
            "khi rõ, ông/bà trả lời “có” hoặc “không”.",
            sample,
        )
    for index, word in enumerate(words):
        if word == "dong" and (index + 1 >= len(words) or words[index + 1] != "y"):
            continue
        if word in NO_WORDS:
            return False
        if word in YES_WORDS:
            return True
    raise fail("Ông/bà vui lòng trả lời “có” hoặc “không”.", sample)
