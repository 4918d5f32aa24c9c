"""Personal ID numbers: CCCD / căn cước (12 digits) and the old CMND (9 or 12 digits).

A CCCD number reads ``PPP G YY RRRRRR`` (bhxh-domain.md §3): PPP = legacy province of birth
registration, G = century and gender (0/1: 1900s man/woman, 2/3: 2000s, 4/5: 2100s, …),
YY = last two digits of the birth year, RRRRRR = a random number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bhxh_catalog.validators._common import (
    Context,
    clean,
    context_date,
    context_str,
    example,
    fail,
    strip_separators,
    today,
)
from bhxh_catalog.validators.provinces import LegacyProvince, legacy_province_by_code
from bhxh_catalog.vntext import fold

__all__ = [
    "CCCD_DIGITS",
    "CMND_NOTICE",
    "CccdInfo",
    "describe_cccd",
    "parse_cccd",
    "parse_cmnd",
]

CCCD_DIGITS = 12
CMND_DIGITS = (9, 12)
CMND_NOTICE = (
    "Từ ngày 01/01/2025, chứng minh nhân dân (CMND) không còn giá trị sử dụng; số CMND cũ "
    "chỉ dùng để đối chiếu hồ sơ. Ông/bà nên dùng số căn cước (CCCD) 12 chữ số."
)
"""What the bot says after accepting a CMND number (Luật Căn cước 2023, Art 46)."""

_CCCD_EXAMPLE = "056160001234"
_CMND_EXAMPLE = "225123456"
_NON_DIGIT = re.compile(r"\D")
_MALE = "nam"
_FEMALE = "nu"
_GENDER_WORDS = {
    "nam": _MALE,
    "male": _MALE,
    "m": _MALE,
    "nu": _FEMALE,
    "female": _FEMALE,
    "f": _FEMALE,
}


@dataclass(frozen=True)
class CccdInfo:
    """What a CCCD number says about its holder.

    Attributes:
        number: the 12 digits.
        province: the legacy province where the birth was registered.
        gender: ``"nam"`` or ``"nu"``.
        birth_year: the full birth year.
    """

    number: str
    province: LegacyProvince
    gender: str
    birth_year: int


def _gender_label(gender: str) -> str:
    return "nam" if gender == _MALE else "nữ"


def _digits_or_fail(raw: str, what: str, sample: str) -> str:
    text = clean(raw)
    if not text:
        raise fail(f"Ông/bà chưa nhập {what}.", sample)
    compact = strip_separators(text)
    if _NON_DIGIT.search(compact):
        raise fail(f"{what[0].upper()}{what[1:]} chỉ gồm chữ số.", sample)
    return compact


def describe_cccd(number: str) -> CccdInfo | None:
    """Decodes a 12-digit CCCD number; None when its structure is not valid.

    Args:
        number: 12 digits (separators allowed).
    """
    digits = strip_separators(number)
    if len(digits) != CCCD_DIGITS or not digits.isdigit():
        return None
    province = legacy_province_by_code(digits[:3])
    if province is None:
        return None
    century_gender = int(digits[3])
    birth_year = 1900 + (century_gender // 2) * 100 + int(digits[4:6])
    gender = _MALE if century_gender % 2 == 0 else _FEMALE
    return CccdInfo(digits, province, gender, birth_year)


def _check_against_context(info: CccdInfo, context: Context | None, sample: str) -> None:
    birth_date = context_date(context, "birth_date")
    gender_text = context_str(context, "gender")
    gender = _GENDER_WORDS.get(fold(gender_text).strip()) if gender_text else None
    digit4 = info.number[3]
    if birth_date is not None and birth_date.year != info.birth_year:
        if birth_date.year % 100 != info.birth_year % 100:
            raise fail(
                f"Chữ số thứ 5–6 của số CCCD ({info.number[4:6]}) phải trùng hai số cuối năm "
                f"sinh ({birth_date.year}). Ông/bà vui lòng kiểm tra lại số CCCD hoặc ngày sinh.",
                sample,
            )
        raise fail(
            f"Chữ số thứ 4 của số CCCD ({digit4}) ứng với người sinh năm {info.birth_year}, "
            f"nhưng ngày sinh đã khai là năm {birth_date.year}. Ông/bà vui lòng kiểm tra lại.",
            sample,
        )
    if gender is not None and gender != info.gender:
        raise fail(
            f"Chữ số thứ 4 của số CCCD ({digit4}) ứng với giới tính "
            f"{_gender_label(info.gender)}, nhưng ông/bà đã khai giới tính "
            f"{_gender_label(gender)}. Ông/bà vui lòng kiểm tra lại.",
            sample,
        )


def parse_cccd(raw: str, context: Context | None = None) -> str:
    """Reads a CCCD (căn cước) number and checks its structure.

    Args:
        raw: what the person typed; spaces, dots and dashes are ignored ("056 160 001 234").
        context: may carry ``birth_date`` (date) and ``gender`` ("nam"/"nu") to cross-check
            digits 4–6, ``today`` and ``example``.

    Returns:
        The 12 digits.

    Raises:
        InvalidValue: wrong length, unknown province code, impossible birth year, or a
            disagreement with the birth date or gender already given.
    """
    sample = example(context, _CCCD_EXAMPLE)
    digits = _digits_or_fail(raw, "số CCCD", sample)
    if len(digits) == CMND_DIGITS[0]:
        raise fail(
            "Số ông/bà vừa nhập có 9 chữ số, là số chứng minh nhân dân (CMND) cũ. Từ ngày "
            "01/01/2025 CMND không còn giá trị; ông/bà vui lòng nhập số CCCD 12 chữ số.",
            sample,
        )
    if len(digits) != CCCD_DIGITS:
        raise fail(
            f"Số CCCD cần đủ 12 chữ số (ông/bà vừa nhập {len(digits)} chữ số).", sample
        )
    info = describe_cccd(digits)
    if info is None:
        raise fail(
            f"Ba chữ số đầu của số CCCD ({digits[:3]}) không phải mã tỉnh, thành phố nào. "
            "Ông/bà vui lòng kiểm tra lại.",
            sample,
        )
    if info.birth_year > today(context).year:
        raise fail(
            f"Chữ số thứ 4–6 của số CCCD ({digits[3:6]}) ứng với năm sinh {info.birth_year}, "
            "năm này chưa tới. Ông/bà vui lòng kiểm tra lại.",
            sample,
        )
    _check_against_context(info, context, sample)
    return digits


def parse_cmnd(raw: str, context: Context | None = None) -> str:
    """Reads an old CMND number (9 digits, or 12 for those issued 2012–2016).

    CMND is no longer a valid ID since 01/01/2025 (see :data:`CMND_NOTICE`); the number is
    still accepted to match older records.

    Args:
        raw: what the person typed.
        context: may carry ``example``.

    Returns:
        The digits.

    Raises:
        InvalidValue: not 9 or 12 digits.
    """
    sample = example(context, _CMND_EXAMPLE)
    digits = _digits_or_fail(raw, "số CMND", sample)
    if len(digits) not in CMND_DIGITS:
        raise fail(
            f"Số CMND cũ có 9 chữ số (hoặc 12 chữ số) (ông/bà vừa nhập {len(digits)} chữ số). "
            "CMND không còn giá trị từ ngày 01/01/2025 nhưng số cũ vẫn dùng được để đối chiếu "
            "hồ sơ.",
            sample,
        )
    return digits

