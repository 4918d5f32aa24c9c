"""Banks (``catalog/data/banks.yaml``) and bank account numbers.

Benefits paid into an account go to an account in the beneficiary's own name (Law 41/2024
Art 93.1; bhxh-domain.md §2.8), so every error about an account number repeats that rule.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bhxh_catalog.validators._aliases import AliasIndex, scan_mentions
from bhxh_catalog.validators._common import Context, clean, example, fail
from bhxh_catalog.validators._data import load_reference, strings
from bhxh_catalog.vntext import tokens

__all__ = [
    "ACCOUNT_MAX_DIGITS",
    "ACCOUNT_MIN_DIGITS",
    "OWN_NAME_RULE",
    "Bank",
    "all_banks",
    "bank_by_bin",
    "bank_by_id",
    "bank_mentions",
    "find_bank",
    "parse_bank",
    "parse_bank_account",
]

ACCOUNT_MIN_DIGITS = 6
ACCOUNT_MAX_DIGITS = 19
OWN_NAME_RULE = "Tài khoản phải đứng tên chính người hưởng."
_BANK_EXAMPLE = "Vietcombank"
_ACCOUNT_EXAMPLE = "0071001234567"
_BRANCH_WORDS = ("chi nhanh", "cn", "pgd", "phong giao dich")
_FILLER = frozenset({"ngan", "hang", "nh", "tmcp", "thuong", "mai", "co", "phan", "bank", "la"})
_BANK_WORDS = frozenset({"nh", "bank"})
_ACCOUNT_SEPARATORS = re.compile(r"[\s.\-_]+")
_FUZZY_CUTOFF = 0.8


@dataclass(frozen=True)
class Bank:
    """A bank people can receive benefits through.

    Attributes:
        id: stable ASCII id, e.g. ``"vietcombank"``.
        name: official Vietnamese name.
        short_name: the usual name (``"Vietcombank"``); ``str(bank)`` returns it.
        bin: NAPAS BIN (``"970436"``) or None when not known for sure.
        verified: the BIN was checked against more than one source.
        aliases: brand names and abbreviations.
        descriptive_aliases: descriptive names ("Ngoại thương"), only trusted inside a free
            sentence when they follow "ngân hàng".
        note: a remark such as a recent change of name, or None.
    """

    id: str
    name: str
    short_name: str
    bin: str | None
    verified: bool
    aliases: tuple[str, ...] = ()
    descriptive_aliases: tuple[str, ...] = ()
    note: str | None = None

    def __str__(self) -> str:
        return self.short_name


@dataclass(frozen=True)
class _Registry:
    banks: tuple[Bank, ...]
    brands: AliasIndex[Bank]
    descriptive: AliasIndex[Bank]
    every_name: AliasIndex[Bank]


def _build(raw: Mapping[str, object]) -> Bank:
    bin_code = raw.get("bin")
    note = raw.get("note")
    return Bank(
        id=str(raw["id"]),
        name=str(raw["name"]),
        short_name=str(raw["short_name"]),
        bin=None if bin_code is None else str(bin_code),
        verified=bool(raw.get("verified", False)) and bin_code is not None,
        aliases=strings(raw.get("aliases")),
        descriptive_aliases=strings(raw.get("descriptive_aliases")),
        note=None if note is None else str(note),
    )


@functools.cache
def _registry() -> _Registry:
    data = load_reference("banks.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("banks"), list):
        raise ValueError("banks.yaml: expected a mapping with a 'banks' list")
    banks = tuple(_build(item) for item in data["banks"])
    brands: AliasIndex[Bank] = AliasIndex()
    descriptive: AliasIndex[Bank] = AliasIndex()
    every_name: AliasIndex[Bank] = AliasIndex()
    for bank in banks:
        for phrase in (bank.short_name, *bank.aliases):
            brands.add(phrase, bank)
            every_name.add(phrase, bank)
        for phrase in (bank.name, *bank.descriptive_aliases):
            descriptive.add(phrase, bank)
            every_name.add(phrase, bank)
    return _Registry(banks, brands, descriptive, every_name)


def all_banks() -> tuple[Bank, ...]:
    """Returns every known bank, in the order of the data file (the most used first)."""
    return _registry().banks


def bank_by_id(bank_id: str) -> Bank | None:
    """Returns the bank with this id (``"vietcombank"``), or None."""
    return next((bank for bank in _registry().banks if bank.id == bank_id), None)


def bank_by_bin(bin_code: str) -> Bank | None:
    """Returns the bank with this NAPAS BIN (``"970436"``), or None."""
    code = bin_code.strip()
    return next((bank for bank in _registry().banks if bank.bin == code), None)


def _before_branch(words: list[str]) -> list[str]:
    """Cuts "… chi nhánh Hà Nội" off: a branch name may contain another bank's alias."""
    text = " " + " ".join(words) + " "
    cut = min(
        (text.find(f" {marker} ") for marker in _BRANCH_WORDS if f" {marker} " in text),
        default=-1,
    )
    return text[:cut].split() if cut >= 0 else words


def _matches(words: Sequence[str], index: AliasIndex[Bank]) -> list[Bank]:
    found: list[Bank] = []
    for _, _, bank in index.mentions(words):
        if bank not in found:
            found.append(bank)
    return found


def _fuzzy(words: list[str]) -> Bank | None:
    registry = _registry()
    core = [word for word in words if word not in _FILLER]
    candidates = [" ".join(core), *core] if core else []
    for candidate in candidates:
        close = difflib.get_close_matches(
            candidate, registry.every_name.phrases(), n=1, cutoff=_FUZZY_CUTOFF
        )
        if close:
            return registry.every_name.get(close[0].split())
    return None


def find_bank(text: str) -> Bank | None:
    """Finds the bank named in a short answer ("vcb", "ngân hàng nông nghiệp", "970436").

    Brand names win over descriptive names; the part after "chi nhánh" is ignored.

    Args:
        text: what the person typed.

    Returns:
        The bank, or None when none (or no single one) is recognisable.
    """
    compact = text.strip()
    if compact.isdigit():
        return bank_by_bin(compact)
    by_id = bank_by_id(compact.lower())
    if by_id is not None:
        return by_id
    words = _before_branch(tokens(text))
    registry = _registry()
    brands = _matches(words, registry.brands)
    if len(brands) == 1:
        return brands[0]
    if brands:
        return None
    described = _matches(words, registry.descriptive)
    if described:
        return described[0]
    joined = registry.every_name.get(["".join(word for word in words if word not in _FILLER)])
    return joined or _fuzzy(words)


def _after_bank_word(words: Sequence[str], index: int) -> bool:
    return (index >= 1 and words[index - 1] in _BANK_WORDS) or (
        index >= 2 and words[index - 2 : index] == ["ngan", "hang"]
    )


def bank_mentions(words: Sequence[str]) -> list[tuple[int, int, Bank]]:
    """Finds banks in the folded words of a free sentence.

    Brand names count anywhere; descriptive names ("quân đội", "sài gòn") only right after
    "ngân hàng", "NH" or "bank", so that places and everyday words are not taken for banks.

    Args:
        words: folded words.

    Returns:
        ``(first word index, index after the last word, bank)`` for each mention.
    """
    registry = _registry()

    def match_at(words: Sequence[str], index: int) -> tuple[int, Bank] | None:
        hit = registry.brands.match_at(words, index)
        if hit is None and _after_bank_word(words, index):
            hit = registry.descriptive.match_at(words, index)
        return hit

    return scan_mentions(words, match_at)


def parse_bank(raw: str, context: Context | None = None) -> Bank:
    """Reads a bank name, abbreviation or NAPAS BIN.

    Args:
        raw: what the person typed ("VCB", "vietcombank", "ngân hàng ngoại thương", "970436").
        context: may carry ``example``.

    Returns:
        The bank.

    Raises:
        InvalidValue: the bank is not recognisable.
    """
    sample = example(context, _BANK_EXAMPLE)
    text = clean(raw)
    if not text:
        raise fail("Ông/bà chưa nhập tên ngân hàng.", sample)
    bank = find_bank(text)
    if bank is None:
        raise fail(
            f"Chưa nhận ra ngân hàng “{text}”. Ông/bà vui lòng nhập tên ngân hàng "
            "hoặc tên viết tắt.",
            sample,
        )
    return bank


def _context_bank(context: Context | None) -> Bank | None:
    if context is None:
        return None
    value = context.get("bank")
    if isinstance(value, Bank):
        return value
    if isinstance(value, str) and value.strip():
        return find_bank(value)
    return None


def parse_bank_account(raw: str, context: Context | None = None) -> str:
    """Reads a bank account number: digits only once spaces, dots and dashes are removed.

    Args:
        raw: what the person typed ("0071 0012 34567").
        context: may carry ``bank`` (a :class:`Bank` or a bank name) and ``example``.

    Returns:
        The digits, 6 to 19 of them.

    Raises:
        InvalidValue: letters, or too few or too many digits.
    """
    sample = example(context, _ACCOUNT_EXAMPLE)
    bank = _context_bank(context)
    subject = f"Số tài khoản {bank.short_name}" if bank else "Số tài khoản"
    compact = _ACCOUNT_SEPARATORS.sub("", clean(raw))
    if not compact:
        raise fail(f"Ông/bà chưa nhập số tài khoản. {OWN_NAME_RULE}", sample)
    if not compact.isdigit():
        raise fail(
            f"{subject} chỉ gồm chữ số (ông/bà vừa nhập cả chữ hoặc ký hiệu). {OWN_NAME_RULE}",
            sample,
        )
    if not ACCOUNT_MIN_DIGITS <= len(compact) <= ACCOUNT_MAX_DIGITS:
        raise fail(
            f"{subject} thường có từ {ACCOUNT_MIN_DIGITS} đến {ACCOUNT_MAX_DIGITS} chữ số "
            f"(ông/bà vừa nhập {len(compact)} chữ số). {OWN_NAME_RULE}",
            sample,
        )
    return compact
