"""Re-deliveries are recognised durably, per channel, for the time to live."""

from __future__ import annotations

from connectors.common.database import ConnectorDatabase
from connectors.common.dedupe import DedupeStore


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_first_claim_wins_later_claims_lose(common_settings):
    store = DedupeStore(ConnectorDatabase(common_settings.database_url), 3600)

    assert await store.first_delivery("zalo", "msg:1") is True
    assert await store.first_delivery("zalo", "msg:1") is False
    assert await store.first_delivery("telegram", "msg:1") is True  # ids are per channel


async def test_ids_are_remembered_across_restarts(common_settings):
    url = common_settings.database_url
    assert await DedupeStore(ConnectorDatabase(url), 3600).first_delivery("zalo", "m") is True
    assert await DedupeStore(ConnectorDatabase(url), 3600).first_delivery("zalo", "m") is False


async def test_ids_are_forgotten_after_the_ttl(common_settings):
    clock = Clock()
    store = DedupeStore(ConnectorDatabase(common_settings.database_url), 60, clock)
    await store.first_delivery("zalo", "m")

    clock.now += 61

    assert await store.first_delivery("zalo", "m") is True


def test_events_older_than_the_ttl_are_outlived():
    clock = Clock()
    store = DedupeStore(ConnectorDatabase("sqlite:///unused.sqlite3"), 60, clock)
    assert store.outlived(clock.now - 61)
    assert not store.outlived(clock.now - 59)
    assert not store.outlived(None)


async def test_very_long_ids_are_hashed(common_settings):
    store = DedupeStore(ConnectorDatabase(common_settings.database_url), 3600)
    long_id = "x" * 500
    assert await store.first_delivery("zalo", long_id) is True
    assert await store.first_delivery("zalo", long_id) is False
