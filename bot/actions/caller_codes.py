"""Codes that hotline staff give to callers ("7K3 M9Q"), recognised without a lookup.

A staff member on the phone prepares a dossier in the console and reads a 6-character code to the
caller; the caller sends it to the assistant (typed, or ``/start CODE`` on Telegram, which arrives
as the text ``CODE``). The check character (``backend_client.caller_codes``) tells a code from
other words before the intake is asked.
"""

from __future__ import annotations

import re

from backend_client.caller_codes import ALPHABET, caller_code_in, check_character
from bhxh_catalog.vntext import fold

__all__ = ["ALPHABET", "caller_code_in", "check_character", "names_a_code"]

_NAMED = re.compile(r"\b(ma|code)\b")


def names_a_code(text: str) -> bool:
    """Whether the citizen says it is a code ("mã …", "code …")."""
    return _NAMED.search(fold(text)) is not None
