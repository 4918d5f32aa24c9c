"""The Rasa endpoints file written for one run: action server, tracker store, lock store, broker.

Each part is a small frozen dataclass with ``as_config()`` giving the block Rasa 3.6 reads
(``rasa/core/tracker_store.py``, ``rasa/core/lock_store.py``, ``rasa/core/brokers/pika.py``);
:class:`Endpoints` puts them together and writes the YAML file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TRACKER_STORE_CLASS = "bot.tracker_store.CachedSQLTrackerStore"
"""The tracker store Rasa loads by module path: Rasa's SQL store reading only what changed."""


@dataclass(frozen=True)
class SQLiteTrackerStore:
    """The SQL tracker store on an SQLite file (one machine; the default of ``bin/start``)."""

    path: Path

    def as_config(self) -> dict[str, Any]:
        """The ``tracker_store`` block."""
        return {"type": TRACKER_STORE_CLASS, "dialect": "sqlite", "db": str(self.path)}


@dataclass(frozen=True)
class PostgresTrackerStore:
    """The SQL tracker store on PostgreSQL (several Rasa servers share it)."""

    db: str
    host: str = "127.0.0.1"
    port: int = 5432
    username: str = "postgres"
    password: str = ""

    def as_config(self) -> dict[str, Any]:
        """The ``tracker_store`` block."""
        config: dict[str, Any] = {
            "type": TRACKER_STORE_CLASS,
            "dialect": "postgresql",
            "url": self.host,
            "port": self.port,
            "db": self.db,
            "username": self.username,
        }
        if self.password:
            config["password"] = self.password
        return config

    @property
    def sqlalchemy_url(self) -> str:
        """The same database as an SQLAlchemy URL (psycopg2 driver, as Rasa uses)."""
        auth = f"{self.username}:{self.password}" if self.password else self.username
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.db}"


@dataclass(frozen=True)
class InMemoryLockStore:
    """Rasa's default lock store: correct only while one Rasa process serves a conversation."""

    def as_config(self) -> dict[str, Any] | None:
        """No ``lock_store`` block (Rasa's default)."""
        return None


LOCK_STORE_CLASS = "bot.lock_store.AtomicRedisLockStore"
"""The lock store Rasa loads by module path (the ``type`` of the ``lock_store`` block)."""


@dataclass(frozen=True)
class RedisLockStore:
    """Conversation locks in Redis shared by every Rasa server (``bot.lock_store``).

    Rasa's own ``type: redis`` store changes a lock non-atomically, so two servers can serve one
    conversation at once; ``bot.lock_store.AtomicRedisLockStore`` keeps its keys and format.

    ``key_prefix`` must be alphanumeric (Rasa ignores it otherwise, with a warning).
    """

    host: str = "127.0.0.1"
    port: int = 6379
    db: int = 1
    key_prefix: str = ""
    password: str = ""

    def as_config(self) -> dict[str, Any]:
        """The ``lock_store`` block."""
        config: dict[str, Any] = {
            "type": LOCK_STORE_CLASS,
            "url": self.host,
            "port": self.port,
            "db": self.db,
        }
        if self.key_prefix:
            config["key_prefix"] = self.key_prefix
        if self.password:
            config["password"] = self.password
        return config


@dataclass(frozen=True)
class PikaEventBroker:
    """Rasa's RabbitMQ event broker: every tracker event is published to ``queue``."""

    queue: str
    host: str = "127.0.0.1"
    port: int = 5672
    username: str = "guest"
    password: str = "guest"

    def as_config(self) -> dict[str, Any]:
        """The ``event_broker`` block."""
        return {
            "type": "pika",
            "url": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
            "queues": [self.queue],
        }


TrackerStore = SQLiteTrackerStore | PostgresTrackerStore
LockStore = InMemoryLockStore | RedisLockStore


@dataclass(frozen=True)
class Endpoints:
    """Everything Rasa's ``--endpoints`` file says for one run."""

    action_url: str
    tracker_store: TrackerStore
    lock_store: LockStore = field(default_factory=InMemoryLockStore)
    event_broker: PikaEventBroker | None = None

    def as_config(self) -> dict[str, Any]:
        """The whole file as a mapping."""
        config: dict[str, Any] = {
            "action_endpoint": {"url": self.action_url},
            "tracker_store": self.tracker_store.as_config(),
        }
        lock = self.lock_store.as_config()
        if lock is not None:
            config["lock_store"] = lock
        if self.event_broker is not None:
            config["event_broker"] = self.event_broker.as_config()
        return config

    def write(self, path: Path) -> Path:
        """Writes the YAML file and returns its path."""
        return write_run_file(path, self.as_config(), "stack.endpoints")


def write_run_file(path: Path, config: Mapping[str, Any], writer: str) -> Path:
    """Writes one run's Rasa YAML file, headed by a comment naming ``writer``; returns its path."""
    path.write_text(
        f"# written by {writer} for one run\n"
        + yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path
