"""Configuration of the catalog package, read in this one place (never at import time)."""

from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path

__all__ = ["CATALOG_DIR_ENV", "TODAY_ENV", "catalog_dir", "default_catalog_dir", "today"]

CATALOG_DIR_ENV = "BHXH_CATALOG_DIR"
TODAY_ENV = "BHXH_TODAY"


@functools.lru_cache(maxsize=1)
def default_catalog_dir() -> Path:
    """Returns ``catalog/data``, the data folder next to the package (found once)."""
    return Path(__file__).resolve().parent.parent / "data"


def catalog_dir() -> Path:
    """Returns the catalog data folder: ``$BHXH_CATALOG_DIR`` if set, else the default."""
    configured = os.environ.get(CATALOG_DIR_ENV, "").strip()
    return Path(configured) if configured else default_catalog_dir()


def today() -> date:
    """Returns ``$BHXH_TODAY`` (ISO date) when set, else the current local date.

    The one "today" of the catalog code (estimates, verdicts, the review alarm, the CLI), the same
    variable the bot's clock reads.

    Raises:
        ValueError: the variable is set but is not an ISO date.
    """
    configured = os.environ.get(TODAY_ENV, "").strip()
    if not configured:
        return date.today()
    try:
        return date.fromisoformat(configured)
    except ValueError as error:
        raise ValueError(f"{TODAY_ENV} must be an ISO date such as 2026-01-15") from error
