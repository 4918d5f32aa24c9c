"""Fixtures of the catalog engine's tests: the mini catalog (``tests/catalog/fixtures/mini``)."""

from __future__ import annotations

import pytest

from bhxh_catalog import Catalog, Procedure, load_catalog
from tests.catalog.fixtures import MINI


@pytest.fixture(scope="module")
def cat() -> Catalog:
    """The mini catalog: two procedures and the registries (not the real catalog)."""
    return load_catalog(MINI)


@pytest.fixture(scope="module")
def mot_lan(cat: Catalog) -> Procedure:
    """``huong_bhxh_mot_lan`` of the mini catalog."""
    return cat.get("huong_bhxh_mot_lan")
