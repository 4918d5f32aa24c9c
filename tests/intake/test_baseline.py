"""The 2019 electronic-dossier baseline, summed into the current 34 provinces."""

from __future__ import annotations

import pytest

from intake_service.baseline import load_baseline
from intake_service.catalog_fields import CatalogFields


@pytest.fixture(scope="module")
def baseline():
    return load_baseline(CatalogFields.current_province)


def test_all_63_old_provinces_map_to_current_ones(baseline) -> None:
    assert baseline.unmapped == ()
    assert len(baseline.by_province) == 34
    assert set(baseline.by_province) == set(CatalogFields.provinces())


def test_shares_are_recomputed_from_summed_counts(baseline) -> None:
    # Hà Nội is unchanged: 0 of 168121 dossiers were electronic in 2019.
    assert baseline.share("Hà Nội") == 0.0 or baseline.share("TP Hà Nội") == 0.0
    # TP Hồ Chí Minh = Bình Dương + Bà Rịa – Vũng Tàu + Hồ Chí Minh.
    electronic = 211366 + 16810 + 84196
    total = 945863 + 35633 + 84690
    assert baseline.share("TP Hồ Chí Minh") == pytest.approx(100 * electronic / total)
    assert 0 < baseline.national_share() < 100
