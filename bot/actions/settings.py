"""Settings of the action server, read from the environment in this one place.

``BHXH_TODAY`` (ISO date) fixes the evaluation date, for demonstrations and end-to-end tests;
unset, the real date is used (see :mod:`bot.actions.clock`).
"""

from __future__ import annotations

import os
from datetime import date

__all__ = ["HOTLINE", "TODAY_ENV", "fixed_today"]

HOTLINE = "1900 9068"
TODAY_ENV = "BHXH_TODAY"


def fixed_today() -> date | None:
    """Returns the date set in ``$BHXH_TODAY``, or None when unset.

    Raises:
        ValueError: the variable is set but is not an ISO date.
    """
    configured = os.environ.get(TODAY_ENV, "").strip()
    if not configured:
        return None
    try:
        return date.fromisoformat(configured)
    except ValueError as error:
        raise ValueError(f"{TODAY_ENV} must be an ISO date such as 2026-01-15") from error
