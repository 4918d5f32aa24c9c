"""One running system (intake, actions, Rasa with the three channels) for this folder's tests.

Package-scoped, so it is stopped before ``tests/e2e`` starts its own. Needs a trained model in
``$BHXH_MODEL`` (``bin/test`` trains one and sets it); the tests are skipped otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stack import RunningStack, StackConfig, running_stack
from tests.connectors.e2e.system import Platforms
from tests.e2e.harness import trained_model


@pytest.fixture(scope="package")
def model() -> str:
    """The path of the trained model, or a skip saying how to get one."""
    return trained_model()


@pytest.fixture(scope="package")
def platforms(model: str) -> Iterator[Platforms]:
    """The fake Zalo, Meta Graph and Telegram servers."""
    fakes = Platforms.start()
    try:
        yield fakes
    finally:
        fakes.stop()


@pytest.fixture(scope="package")
def channel_system(
    tmp_path_factory: pytest.TempPathFactory, model: str, platforms: Platforms
) -> Iterator[RunningStack]:
    """The intake service, the action server and Rasa with Zalo, Messenger and Telegram."""
    config = StackConfig(
        model=model, webchat=True, messaging=True, env=platforms.environment()
    )
    with running_stack(config, tmp_path_factory.mktemp("channels-e2e")) as running:
        yield running
