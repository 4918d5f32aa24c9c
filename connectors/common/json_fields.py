"""Read fields of a platform's JSON defensively: a wrong type gives an empty value, not an error.

Webhook bodies come from outside; an unexpected shape must not crash the connector.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty mapping."""
    return value if isinstance(value, dict) else {}


def as_text(value: Any) -> str | None:
    """``value`` as stripped text; ``None`` when absent or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def as_int(value: Any) -> int | None:
    """``value`` as an integer (a number or a numeric string, as Zalo sends ids); else ``None``."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
