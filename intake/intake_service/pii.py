"""Personal data: keyed hashes for exact search, masking for lists, and a log filter.

Identifiers (CCCD, CMND, mã số BHXH, mã thẻ BHYT), phone numbers and full names are indexed as
HMAC-SHA256 digests keyed by the service's secret, so staff can find a dossier by typing the
number or the whole name (any case, with or without diacritics) while the index itself reveals
nothing. Logs never carry such numbers: :class:`PiiLogFilter` rewrites every record.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "SEARCHABLE_TYPES",
    "PiiLogFilter",
    "folded_name",
    "identifier_digest",
    "identifier_entries",
    "install_log_filter",
    "mask_log_line",
    "mask_text",
    "search_digests",
]

# Field types whose values are indexed for exact search.
SEARCHABLE_TYPES = ("cccd", "cmnd", "bhxh_code", "bhyt_card", "phone", "full_name")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")
_BHYT = re.compile(r"^[A-Z]{2}[1-5]\d{12}$")


def _search_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"intake-identifier-search", hashlib.sha256).digest()


def _compact(value: str) -> str:
    return _NON_ALNUM.sub("", value).upper()


def folded_name(value: str) -> str:
    """A name as indexed: no diacritics, "đ" as "d", lower case, single spaces."""
    text = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare.lower()).split())


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits


def identifier_digest(secret_key: str, kind: str, value: str) -> str:
    """The keyed digest of one identifier of a kind (``cccd``, ``bhxh_code``, …).

    Args:
        secret_key: the service secret (must stay stable for search to keep working).
        kind: the identifier kind, part of the hashed text.
        value: the identifier; spaces, dots and dashes are ignored, letters upper-cased.
    """
    message = f"{kind}:{_compact(value)}".encode()
    return hmac.new(_search_key(secret_key), message, hashlib.sha256).hexdigest()


def identifier_entries(field_type: str, value: str) -> list[tuple[str, str]]:
    """The ``(kind, value)`` pairs to index for one field value.

    A BHYT card number also yields its last ten digits, which are the holder's mã số BHXH.
    """
    if field_type not in SEARCHABLE_TYPES:
        return []
    if field_type == "full_name":
        return [("full_name", folded_name(value))] if folded_name(value) else []
    if field_type == "phone":
        return [("phone", _phone(value))]
    compact = _compact(value)
    entries = [(field_type, compact)]
    if field_type == "bhyt_card" and len(compact) == 15:
        entries.append(("bhxh_code", compact[-10:]))
    return entries


def search_digests(secret_key: str, query: str) -> list[str]:
    """The digests to look up for what a staff member typed in the search box.

    Twelve digits are a CCCD, nine a CMND, ten a mã số BHXH or a phone number, fifteen
    characters a BHYT card (whose last ten digits are also tried as a mã số BHXH); words without
    digits are a full name.
    """
    compact = _compact(query)
    kinds: list[tuple[str, str]] = []
    if compact.isdigit():
        by_length = {12: "cccd", 9: "cmnd", 10: "bhxh_code"}
        if len(compact) in by_length:
            kinds.append((by_length[len(compact)], compact))
        if _phone(compact).startswith("0") and len(_phone(compact)) == 10:
            kinds.append(("phone", _phone(compact)))
    elif _BHYT.match(compact):
        kinds.extend([("bhyt_card", compact), ("bhxh_code", compact[-10:])])
    elif not re.search(r"\d", query) and len(folded_name(query).split()) >= 2:
        kinds.append(("full_name", folded_name(query)))
    return [identifier_digest(secret_key, kind, value) for kind, value in kinds]


# Runs of digits that may be identifiers, phone numbers or account numbers (nine or more digits,
# possibly written with spaces, dots or dashes), BHYT card numbers and e-mail addresses.
_LOG_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b[A-Z]{2}[1-5][\s.-]?\d{2}[\s.-]?\d{10}\b"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # also glued to letters ("cccd001088012345") or URL-encoded ("zalo%3A4821337712")
    re.compile(r"(?<!\d)\+?\d(?:[\s.-]?\d){8,}(?!\d)"),
)
# receipt codes in request lines (uvicorn's access log): HS-7K3M-9Q2P → HS-••••-••2P
_RECEIPT = re.compile(r"\bHS-[A-Z0-9]{4}-[A-Z0-9]{2}([A-Z0-9]{2})\b", re.IGNORECASE)


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if "@" in text:
        return "•••@•••"
    compact = _compact(text)
    return "•" * (len(compact) - 3) + compact[-3:]


def mask_text(text: str) -> str:
    """Hides identifiers, phone numbers, account numbers and e-mails inside free text."""
    for pattern in _LOG_PATTERNS:
        text = pattern.sub(_mask_match, text)
    return text


def mask_log_line(text: str) -> str:
    """:func:`mask_text`, and receipt codes too (a log line tells nothing to look up)."""
    return _RECEIPT.sub(lambda m: f"HS-••••-••{m.group(1)}", mask_text(text))


class PiiLogFilter(logging.Filter):
    """Rewrites each log record so that personal numbers never reach a log file.

    Attach it to the handlers (not the loggers) so that records from every library, including
    uvicorn's access log with its query strings, pass through it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Masks the formatted message in place; never drops a record."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = mask_log_line(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_log_line(record.exc_text)
        return True


def install_log_filter(loggers: Iterable[logging.Logger]) -> None:
    """Adds :class:`PiiLogFilter` to every handler of the given loggers (idempotent)."""
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
                handler.addFilter(PiiLogFilter())
