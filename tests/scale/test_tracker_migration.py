"""The tracker store migration: Rasa's table and the index on sender_id, idempotently."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from stack.backing import postgres_available, temporary_postgres_database
from stack.tracker_migration import INDEX, main, migrate, url_from_env


def _indexes(url: str) -> dict[str, list[str]]:
    engine = sa.create_engine(url)
    try:
        return {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("events")}
    finally:
        engine.dispose()


def test_an_empty_database_gets_rasas_table_and_the_index(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first = migrate(url)
    assert first.table_created
    assert _indexes(url)[INDEX] == ["sender_id"]
    second = migrate(url)
    assert not second.table_created and not second.index_created
    assert "already there" in second.describe()


def test_a_table_without_the_index_gets_it(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
        connection.execute(
            sa.text("INSERT INTO events (sender_id, type_name) VALUES ('zalo:1', 'user')")
        )
    engine.dispose()
    result = migrate(url)
    assert not result.table_created and result.index_created
    assert _indexes(url)[INDEX] == ["sender_id"]


async def test_rasa_reads_and_writes_the_migrated_store(tmp_path: Path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    migrate(f"sqlite:///{tmp_path / 'tracker.db'}")
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker.from_events(
        "web:1", [ActionExecuted("action_listen"), UserUttered("xin chào")]
    )
    await store.save(tracker)
    again = await store.retrieve("web:1")
    assert again is not None and again.latest_message.text == "xin chào"


def test_the_command_reads_the_production_variables(tmp_path: Path, capsys):
    assert main(["--url", f"sqlite:///{tmp_path / 't.db'}"]) == 0
    assert "created" in capsys.readouterr().out
    env = {"DB_HOST": "db", "DB_NAME": "rasa", "DB_USER": "bot", "DB_PASSWORD": "p@ss:word"}
    assert url_from_env(env) == "postgresql://bot:p%40ss%3Aword@db:5432/rasa"
    with pytest.raises(SystemExit):
        url_from_env({"DB_NAME": "rasa"})


@pytest.mark.postgres
def test_concurrent_migrations_on_postgresql_all_succeed_once():
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with temporary_postgres_database("bhxh_migration") as database:
        url = database.sqlalchemy_url
        results = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                results.append(migrate(url))
            except BaseException as error:  # collected and asserted below
                errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert sum(r.table_created for r in results) == 1
        assert _indexes(url)[INDEX] == ["sender_id"]
