"""The tracker store migration: Rasa's ``events`` table and the index on ``events.sender_id``.

Rasa 3.6's ``SQLTrackerStore`` keeps every event of every conversation in one table, ``events``
(``id``, ``sender_id``, ``type_name``, ``timestamp``, ``intent_name``, ``action_name``, ``data``),
and reads a conversation on every message with ``WHERE sender_id = …`` (plus a sub-query for the
latest ``session_started``). Without an index on ``sender_id`` each message scans the whole
table, and gets slower as conversations accumulate. Rasa creates ``ix_events_sender_id`` only when
*it* creates the table; a table created by an older Rasa, by hand or restored from a dump may lack
it. This migration, run before the Rasa servers start, makes sure of both, and is idempotent:

1. creates ``events`` exactly as Rasa 3.6 defines it, if it does not exist (so that several Rasa
   servers starting together against an empty database do not race to create it);
2. ``CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)``.

On PostgreSQL both run in one transaction under an advisory lock, so concurrent runs are safe.

Usage (bot environment)::

    bin/env bot python -m stack.tracker_migration --url postgresql://rasa:…@db:5432/rasa
    bin/env bot python -m stack.tracker_migration       # from DB_HOST, DB_PORT, DB_NAME, DB_USER,
                                                        # DB_PASSWORD (as endpoints.production.yml)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa

TABLE = "events"
INDEX = "ix_events_sender_id"
_ADVISORY_LOCK_KEY = 0x42485848  # "BHXH": serialises concurrent migrations on PostgreSQL


@dataclass(frozen=True)
class MigrationResult:
    """What one run found and did."""

    table_created: bool
    index_created: bool

    def describe(self) -> str:
        """One line for the log."""
        table = "created" if self.table_created else "already there"
        index = "created" if self.index_created else "already there"
        return f"tracker store: table {TABLE} {table}; index {INDEX} {index}"


def url_from_env(env: Mapping[str, str]) -> str:
    """The PostgreSQL URL from the variables ``endpoints.production.yml`` uses.

    Raises:
        SystemExit: ``DB_HOST`` or ``DB_NAME`` is missing.
    """
    host, name = env.get("DB_HOST", ""), env.get("DB_NAME", "")
    if not host or not name:
        raise SystemExit("DB_HOST and DB_NAME are required (or pass --url)")
    user = quote(env.get("DB_USER", "postgres"), safe="")
    password = env.get("DB_PASSWORD", "")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    return f"postgresql://{auth}@{host}:{env.get('DB_PORT', '5432')}/{name}"


def _has_index(connection: sa.engine.Connection) -> bool:
    indexes = sa.inspect(connection).get_indexes(TABLE)
    return any(index["name"] == INDEX for index in indexes)


def migrate(url: str) -> MigrationResult:
    """Brings the tracker store at ``url`` (an SQLAlchemy URL) to the expected schema.

    Args:
        url: e.g. ``postgresql://postgres@127.0.0.1:5432/rasa`` or ``sqlite:////path/tracker.db``.

    Returns:
        What was created.
    """
    from rasa.core.tracker_store import SQLTrackerStore

    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK_KEY})"))
            inspector = sa.inspect(connection)
            table_created = not inspector.has_table(TABLE)
            if table_created:
                SQLTrackerStore.Base.metadata.create_all(connection)
            index_created = not _has_index(connection)
            connection.execute(
                sa.text(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (sender_id)")
            )
    finally:
        engine.dispose()
    return MigrationResult(table_created=table_created, index_created=index_created)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; prints what was done."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", help="SQLAlchemy URL of the tracker store (default: DB_* vars)")
    args = parser.parse_args(argv)
    url = args.url or url_from_env(os.environ)
    print(migrate(url).describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
