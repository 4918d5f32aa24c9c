"""Provinces: the 34 current ones (from 01/7/2025) and the 63 legacy ones coded in CCCD numbers.

Data: ``catalog/data/provinces.yaml`` (bhxh-domain.md §3.1 and §4). A person may name an old
province ("Bình Dương"); :func:`parse_province` then answers with the current province
(TP Hồ Chí Minh) and remembers the legacy one, so the bot can explain the change.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bhxh_catalog.validators._aliases import AliasIndex
from bhxh_catalog.validators._common import Context, clean, example, fail
from bhxh_catalog.validators._data import load_reference, strings
from bhxh_catalog.vntext import tokens

__all__ = [
    "LegacyProvince",
    "Province",
    "ProvinceMatch",
    "current_provinces",
    "find_provinces",
    "get_province",
    "legacy_province_by_code",
    "legacy_provinces",
    "parse_province",
    "province_for_cccd",
    "province_mentions",
]

CITY = "thành phố"
PROVINCE = "tỉnh"
_DEFAULT_EXAMPLE = "Nghệ An"
_PREFIX_WORDS = frozenset({"tinh", "thanh", "pho", "tp", "o", "tai", "la", "a"})
_FUZZY_CUTOFF = 0.85


class _Named:
    """How a province is written, from its ``name`` and ``kind`` (current or legacy alike)."""

    name: str
    kind: str

    @property
    def label(self) -> str:
        """Display name: ``"TP Hồ Chí Minh"``, ``"Bình Dương"``."""
        return f"TP {self.name}" if self.kind == CITY else self.name

    @property
    def phrase(self) -> str:
        """Name inside a sentence: ``"tỉnh Bình Dương"``, ``"TP Hải Phòng"``."""
        return f"TP {self.name}" if self.kind == CITY else f"tỉnh {self.name}"


@dataclass(frozen=True)
class LegacyProvince(_Named):
    """One of the 63 provinces before 01/7/2025.

    Attributes:
        code: the 3-digit code that opens CCCD numbers of people registered at birth there.
        name: its name without the kind, e.g. ``"Bình Dương"``.
        kind: ``"tỉnh"`` or ``"thành phố"``.
        successor_id: id of the current province it belongs to.
        aliases: other ways to write its name.
    """

    code: str
    name: str
    kind: str
    successor_id: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Province(_Named):
    """One of the 34 provinces and centrally run cities from 01/7/2025.

    Attributes:
        id: stable ASCII id, e.g. ``"ho_chi_minh"``.
        name: its name without the kind, e.g. ``"Hồ Chí Minh"``.
        kind: ``"tỉnh"`` or ``"thành phố"``.
        legacy_codes: CCCD codes of the legacy provinces it was formed from.
        verified: False when its list of legacy provinces still has to be checked against
            Nghị quyết 202/2025/QH15.
        aliases: other ways to write its name.
    """

    id: str
    name: str
    kind: str
    legacy_codes: tuple[str, ...]
    verified: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        """Official style: ``"Thành phố Hồ Chí Minh"``, ``"Tỉnh Đồng Nai"``."""
        return f"{self.kind.capitalize()} {self.name}"


@dataclass(frozen=True)
class ProvinceMatch:
    """A province someone named: the current province, plus the legacy one if they used it.

    ``legacy`` is set only when the name given is a legacy province whose name differs from
    the current province's ("Bình Dương" → TP Hồ Chí Minh); it is None for "Hà Nội".
    ``str(match)`` is the current province's label.
    """

    province: Province
    legacy: LegacyProvince | None = None

    @property
    def name(self) -> str:
        """The current province's label, e.g. ``"TP Hồ Chí Minh"``."""
        return self.province.label

    @property
    def verified(self) -> bool:
        """False when the old → new mapping behind this answer is not verified yet."""
        return self.province.verified

    def note(self) -> str | None:
        """Explains the change when an old province was named, in Vietnamese; else None."""
        if self.legacy is None:
            return None
        if len(self.province.legacy_codes) == 1:
            old = self.legacy.phrase
            return f"{old[0].upper()}{old[1:]} nay là {self.province.phrase}."
        return f"Từ ngày 01/7/2025, {self.legacy.phrase} thuộc {self.province.phrase}."

    def __str__(self) -> str:
        return self.province.label


@dataclass(frozen=True)
class _Registry:
    current: Mapping[str, Province]
    legacy: Mapping[str, LegacyProvince]
    index: AliasIndex[ProvinceMatch]


def _build_current(raw: Mapping[str, object]) -> Province:
    return Province(
        id=str(raw["id"]),
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        legacy_codes=strings(raw.get("legacy")),
        verified=bool(raw.get("verified", True)),
        aliases=strings(raw.get("aliases")),
    )


@functools.cache
def _registry() -> _Registry:
    data = load_reference("provinces.yaml")
    if not isinstance(data, dict):
        raise ValueError("provinces.yaml: expected a mapping with 'legacy' and 'current'")
    current = {p.id: p for p in (_build_current(item) for item in data["current"])}
    successor: dict[str, str] = {}
    for province in current.values():
        for code in province.legacy_codes:
            if code in successor:
                raise ValueError(f"provinces.yaml: legacy code {code} has two successors")
            successor[code] = province.id
    legacy: dict[str, LegacyProvince] = {}
    for item in data["legacy"]:
        code = str(item["code"])
        if code not in successor:
            raise ValueError(f"provinces.yaml: legacy code {code} has no current province")
        legacy[code] = LegacyProvince(
            code=code,
            name=str(item["name"]),
            kind=str(item["kind"]),
            successor_id=successor[code],
            aliases=strings(item.get("aliases")),
        )
    missing = set(successor) - set(legacy)
    if missing:
        raise ValueError(f"provinces.yaml: unknown legacy codes {sorted(missing)}")
    index: AliasIndex[ProvinceMatch] = AliasIndex()
    for province in current.values():
        for phrase in (province.name, *province.aliases):
            index.add(phrase, ProvinceMatch(province))
    for old in legacy.values():
        province = current[old.successor_id]
        same_name = tokens(old.name) == tokens(province.name)
        match = ProvinceMatch(province, None if same_name else old)
        for phrase in (old.name, *old.aliases):
            index.add(phrase, match)
    return _Registry(current, legacy, index)


def current_provinces() -> tuple[Province, ...]:
    """Returns the 34 current provinces, in the order of the data file."""
    return tuple(_registry().current.values())


def legacy_provinces() -> tuple[LegacyProvince, ...]:
    """Returns the 63 legacy provinces, in CCCD code order."""
    return tuple(_registry().legacy.values())


def get_province(province_id: str) -> Province | None:
    """Returns the current province with this id (``"ha_noi"``), or None."""
    return _registry().current.get(province_id)


def legacy_province_by_code(code: str) -> LegacyProvince | None:
    """Returns the legacy province of a CCCD province code (``"074"`` → Bình Dương), or None."""
    code = code.strip()
    if code.isdigit() and len(code) < 3:
        code = code.zfill(3)
    return _registry().legacy.get(code)


def province_for_cccd(number: str) -> ProvinceMatch | None:
    """Returns where a CCCD number was registered: current province plus legacy province.

    Args:
        number: a CCCD number (only its first three digits are used).
    """
    old = legacy_province_by_code(number.strip()[:3])
    if old is None:
        return None
    return ProvinceMatch(_registry().current[old.successor_id], old)


def province_mentions(words: Sequence[str]) -> list[tuple[int, int, ProvinceMatch]]:
    """Finds province names in folded words, longest name first, without overlaps.

    Args:
        words: folded words.

    Returns:
        ``(first word index, index after the last word, match)`` for each mention.
    """
    return _registry().index.mentions(words)


def find_provinces(text: str) -> list[ProvinceMatch]:
    """Returns the distinct provinces named in *text*, in the order they appear."""
    found: list[ProvinceMatch] = []
    for _, _, match in province_mentions(tokens(text)):
        if all(match.province != known.province for known in found):
            found.append(match)
    return found


def _fuzzy(words: list[str]) -> ProvinceMatch | None:
    core = [word for word in words if word not in _PREFIX_WORDS]
    if not core:
        return None
    index = _registry().index
    close = difflib.get_close_matches(" ".join(core), index.phrases(), n=1, cutoff=_FUZZY_CUTOFF)
    return index.get(close[0].split()) if close else None


def parse_province(raw: str, context: Context | None = None) -> ProvinceMatch:
    """Reads a province name: current or legacy, with or without diacritics, or an alias.

    Accepts "Hà Nội", "ha noi", "HN", "tp hcm", "Sài Gòn", "tỉnh Bình Dương", "TT Huế",
    "Vũng Tàu", and small typos ("Bình Dươg").

    Args:
        raw: what the person typed.
        context: may carry ``example``.

    Returns:
        The current province, with the legacy one when an old province was named.

    Raises:
        InvalidValue: nothing recognisable, or several different provinces.
    """
    sample = example(context, _DEFAULT_EXAMPLE)
    text = clean(raw)
    if not text:
        raise fail("Ông/bà chưa nhập tỉnh, thành phố.", sample)
    found = find_provinces(text)
    if len(found) > 1:
        names = ", ".join(match.province.label for match in found)
        raise fail(
            f"Ông/bà vừa nhập nhiều tỉnh, thành phố ({names}). Ông/bà vui lòng chỉ nhập một.",
            sample,
        )
    if found:
        return found[0]
    guess = _fuzzy(tokens(text))
    if guess is not None:
        return guess
    raise fail(
        f"Chưa nhận ra tỉnh, thành phố “{text}”. Ông/bà vui lòng nhập tên tỉnh hoặc thành phố.",
        sample,
    )
