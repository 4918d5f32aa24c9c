"""Vietnamese mobile phone numbers, normalised to ``0xxxxxxxxx``.

Accepted network codes (bhxh-domain.md §3): Viettel 086 096 097 098 032–039; VinaPhone 088 091
094 081–085; MobiFone 089 090 093 070 076–079; Vietnamobile 092 056 058 (052 unverified);
Gmobile 099 059; iTel 087 and Reddi 055 (both unverified, accepted). 11-digit ``01xx`` numbers
were converted to 10 digits between 15/9/2018 and 30/6/2019.
"""

from __future__ import annotations

import re

from bhxh_catalog.validators._common import Context, clean, example, fail

__all__ = ["MOBILE_PREFIXES", "carrier_of", "parse_phone"]

MOBILE_PREFIXES: dict[str, str] = {
    **{f"03{digit}": "Viettel" for digit in "23456789"},
    "086": "Viettel",
    "096": "Viettel",
    "097": "Viettel",
    "098": "Viettel",
    **{f"08{digit}": "VinaPhone" for digit in "12345"},
    "088": "VinaPhone",
    "091": "VinaPhone",
    "094": "VinaPhone",
    "070": "MobiFone",
    **{f"07{digit}": "MobiFone" for digit in "6789"},
    "089": "MobiFone",
    "090": "MobiFone",
    "093": "MobiFone",
    "052": "Vietnamobile",
    "092": "Vietnamobile",
    "056": "Vietnamobile",
    "058": "Vietnamobile",
    "059": "Gmobile",
    "099": "Gmobile",
    "087": "iTel",
    "055": "Reddi",
}
"""Three-digit mobile prefixes in use, with their network."""

PHONE_DIGITS = 10
_EXAMPLE = "0912345678"
_SEPARATORS = re.compile(r"[\s.\-()/]+")


def carrier_of(number: str) -> str | None:
    """Returns the network of a normalised mobile number ("0912345678" → "VinaPhone")."""
    return MOBILE_PREFIXES.get(number[:3])


def _national(compact: str) -> str:
    """Turns +84 / 0084 / 84 forms into the national 0… form (other inputs unchanged).

    A national number never starts with 84, so the country code is recognised even without
    the plus sign; a 0 kept after the country code ("+84 0912…") is dropped.
    """
    for country in ("+84", "0084", "84"):
        if compact.startswith(country):
            rest = compact[len(country) :]
            if rest.startswith("0"):
                rest = rest[1:]
            if len(rest) in (PHONE_DIGITS - 1, PHONE_DIGITS):
                return "0" + rest
    if len(compact) == PHONE_DIGITS - 1 and ("0" + compact[:2]) in MOBILE_PREFIXES:
        return "0" + compact
    return compact


def parse_phone(raw: str, context: Context | None = None) -> str:
    """Reads a Vietnamese mobile number.

    Accepts ``0912345678``, ``0912.345.678``, ``091-234-5678``, ``+84 912 345 678``,
    ``84912345678``.

    Args:
        raw: what the person typed.
        context: may carry ``example``.

    Returns:
        The number as 10 digits starting with 0.

    Raises:
        InvalidValue: letters, a wrong length, an old 11-digit number, a landline, or a
            prefix no network uses.
    """
    sample = example(context, _EXAMPLE)
    compact = _SEPARATORS.sub("", clean(raw))
    if not compact:
        raise fail("Ông/bà chưa nhập số điện thoại.", sample)
    if not re.fullmatch(r"\+?\d+", compact):
        raise fail("Số điện thoại chỉ gồm chữ số.", sample)
    number = _national(compact)
    if number.startswith("01") and len(number) == PHONE_DIGITS + 1:
        raise fail(
            "Số điện thoại 11 chữ số bắt đầu bằng 01 đã được chuyển sang số 10 chữ số trong "
            "năm 2018–2019. Ông/bà vui lòng nhập số mới 10 chữ số.",
            sample,
        )
    if number.startswith("02") and len(number) == PHONE_DIGITS + 1:
        raise fail(
            "Đây có vẻ là số máy bàn. Ông/bà vui lòng nhập số điện thoại di động 10 chữ số "
            "để nhận tin nhắn.",
            sample,
        )
    if len(number) != PHONE_DIGITS or not number.startswith("0"):
        digits = sum(char.isdigit() for char in compact)
        raise fail(
            f"Số điện thoại di động cần đủ 10 chữ số, bắt đầu bằng 0 (ông/bà vừa nhập {digits} "
            "chữ số).",
            sample,
        )
    if number[:3] not in MOBILE_PREFIXES:
        raise fail(
            f"Đầu số {number[:3]} không phải đầu số di động đang dùng ở Việt Nam. Ông/bà vui "
            "lòng kiểm tra lại.",
            sample,
        )
    return number
