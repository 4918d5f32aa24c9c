"""Shared fixtures of the NLU tests."""

from __future__ import annotations

import pytest

from bot.nlu.teencode import TeencodeTable, load_teencode


@pytest.fixture(scope="session")
def table() -> TeencodeTable:
    """The project's teencode table."""
    return load_teencode()
