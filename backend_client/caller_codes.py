"""The codes hotline staff give to callers ("7K3 M9Q"), recognised without asking the intake.

docs/contracts.md: 6 characters from ``23456789ABCDEFGHJKMNPQRSTUVWXYZ`` (no 0/O/1/I/L); the sixth
is a check character, ``ALPHABET[sum((k + 1) * i(c_k) for k in 0..4) % 31]`` with ``i(c)`` the
index of ``c``. Case, spaces and dashes are ignored. Shared by the actions (which redeem a code)
and the input channels (which recognise a message that is nothing but a code).
"""

from __future__ import annotations

import re

__all__ = ["ALPHABET", "bare_caller_code", "caller_code_in", "check_character"]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CANDIDATE = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{3})[ \-]?([0-9A-Z]{3})(?![0-9A-Z])")
_BARE = re.compile(r"^\s*(?:(?:MÃ|MA|CODE)\s*:?\s*)?([0-9A-Z]{3})[ \-]?([0-9A-Z]{3})\s*[.!]?\s*$")


def check_character(first_five: str) -> str:
    """The check character of a code's first five characters."""
    total = sum((k + 1) * ALPHABET.index(char) for k, char in enumerate(first_five))
    return ALPHABET[total % len(ALPHABET)]


def _valid(code: str) -> bool:
    return (
        len(code) == 6
        and all(char in ALPHABET for char in code)
        and any(char.isalpha() for char in code)  # not a number (phone, CCCD …) by chance
        and check_character(code[:5]) == code[5]
    )


def caller_code_in(text: str) -> str | None:
    """The caller code in a message, normalised (``"mã 7k3 m9q"`` → ``"7K3M9Q"``), or None."""
    for match in _CANDIDATE.finditer(text.upper()):
        code = match.group(1) + match.group(2)
        if _valid(code):
            return code
    return None


def bare_caller_code(text: str) -> str | None:
    """The code when the message is nothing else (``"7K3 M9Q"``, ``"mã: 7k3-m9q"``), or None."""
    match = _BARE.match(text.upper())
    if match is None:
        return None
    code = match.group(1) + match.group(2)
    return code if _valid(code) else None
