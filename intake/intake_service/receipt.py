"""Receipt codes people can read over the phone: ``HS-7K3M-9Q2P``.

Seven random characters and one check character from an alphabet without the look-alikes
0/O, 1/I/L. The check character is a weighted sum modulo 31 (a prime), so any single wrong
character and any swap of two neighbours is detected before a database lookup.
"""

from __future__ import annotations

import re
import secrets

__all__ = ["ALPHABET", "is_valid", "new_code", "normalize"]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_PREFIX = "HS"
_BODY_LENGTH = 7
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-_.·]+")


def _check_char(body: str) -> str:
    total = sum((position + 1) * _INDEX[ch] for position, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def _format(chars: str) -> str:
    return f"{_PREFIX}-{chars[:4]}-{chars[4:]}"


def new_code() -> str:
    """A fresh random receipt code (uniqueness is enforced by the database)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY_LENGTH))
    return _format(body + _check_char(body))


def normalize(text: str) -> str | None:
    """The canonical form of a code typed or dictated in any way, or None if it is not one.

    ``"hs 7k3m 9q2p"``, ``"HS7K3M9Q2P"`` and ``"7K3M-9Q2P"`` all give ``"HS-7K3M-9Q2P"`` when
    the check character matches.
    """
    compact = _SEPARATORS.sub("", text.strip().upper())
    if compact.startswith(_PREFIX) and len(compact) == len(_PREFIX) + _BODY_LENGTH + 1:
        compact = compact[len(_PREFIX) :]
    if len(compact) != _BODY_LENGTH + 1 or any(ch not in _INDEX for ch in compact):
        return None
    body, check = compact[:-1], compact[-1]
    if _check_char(body) != check:
        return None
    return _format(compact)


def is_valid(text: str) -> bool:
    """Whether ``text`` is a well-formed code with a correct check character."""
    return normalize(text) is not None
