"""Endpoints files as Rasa reads them: those stack writes per run, endpoints.production.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.backing import (
    postgres_available,
    redis_available,
    redis_namespace,
    temporary_postgres_database,
)
from stack.credentials import Credentials
from stack.endpoints import (
    Endpoints,
    PikaEventBroker,
    PostgresTrackerStore,
    RedisLockStore,
    SQLiteTrackerStore,
)

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "endpoints.production.yml"
PRODUCTION_ENV = {
    "ACTION_SERVER_URL": "http://actions.internal:5055/webhook",
    "DB_HOST": "127.0.0.1",
    "DB_PORT": "5432",
    "DB_NAME": "rasa",
    "DB_USER": "postgres",
    "DB_PASSWORD": "",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_DB": "3",
    "REDIS_PASSWORD": "",
    "REDIS_KEY_PREFIX": "bhxhtest",
    "RABBITMQ_HOST": "127.0.0.1",
    "RABBITMQ_PORT": "5672",
    "RABBITMQ_USER": "guest",
    "RABBITMQ_PASSWORD": "guest",
    "RABBITMQ_QUEUE": "bhxh_events",
}


def _read(path: Path):
    from rasa.core.utils import AvailableEndpoints

    return AvailableEndpoints.read_endpoints(str(path))


def test_a_single_machine_run_uses_sqlite_and_no_lock_store_block(tmp_path: Path):
    path = Endpoints("http://127.0.0.1:5055/webhook", SQLiteTrackerStore(tmp_path / "t.db")).write(
        tmp_path / "endpoints.yml"
    )
    endpoints = _read(path)
    assert endpoints.action.url == "http://127.0.0.1:5055/webhook"
    assert endpoints.tracker_store.type == "bot.tracker_store.CachedSQLTrackerStore"
    assert endpoints.tracker_store.kwargs["dialect"] == "sqlite"
    assert endpoints.lock_store is None
    assert endpoints.event_broker is None


def test_a_scaled_run_shares_postgresql_redis_and_a_broker(tmp_path: Path):
    path = Endpoints(
        "http://127.0.0.1:8080/webhook",
        PostgresTrackerStore(db="rasa_test"),
        RedisLockStore(db=3, key_prefix="bhxh1"),
        PikaEventBroker(queue="q1"),
    ).write(tmp_path / "endpoints.yml")
    endpoints = _read(path)
    assert endpoints.tracker_store.url == "127.0.0.1"
    assert endpoints.tracker_store.kwargs["db"] == "rasa_test"
    assert endpoints.lock_store.type == "bot.lock_store.AtomicRedisLockStore"
    assert endpoints.lock_store.kwargs == {"port": 6379, "db": 3, "key_prefix": "bhxh1"}
    assert endpoints.event_broker.kwargs["queues"] == ["q1"]


def test_credentials_always_open_the_rest_channel(tmp_path: Path):
    text = Credentials(webchat_db=tmp_path / "w.db", intake_events=True).write(
        tmp_path / "credentials.yml"
    ).read_text(encoding="utf-8")
    assert text.splitlines()[1] == "connectors.rest.RestInput: null"
    assert "connectors.webchat.WebchatInput" in text
    assert "connectors.intake_events.IntakeEventsInput" in text


def test_production_endpoints_come_from_the_environment(monkeypatch, tmp_path: Path):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    endpoints = _read(PRODUCTION)
    assert endpoints.action.url == PRODUCTION_ENV["ACTION_SERVER_URL"]
    assert endpoints.tracker_store.type == "bot.tracker_store.CachedSQLTrackerStore"
    assert endpoints.tracker_store.kwargs["dialect"] == "postgresql"
    assert endpoints.lock_store.type == "bot.lock_store.AtomicRedisLockStore"
    assert endpoints.lock_store.kwargs["key_prefix"] == "bhxhtest"
    assert endpoints.event_broker is None  # commented out: optional

    # the commented broker block is valid once uncommented
    head, block = PRODUCTION.read_text(encoding="utf-8").split("#event_broker:")
    enabled = tmp_path / "with-broker.yml"
    enabled.write_text(head + "event_broker:" + block.replace("\n#", "\n"), encoding="utf-8")
    broker = _read(enabled).event_broker
    assert broker.type == "pika"
    assert broker.kwargs["queues"] == ["bhxh_events"]


def test_a_missing_variable_stops_with_its_name(monkeypatch):
    from rasa.shared.exceptions import RasaException

    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DB_HOST")
    with pytest.raises(RasaException, match="DB_HOST"):
        _read(PRODUCTION)


@pytest.mark.postgres
async def test_production_stores_connect_to_postgresql_and_redis(monkeypatch):
    if not (postgres_available() and redis_available()):
        pytest.skip("PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is not reachable")
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain

    from bot.lock_store import AtomicRedisLockStore
    from bot.tracker_store import CachedSQLTrackerStore

    with temporary_postgres_database("bhxh_endpoints") as database, redis_namespace() as lock:
        for name, value in PRODUCTION_ENV.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("DB_NAME", database.db)
        monkeypatch.setenv("REDIS_KEY_PREFIX", lock.key_prefix)
        endpoints = _read(PRODUCTION)
        tracker_store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
        assert isinstance(tracker_store, CachedSQLTrackerStore)
        assert tracker_store.engine.dialect.name == "postgresql"
        tracker_store.engine.dispose()
        lock_store = LockStore.create(endpoints.lock_store)
        assert isinstance(lock_store, AtomicRedisLockStore)
        async with lock_store.lock("citizen-1"):
            assert lock_store.get_lock("citizen-1") is not None
        assert lock_store.key_prefix.startswith(lock.key_prefix)
