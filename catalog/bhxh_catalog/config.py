"""Configuration of the catalog package, read in this one place (never at import time)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

__all__ = ["CATALOG_DIR_ENV", "catalog_dir", "default_catalog_dir"]

CATALOG_DIR_ENV = "BHXH_CATALOG_DIR"


@functools.lru_cache(maxsize=1)
def default_catalog_dir() -> Path:
    """Returns ``catalog/data``, the data folder next to the package (found once)."""
    return Path(__file__).resolve().parent.parent / "data"


def catalog_dir() -> Path:
    """Returns the catalog data folder: ``$BHXH_CATALOG_DIR`` if set, else the default."""
    configured = os.environ.get(CATALOG_DIR_ENV, "").strip()
    return Path(configured) if configured else default_catalog_dir()
