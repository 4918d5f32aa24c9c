"""Finding values inside a free sentence, for NLU entity extraction.

``extract_values("cccd 056 160 001 234, sđt 0912.345.678")`` returns one :class:`FoundValue`
per value, with offsets into the text exactly as given (NFD input and look-alike letters
included). Values are the same normalised values the validators return.

Passes run in a fixed order and never overlap; each pass sees the text with earlier finds
blanked out:

1. BHYT card codes (2 letters + 13 digits);
2. amounts with a unit or currency ("2 triệu rưỡi", "500k", "1.500.000đ");
3. digit runs (spaces, dots, dashes allowed inside): 12 digits → CCCD, 10 digits → phone or
   mã số BHXH (the nearest keyword before it decides — "sđt", "mã số BHXH"; without one, a
   valid mobile number is a phone), 9 or 12 digits after "CMND" → CMND, 6–19 digits after
   "STK"/"số tài khoản" → bank account;
4. dates ("20/8/1960", "20 tháng 8 năm 1960", ISO);
5. amounts written with thousands separators and no unit ("6.500.000");
6. other numbers ("15 năm" → 15; up to 9 digits, no leading zero);
7. banks (brand names anywhere, descriptive names after "ngân hàng");
8. provinces (skipped right after a family or middle name, "Nguyễn Hải Dương", and after
   "đường", since streets carry province names).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bhxh_catalog.validators._folded import FoldedText, fold_with_offsets
from bhxh_catalog.validators._numbers import DIGIT_WORDS, read_numeral, tokenize
from bhxh_catalog.validators.banks import bank_mentions
from bhxh_catalog.validators.dates import DATE_PATTERNS, DateParts, try_resolve
from bhxh_catalog.validators.errors import InvalidValue
from bhxh_catalog.validators.identity import parse_cccd
from bhxh_catalog.validators.insurance import parse_bhyt_card
from bhxh_catalog.validators.money import scan_amount
from bhxh_catalog.validators.phone import parse_phone
from bhxh_catalog.validators.provinces import province_mentions

__all__ = ["EXTRACT_KINDS", "FoundValue", "extract_values"]

EXTRACT_KINDS = (
    "bank",
    "bank_account",
    "bhxh_code",
    "bhyt_card",
    "cccd",
    "cmnd",
    "date",
    "money",
    "number",
    "phone",
    "province",
)
"""Kinds of values :func:`extract_values` can report."""

_BLANK = "#"
_KEYWORD_WINDOW = 40
_KEYWORDS: dict[str, re.Pattern[str]] = {
    "phone": re.compile(r"\b(?:sdt|so dien thoai|dien thoai|dt|phone|zalo|lien he|sim)\b"),
    "bhxh_code": re.compile(r"\b(?:bhxh|ma so|so so|ma bh|bao hiem xa hoi|msbhxh)\b"),
    "cmnd": re.compile(r"\b(?:cmnd|chung minh|cmt)\b"),
    "cccd": re.compile(r"\b(?:cccd|can cuoc|dinh danh)\b"),
    "bank_account": re.compile(r"\b(?:stk|so tai khoan|tai khoan|so tk|tk)\b"),
}
_BHYT = re.compile(r"(?<![a-z0-9])([a-z]{2})([ .\-]?)([1-5](?:[ .\-]?\d){12})(?!\d)")
_DIGIT_RUN = re.compile(r"(?<![\d+])\+?\d+(?:[ .\-]\d+)*")
_NAME_WORDS = frozenset(
    {"nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "bui", "ngo",
     "ly", "van", "thi", "huu", "trinh", "doan", "truong", "duong"}
)
_MAX_ID_DIGITS = 19
_MAX_NUMBER_DIGITS = 9


@dataclass(frozen=True)
class FoundValue:
    """A value found in a sentence.

    Attributes:
        kind: one of :data:`EXTRACT_KINDS`.
        value: the normalised value (str, int, float, date, ``Bank`` or ``ProvinceMatch``).
        start: index of its first character in the original text.
        end: index just after its last character.
        raw: ``text[start:end]``.
    """

    kind: str
    value: object
    start: int
    end: int
    raw: str


@dataclass
class _Scan:
    """The folded text, which of its characters are already claimed, and the finds so far."""

    text: FoldedText
    taken: list[bool] = field(default_factory=list)
    found: list[tuple[str, object, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.taken = [False] * len(self.text.folded)

    def free(self, start: int, end: int) -> bool:
        return start < end and not any(self.taken[start:end])

    def take(self, kind: str, value: object, start: int, end: int) -> None:
        for index in range(start, end):
            self.taken[index] = True
        self.found.append((kind, value, start, end))

    def masked(self) -> str:
        """The folded text with claimed characters replaced by ``#``."""
        pairs = zip(self.text.folded, self.taken, strict=True)
        return "".join(_BLANK if taken else char for char, taken in pairs)


def _try(parse: Callable[[str], object], text: str) -> object | None:
    try:
        return parse(text)
    except InvalidValue:
        return None


def _find_bhyt(scan: _Scan) -> None:
    original = scan.text.original
    for match in _BHYT.finditer(scan.masked()):
        letters_start, letters_end = scan.text.span(match.start(1), match.end(1))
        if match.group(2) and not original[letters_start:letters_end].isupper():
            continue
        code = re.sub(r"[ .\-]", "", match.group(1) + match.group(3)).upper()
        value = _try(parse_bhyt_card, code)
        if value is not None:
            scan.take("bhyt_card", value, match.start(), match.end())


def _find_money(scan: _Scan, *, with_unit: bool) -> None:
    tokens = tokenize(scan.masked())
    index = 0
    while index < len(tokens):
        token = tokens[index]
        starts_number = token.kind == "num" or token.text in DIGIT_WORDS or token.text == "muoi"
        amount = scan_amount(tokens, index) if starts_number else None
        if amount is None or amount.end <= index:
            index += 1
            continue
        whole = amount.value == amount.value.to_integral_value()
        if with_unit:
            wanted = (amount.unit or amount.currency) and (amount.value >= 1000 or amount.currency)
        else:
            wanted = token.kind == "num" and amount.grouped and amount.value >= 1000
        if wanted and whole:
            start, end = token.start, tokens[amount.end - 1].end
            if scan.free(start, end):
                scan.take("money", int(amount.value), start, end)
                index = amount.end
                continue
        index += 1


def _nearest_keyword(folded: str, start: int) -> str | None:
    window = folded[max(0, start - _KEYWORD_WINDOW) : start]
    best: tuple[int, str] | None = None
    for kind, pattern in _KEYWORDS.items():
        for match in pattern.finditer(window):
            if best is None or match.end() > best[0]:
                best = (match.end(), kind)
    return best[1] if best else None


def _classify(digits: str, plus: bool, hint: str | None) -> tuple[str, object] | None:
    """Decides what a digit string is, given the nearest keyword before it."""
    if plus or (digits.startswith("84") and len(digits) in (11, 12)):
        phone = _try(parse_phone, ("+" if plus else "") + digits)
        return ("phone", phone) if phone is not None else None
    if hint == "bank_account" and 6 <= len(digits) <= _MAX_ID_DIGITS:
        return "bank_account", digits
    if hint == "cmnd" and len(digits) in (9, 12):
        return "cmnd", digits
    if len(digits) == 12:
        cccd = _try(parse_cccd, digits)
        return ("cccd", cccd) if cccd is not None else None
    if len(digits) == 10:
        phone = _try(parse_phone, digits)
        if hint == "bhxh_code" or (hint != "phone" and phone is None):
            return "bhxh_code", digits
        return ("phone", phone) if phone is not None else None
    if len(digits) == 9 and hint == "phone":
        phone = _try(parse_phone, digits)
        return ("phone", phone) if phone is not None else None
    return None


def _find_ids(scan: _Scan) -> None:
    folded = scan.text.folded
    for run in _DIGIT_RUN.finditer(scan.masked()):
        groups = [(m.start() + run.start(), m.end() + run.start(), m.group())
                  for m in re.finditer(r"\d+", run.group())]
        first = 0
        while first < len(groups):
            for last in range(len(groups) - 1, first - 1, -1):
                digits = "".join(group[2] for group in groups[first : last + 1])
                if len(digits) > _MAX_ID_DIGITS:
                    continue
                plus = first == 0 and run.group().startswith("+")
                start = groups[first][0] - (1 if plus else 0)
                kind = _classify(digits, plus, _nearest_keyword(folded, start))
                if kind is not None:
                    scan.take(kind[0], kind[1], start, groups[last][1])
                    first = last + 1
                    break
            else:
                first += 1


def _find_dates(scan: _Scan) -> None:
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(scan.masked()):
            parts = DateParts(int(match["day"]), int(match["month"]), match["year"])
            value = try_resolve(parts)
            if value is not None and scan.free(match.start(), match.end()):
                scan.take("date", value, match.start(), match.end())


def _find_numbers(scan: _Scan) -> None:
    for token in tokenize(scan.masked()):
        if token.kind != "num" or not scan.free(token.start, token.end):
            continue
        digits = token.text.replace(".", "").replace(",", "")
        if len(digits) > _MAX_NUMBER_DIGITS or (len(digits) > 2 and digits.startswith("0")):
            continue
        numeral = read_numeral(token.text)
        if numeral is None:
            continue
        number: int | float = (
            int(numeral.value)
            if numeral.value == numeral.value.to_integral_value()
            else float(numeral.value)
        )
        scan.take("number", number, token.start, token.end)


def _word_spans(scan: _Scan) -> tuple[list[str], list[tuple[int, int]]]:
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\W_]+", scan.masked()):
        words.append(match.group())
        spans.append((match.start(), match.end()))
    return words, spans


def _find_banks(scan: _Scan) -> None:
    words, spans = _word_spans(scan)
    for first, stop, bank in bank_mentions(words):
        scan.take("bank", bank, spans[first][0], spans[stop - 1][1])


def _find_provinces(scan: _Scan) -> None:
    words, spans = _word_spans(scan)
    for first, stop, match in province_mentions(words):
        if first > 0 and words[first - 1] in _NAME_WORDS:
            continue
        scan.take("province", match, spans[first][0], spans[stop - 1][1])


def _find_money_with_unit(scan: _Scan) -> None:
    _find_money(scan, with_unit=True)


def _find_grouped_money(scan: _Scan) -> None:
    _find_money(scan, with_unit=False)


_PASSES: tuple[Callable[[_Scan], None], ...] = (
    _find_bhyt,
    _find_money_with_unit,
    _find_ids,
    _find_dates,
    _find_grouped_money,
    _find_numbers,
    _find_banks,
    _find_provinces,
)


def extract_values(text: str, kinds: Iterable[str] | None = None) -> list[FoundValue]:
    """Finds identifiers, dates, amounts, numbers, banks and provinces in a free sentence.

    Args:
        text: the message as received.
        kinds: report only these kinds (all passes still run, so spans stay consistent).

    Returns:
        The values found, ordered by position; spans never overlap.
    """
    scan = _Scan(fold_with_offsets(text))
    for find in _PASSES:
        find(scan)
    wanted = set(EXTRACT_KINDS if kinds is None else kinds)
    results: list[FoundValue] = []
    for kind, value, start, end in scan.found:
        if kind not in wanted:
            continue
        first, stop = scan.text.span(start, end)
        results.append(FoundValue(kind, value, first, stop, text[first:stop]))
    return sorted(results, key=lambda found: found.start)
