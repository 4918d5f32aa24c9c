"""Free text, names, addresses and e-mail addresses."""

from __future__ import annotations

import re

from bhxh_catalog.validators._common import Context, clean, context_int, example, fail

__all__ = [
    "ADDRESS_MAX_LENGTH",
    "NAME_MAX_WORDS",
    "NAME_MIN_WORDS",
    "TEXT_MAX_LENGTH",
    "parse_address",
    "parse_email",
    "parse_full_name",
    "parse_text",
]

TEXT_MAX_LENGTH = 1000
ADDRESS_MAX_LENGTH = 300
NAME_MAX_LENGTH = 100
NAME_MIN_WORDS = 2
NAME_MAX_WORDS = 7

_TEXT_EXAMPLE = "Tôi muốn hỏi về thủ tục hưởng BHXH một lần"
_NAME_EXAMPLE = "Nguyễn Văn An"
_ADDRESS_EXAMPLE = "Số 12 đường Lê Lợi, phường Bến Thành, TP Hồ Chí Minh"
_EMAIL_EXAMPLE = "nguyenvanan@gmail.com"
_NAME_JOINERS = "'’-"
_CAPITALISE_AFTER = re.compile(r"(^|['’\-])(\w)")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def _max_length(context: Context | None, default: int) -> int:
    return context_int(context, "max_length") or default


def parse_text(raw: str, context: Context | None = None) -> str:
    """Reads free text: not empty, not too long; returned in NFC without outer spaces.

    Args:
        raw: what the person typed.
        context: may carry ``max_length`` (default 1000) and ``example``.

    Raises:
        InvalidValue: empty or too long.
    """
    sample = example(context, _TEXT_EXAMPLE)
    text = clean(raw)
    if not text:
        raise fail("Ông/bà chưa nhập nội dung.", sample)
    limit = _max_length(context, TEXT_MAX_LENGTH)
    if len(text) > limit:
        raise fail(
            f"Nội dung dài quá {limit} ký tự (ông/bà vừa nhập {len(text)} ký tự). Ông/bà "
            "vui lòng viết ngắn gọn hơn.",
            sample,
        )
    return text


def _capitalise(word: str) -> str:
    return _CAPITALISE_AFTER.sub(lambda m: m.group(1) + m.group(2).upper(), word.lower())


def parse_full_name(raw: str, context: Context | None = None) -> str:
    """Reads a full name: letters only, two to seven words, each word capitalised.

    Diacritics are kept as typed ("nguyen van an" → "Nguyen Van An",
    "NGUYỄN VĂN AN" → "Nguyễn Văn An"). Apostrophes and hyphens inside a word are allowed
    (names such as "H'Hen Niê").

    Args:
        raw: what the person typed.
        context: may carry ``example``.

    Raises:
        InvalidValue: empty, digits or symbols, a single word, or too many words.
    """
    sample = example(context, _NAME_EXAMPLE)
    text = clean(raw).strip(" .,;!")
    if not text:
        raise fail("Ông/bà chưa nhập họ và tên.", sample)
    if any(char.isdigit() for char in text):
        raise fail("Họ và tên không có chữ số.", sample)
    words = text.split(" ")
    for word in words:
        core = word.strip(_NAME_JOINERS)
        if not core or not all(char.isalpha() or char in _NAME_JOINERS for char in core):
            raise fail(
                "Họ và tên chỉ gồm chữ cái, không viết tắt và không có ký hiệu.", sample
            )
    if len(words) < NAME_MIN_WORDS:
        raise fail("Ông/bà vui lòng nhập đầy đủ cả họ và tên.", sample)
    if len(words) > NAME_MAX_WORDS or len(text) > NAME_MAX_LENGTH:
        raise fail(
            f"Họ và tên dài hơn thường lệ ({len(words)} chữ). Ông/bà vui lòng chỉ nhập họ và "
            "tên, không kèm nội dung khác.",
            sample,
        )
    return " ".join(_capitalise(word.strip(_NAME_JOINERS)) for word in words)


def parse_address(raw: str, context: Context | None = None) -> str:
    """Reads an address: some letters, 5 to 300 characters.

    Args:
        raw: what the person typed.
        context: may carry ``max_length`` and ``example``.

    Raises:
        InvalidValue: empty, too short, digits only, or too long.
    """
    sample = example(context, _ADDRESS_EXAMPLE)
    text = clean(raw)
    if not text:
        raise fail("Ông/bà chưa nhập địa chỉ.", sample)
    if len(text) < 5 or not any(char.isalpha() for char in text):
        raise fail(
            "Địa chỉ chưa đủ. Ông/bà vui lòng ghi số nhà hoặc thôn, xã/phường và tỉnh/thành phố.",
            sample,
        )
    limit = _max_length(context, ADDRESS_MAX_LENGTH)
    if len(text) > limit:
        raise fail(f"Địa chỉ dài quá {limit} ký tự. Ông/bà vui lòng ghi ngắn gọn hơn.", sample)
    return text


def parse_email(raw: str, context: Context | None = None) -> str:
    """Reads an e-mail address; the domain is lower-cased.

    Args:
        raw: what the person typed.
        context: may carry ``example``.

    Raises:
        InvalidValue: empty, no ``@``, spaces, letters with diacritics, or no domain.
    """
    sample = example(context, _EMAIL_EXAMPLE)
    text = clean(raw).strip(" .,;")
    if not text:
        raise fail("Ông/bà chưa nhập địa chỉ email.", sample)
    if " " in text:
        raise fail("Địa chỉ email không có dấu cách.", sample)
    if text.count("@") != 1:
        raise fail("Địa chỉ email cần có đúng một ký tự @.", sample)
    if not text.isascii():
        raise fail("Địa chỉ email không dùng chữ có dấu.", sample)
    local, domain = text.split("@")
    address = f"{local}@{domain.lower()}"
    if not _EMAIL.match(address) or ".." in address:
        raise fail(f"Địa chỉ email “{text}” chưa đúng dạng.", sample)
    return address
