"""Insurance identifiers: mã số BHXH (10 digits) and mã thẻ BHYT (15 characters).

A BHYT card code is ``[2 letters: mã đối tượng][1 digit 1–5: mức hưởng][2 digits: mã tỉnh]``
followed by the holder's 10-digit mã số BHXH (bhxh-domain.md §3).
"""

from __future__ import annotations

import re

from bhxh_catalog.validators._common import Context, clean, example, fail, strip_separators

__all__ = [
    "BHXH_CODE_DIGITS",
    "BHYT_CARD_LENGTH",
    "BHYT_CARD_PATTERN",
    "bhxh_code_of_card",
    "parse_bhxh_code",
    "parse_bhyt_card",
]

BHXH_CODE_DIGITS = 10
BHYT_CARD_LENGTH = 15
BHYT_CARD_PATTERN = re.compile(r"^[A-Z]{2}[1-5]\d{2}\d{10}$")

_BHXH_EXAMPLE = "7912345678"
_BHYT_EXAMPLE = "GD4797912345678"
_LOOKS_LIKE_CARD = re.compile(r"^[A-Z]{2}[0-9O]{13}$")


def bhxh_code_of_card(card: str) -> str:
    """Returns the mã số BHXH inside a valid BHYT card code (its last 10 digits)."""
    return card[-BHXH_CODE_DIGITS:]


def parse_bhxh_code(raw: str, context: Context | None = None) -> str:
    """Reads a mã số BHXH: exactly 10 digits once spaces, dots and dashes are removed.

    When a whole BHYT card code is typed instead, the error offers its last 10 digits.

    Args:
        raw: what the person typed.
        context: may carry ``example``.

    Returns:
        The 10 digits.

    Raises:
        InvalidValue: letters or a wrong number of digits.
    """
    sample = example(context, _BHXH_EXAMPLE)
    compact = strip_separators(clean(raw)).upper()
    if not compact:
        raise fail("Ông/bà chưa nhập mã số BHXH.", sample)
    if BHYT_CARD_PATTERN.match(compact):
        code = bhxh_code_of_card(compact)
        raise fail(
            "Đây là mã thẻ BHYT (15 ký tự). Mã số BHXH là 10 chữ số cuối của mã thẻ; "
            f"ông/bà có thể nhập {code}.",
            code,
        )
    if not compact.isdigit():
        raise fail("Mã số BHXH chỉ gồm 10 chữ số, không có chữ cái.", sample)
    if len(compact) != BHXH_CODE_DIGITS:
        raise fail(
            f"Mã số BHXH cần đủ 10 chữ số (ông/bà vừa nhập {len(compact)} chữ số). Mã số "
            "in trên sổ BHXH, trên thẻ BHYT (10 số cuối) và trong ứng dụng VssID.",
            sample,
        )
    return compact


def parse_bhyt_card(raw: str, context: Context | None = None) -> str:
    """Reads a mã thẻ BHYT: 15 characters, upper-cased, spaces removed.

    Args:
        raw: what the person typed ("gd 4 79 7912345678").
        context: may carry ``example``.

    Returns:
        The 15-character code in upper case.

    Raises:
        InvalidValue: a 10-digit mã số BHXH, or a code of the wrong shape (the message says
            which part is wrong).
    """
    sample = example(context, _BHYT_EXAMPLE)
    compact = strip_separators(clean(raw)).upper()
    if not compact:
        raise fail("Ông/bà chưa nhập mã thẻ BHYT.", sample)
    if compact.isdigit() and len(compact) == BHXH_CODE_DIGITS:
        raise fail(
            "Đây là mã số BHXH (10 chữ số). Mã thẻ BHYT có 15 ký tự: 2 chữ cái, 1 số mức "
            "hưởng, 2 số mã tỉnh rồi đến 10 số mã BHXH.",
            sample,
        )
    if BHYT_CARD_PATTERN.match(compact):
        return compact
    if len(compact) != BHYT_CARD_LENGTH:
        raise fail(
            f"Mã thẻ BHYT cần đủ 15 ký tự (ông/bà vừa nhập {len(compact)} ký tự).", sample
        )
    if not compact[:2].isalpha() or not compact[:2].isascii():
        raise fail(
            "Hai ký tự đầu của mã thẻ BHYT là chữ cái chỉ đối tượng (ví dụ GD, HS, DN).", sample
        )
    if compact[2] not in "12345":
        raise fail("Ký tự thứ 3 của mã thẻ BHYT là mức hưởng, một số từ 1 đến 5.", sample)
    if _LOOKS_LIKE_CARD.match(compact):
        raise fail(
            "13 ký tự sau hai chữ cái đầu phải là chữ số; có thể ông/bà đã gõ chữ O thay cho "
            "số 0.",
            sample,
        )
    raise fail("13 ký tự sau hai chữ cái đầu của mã thẻ BHYT phải là chữ số.", sample)
