"""The 2019 baseline of electronic dossiers per province (công văn 3040/BHXH-CNTT, 20/8/2019).

The figures are per old province (63); they are summed into the current 34 provinces through
the catalog's mapping, and the share is recomputed from the sums (not averaged).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BASELINE_FILE", "Baseline", "load_baseline"]

BASELINE_FILE = Path(__file__).resolve().parent / "data" / "e-transaction-rates-2019.csv"
# Spellings of the 2019 appendix that differ from the usual names.
_ALIASES = {"TT-Huế": "Thừa Thiên Huế", "Hồ Chí Minh": "TP Hồ Chí Minh"}


@dataclass(frozen=True)
class Baseline:
    """Electronic and total benefit dossiers of 2019 per province.

    Attributes:
        by_province: ``{province: (electronic, total)}`` under current names when the mapping
            is known, else under the 2019 names.
        unmapped: 2019 names the mapping did not recognise.
    """

    by_province: dict[str, tuple[int, int]]
    unmapped: tuple[str, ...] = ()

    def share(self, province: str) -> float | None:
        """The 2019 electronic share (percent) of a province, or None when unknown."""
        counts = self.by_province.get(province)
        if not counts or not counts[1]:
            return None
        return 100.0 * counts[0] / counts[1]

    def national_share(self) -> float:
        """The 2019 electronic share of the whole country (percent)."""
        electronic = sum(e for e, _ in self.by_province.values())
        total = sum(t for _, t in self.by_province.values())
        return 100.0 * electronic / total if total else 0.0


def load_baseline(to_current: Callable[[str], str | None], path: Path = BASELINE_FILE) -> Baseline:
    """Reads the 2019 figures and sums them into current provinces.

    Args:
        to_current: maps an old or current province name to its current name (None if unknown).
        path: the CSV file (comment lines start with ``#``).
    """
    by_province: dict[str, tuple[int, int]] = {}
    unmapped: list[str] = []
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            old = row["province"].strip()
            current = to_current(_ALIASES.get(old, old)) or to_current(old)
            if current is None:
                unmapped.append(old)
                current = old
            electronic, total = by_province.get(current, (0, 0))
            by_province[current] = (
                electronic + int(row["electronic_dossiers"]),
                total + int(row["total_dossiers"]),
            )
    return Baseline(by_province=by_province, unmapped=tuple(unmapped))
