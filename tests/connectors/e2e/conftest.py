"""One running system (intake, actions, Rasa with the three channels) for this folder's tests.

Package-scoped, so it is stopped before ``tests/e2e`` starts its own. Needs a trained model in
``$BHXH_MODEL`` (``bin/test`` trains one and sets it); the tests are skipped otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.connectors.e2e.system import ChannelSystem, Platforms


@pytest.fixture(scope="package")
def trained_model() -> str:
    """The path of the trained model, or a skip saying how to get one."""
    model = os.environ.get("BHXH_MODEL", "")
    if not model or not Path(model).is_file():
        pytest.skip("BHXH_MODEL is not set to a trained model (bin/test trains one and sets it)")
    return str(Path(model).resolve())


@pytest.fixture(scope="package")
def platforms(trained_model: str) -> Iterator[Platforms]:
    """The fake Zalo, Meta Graph and Telegram servers."""
    fakes = Platforms.start()
    try:
        yield fakes
    finally:
        fakes.stop()


@pytest.fixture(scope="package")
def channel_system(
    tmp_path_factory: pytest.TempPathFactory, trained_model: str, platforms: Platforms
) -> Iterator[ChannelSystem]:
    """The intake service, the action server and Rasa with Zalo, Messenger and Telegram."""
    running = ChannelSystem(
        tmp_path_factory.mktemp("channels-e2e"),
        trained_model,
        channel_env=platforms.environment(),
    )
    running.prepare()
    try:
        running.start()
        yield running
    finally:
        running.stop()
