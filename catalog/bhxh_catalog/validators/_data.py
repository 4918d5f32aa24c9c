"""Reading the reference data files (provinces.yaml, banks.yaml), once, on first use."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from bhxh_catalog.config import catalog_dir, default_catalog_dir

__all__ = ["load_reference", "strings"]


def _reference_path(name: str) -> Path:
    """Prefers the configured catalog folder; falls back to the one shipped with the package."""
    configured = catalog_dir() / name
    return configured if configured.is_file() else default_catalog_dir() / name


@functools.cache
def load_reference(name: str) -> object:
    """Returns the parsed content of the reference file *name* (cached for the process).

    Args:
        name: a file name in the catalog data folder, e.g. ``"provinces.yaml"``.

    Raises:
        FileNotFoundError: the file is in neither folder.
    """
    with _reference_path(name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def strings(value: object) -> tuple[str, ...]:
    """Reads an optional list of names (``aliases``, …) of a reference entry; () when absent."""
    return tuple(str(item) for item in value) if isinstance(value, list) else ()
