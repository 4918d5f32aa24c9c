"""The one clock of the actions: the date rules, parameters and estimates are evaluated on.

Every action calls :func:`today`; tests replace it with ``monkeypatch.setattr(clock, "today", …)``
or set ``BHXH_TODAY``.
"""

from __future__ import annotations

from datetime import date

from bot.actions import settings

__all__ = ["today"]


def today() -> date:
    """Returns ``$BHXH_TODAY`` when set, else the current local date."""
    return settings.fixed_today() or date.today()
