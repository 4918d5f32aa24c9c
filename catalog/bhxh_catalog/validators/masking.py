"""Masking sensitive values for summaries, logs and staff lists.

Only a few characters at each end stay visible, enough for the person to recognise their own
value: ``mask_cccd("056160001234") == "056******234"``,
``mask_phone("0912345678") == "09******78"``.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "MASK_CHAR",
    "mask",
    "mask_account",
    "mask_bhxh",
    "mask_bhyt_card",
    "mask_cccd",
    "mask_email",
    "mask_field",
    "mask_phone",
]

MASK_CHAR = "*"
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def mask(value: str, keep_start: int, keep_end: int) -> str:
    """Replaces the middle of *value* by ``*``, keeping *keep_start* and *keep_end* characters.

    When the value is too short to keep both ends and hide something, everything is hidden.
    """
    if len(value) <= keep_start + keep_end:
        return MASK_CHAR * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + MASK_CHAR * hidden + value[len(value) - keep_end :]


def _compact(value: str) -> str:
    return _NOT_ALNUM.sub("", value)


def mask_cccd(number: str) -> str:
    """``"056160001234"`` → ``"056******234"`` (a 9-digit CMND keeps 2 + 2)."""
    digits = _compact(number)
    return mask(digits, 3, 3) if len(digits) >= 12 else mask(digits, 2, 2)


def mask_phone(number: str) -> str:
    """``"0912345678"`` → ``"09******78"``."""
    return mask(_compact(number), 2, 2)


def mask_account(number: str) -> str:
    """``"0071001234567"`` → ``"*********4567"`` (last four digits only)."""
    return mask(_compact(number), 0, 4)


def mask_bhxh(code: str) -> str:
    """``"7912345678"`` → ``"79******78"``."""
    return mask(_compact(code), 2, 2)


def mask_bhyt_card(card: str) -> str:
    """``"GD4797912345678"`` → ``"GD4**********78"``."""
    return mask(_compact(card).upper(), 3, 2)


def mask_email(address: str) -> str:
    """``"nguyenvanan@gmail.com"`` → ``"n**********@gmail.com"``."""
    local, at, domain = address.partition("@")
    if not at:
        return mask(address, 1, 0)
    return mask(local, 1, 0) + at + domain


def mask_field(field_type: str, value: object) -> str:
    """Masks a validated value by its field type, for fields marked ``sensitive``.

    Identifier types keep their ends visible; dates keep only the year; any other type keeps
    its first character.

    Args:
        field_type: a validator name (``"cccd"``, ``"phone"``, …).
        value: the validated value (or its text).
    """
    if isinstance(value, date):
        return f"**/**/{value.year}"
    text = str(value)
    if field_type == "date":
        try:
            return f"**/**/{date.fromisoformat(text[:10]).year}"
        except ValueError:
            return mask(text, 0, 4)
    maskers = {
        "cccd": mask_cccd,
        "cmnd": mask_cccd,
        "phone": mask_phone,
        "bank_account": mask_account,
        "bhxh_code": mask_bhxh,
        "bhyt_card": mask_bhyt_card,
        "email": mask_email,
    }
    masker = maskers.get(field_type)
    if masker is not None:
        return masker(text)
    return mask(text, 1, 0)
