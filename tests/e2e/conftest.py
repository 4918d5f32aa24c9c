"""The running systems of the end-to-end tests (started through :mod:`stack`; slow).

``system`` is one per test session; ``office`` (the handoff tests) is one per module, with the
office always open. Both need a trained model in ``$BHXH_MODEL`` (``bin/test`` trains one and sets
it); the tests are skipped with that reason otherwise.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Iterator, Mapping

import pytest

from stack import RunningStack, StackConfig, running_stack
from tests.e2e.harness import trained_model


def _png() -> bytes:
    """A valid 1×1 PNG (the intake service recognises files from their bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def _running_system(
    tmp_path_factory: pytest.TempPathFactory, name: str, intake_env: Mapping[str, str]
) -> Iterator[RunningStack]:
    """The intake service, the actions and Rasa with the REST, web chat and intake channels."""
    config = StackConfig(
        model=trained_model(),
        webchat=True,
        # the retention jobs run every few seconds here (tests/e2e/test_security.py)
        env={"RETENTION_INTERVAL_SECONDS": "3"},
        intake_env={"INTAKE_PURGE_INTERVAL_SECONDS": "3", **intake_env},
    )
    with running_stack(config, tmp_path_factory.mktemp(name)) as running:
        yield running


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The whole system, started once and stopped at the end."""
    yield from _running_system(tmp_path_factory, "e2e", {})


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The whole system with the office always open and handoffs expiring after 10 minutes."""
    yield from _running_system(
        tmp_path_factory,
        "e2e-handoff",
        {"OFFICE_HOURS": "always", "HANDOFF_TIMEOUT_MINUTES": "10"},
    )


@pytest.fixture
def sender() -> str:
    """A fresh conversation id of the REST channel (its ids live in ``rest:``)."""
    return f"rest:e2e-{uuid.uuid4().hex[:12]}"
