"""The connector database: seen events, OAuth tokens and button payload keys.

One small database shared by every Rasa process of a deployment, so that duplicate deliveries are
recognised and tokens are refreshed once even when several servers run. SQLite by default
(``var/connectors.sqlite3``); SQLite and PostgreSQL URLs work, e.g.
``postgresql://postgres@127.0.0.1:5432/test``.

SQLAlchemy 1.4 Core is synchronous: the stores use the engine of a :class:`ConnectorDatabase`
only inside worker threads (``asyncio.to_thread``), and the engine and tables are created on
first use, not at import or channel creation.

On SQLite every transaction starts with ``BEGIN IMMEDIATE``, which takes the database's write
lock at once; on PostgreSQL the token row is locked with ``FOR UPDATE``. Either way two
processes cannot be inside the same critical section.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert

metadata = MetaData()

seen_events = Table(
    "connector_seen_events",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("event_key", String(200), primary_key=True),
    Column("expires_at", Float, nullable=False, index=True),
)

oauth_tokens = Table(
    "connector_oauth_tokens",
    metadata,
    Column("account", String(100), primary_key=True),
    Column("access_token", Text, nullable=True),
    Column("refresh_token", Text, nullable=False),
    Column("access_expires_at", Float, nullable=False),
    Column("seed_fingerprint", String(64), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
)

payload_keys = Table(
    "connector_payload_keys",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)


class ConnectorDatabase:
    """A connector database by URL; the engine and tables are created on first use.

    :meth:`engine` may block (connect, create tables): call it from worker threads only.
    """

    def __init__(self, url: str) -> None:
        """Creates the handle without touching the database.

        Args:
            url: SQLAlchemy database URL.
        """
        self.url = url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def engine(self) -> Engine:
        """Returns the engine, creating it and the tables the first time (blocking)."""
        with self._lock:
            if self._engine is None:
                engine = create_store_engine(self.url)
                ensure_schema(engine)
                self._engine = engine
            return self._engine

    def dispose(self) -> None:
        """Closes the pooled connections."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


_databases: dict[str, ConnectorDatabase] = {}
_databases_lock = threading.Lock()


def private_sqlite_file(path: Path) -> None:
    """Makes an SQLite file (and its WAL files) readable by this user only: 0600 (issue 17; the
    Zalo token store and the databases were world-readable). Created empty when missing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    for suffix in ("", "-wal", "-shm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            os.chmod(candidate, 0o600)


def connector_database(url: str) -> ConnectorDatabase:
    """Returns this process's shared handle for ``url`` (no I/O).

    Args:
        url: SQLAlchemy database URL.

    Returns:
        The same :class:`ConnectorDatabase` for the same URL.
    """
    with _databases_lock:
        database = _databases.get(url)
        if database is None:
            database = ConnectorDatabase(url)
            _databases[url] = database
        return database


def create_store_engine(url: str) -> Engine:
    """Creates an engine; on SQLite, with WAL, a busy timeout and ``BEGIN IMMEDIATE``.

    Args:
        url: SQLAlchemy database URL. A SQLite file's folder is created if needed.

    Returns:
        A new engine (no connection is opened yet).
    """
    if not url.startswith("sqlite"):
        return create_engine(url, future=True, pool_pre_ping=True)
    database = url.split("///", 1)[1] if "///" in url else ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        private_sqlite_file(Path(database))
    engine = create_engine(
        url, future=True, connect_args={"timeout": 30, "check_same_thread": False}
    )

    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)

    return engine


def ensure_schema(engine: Engine) -> None:
    """Creates the connector tables if they do not exist (safe when processes race).

    Args:
        engine: the connector database.
    """
    try:
        metadata.create_all(engine, checkfirst=True)
    except DBAPIError:
        # Another process created a table between the check and the CREATE: check again.
        metadata.create_all(engine, checkfirst=True)


def insert_ignoring_conflict(engine: Engine, table: Table, values: dict[str, Any]) -> Insert:
    """Builds ``INSERT … ON CONFLICT DO NOTHING`` for the engine's dialect.

    Args:
        engine: the connector database (SQLite or PostgreSQL).
        table: target table.
        values: the row.

    Returns:
        The statement; its result's ``rowcount`` is 1 when the row was inserted.

    Raises:
        ValueError: for a database other than SQLite or PostgreSQL.
    """
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).values(**values).on_conflict_do_nothing()
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).values(**values).on_conflict_do_nothing()
    raise ValueError(f"connector database: unsupported dialect {engine.dialect.name!r}")
