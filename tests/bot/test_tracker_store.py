"""The cached SQL tracker store: what it gives back is what Rasa's own store reads from the table.

Every check compares with Rasa's ``SQLTrackerStore`` reading the same database, on an SQLite file
and on PostgreSQL (127.0.0.1), including two Rasa servers writing one conversation in turn.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.tracker_store import CachedSQLTrackerStore
from stack.backing import postgres_available, temporary_postgres_database

DOMAIN = Domain.from_dict({
    "intents": ["greet", "inform"],
    "slots": {"procedure": {"type": "text", "mappings": [{"type": "custom"}]}},
})
Database = dict[str, Any]
"""The ``tracker_store`` settings of one database (as in endpoints.yml, without ``type``)."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty events database: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
        return
    if not postgres_available():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    with temporary_postgres_database("bhxh_tracker") as postgres:
        yield {"dialect": "postgresql", "host": postgres.host, "port": postgres.port,
               "db": postgres.db, "username": postgres.username}


@pytest.fixture
def stores(database: Database) -> Iterator[list[SQLTrackerStore]]:
    """Factory results are disposed of at the end (PostgreSQL drops the database after)."""
    made: list[SQLTrackerStore] = []
    yield made
    for store in made:
        store.engine.dispose()


def cached(stores: list[SQLTrackerStore], database: Database, **settings: Any
           ) -> CachedSQLTrackerStore:
    """One Rasa server's cached store on the database."""
    store = CachedSQLTrackerStore(DOMAIN, **database, **settings)
    stores.append(store)
    return store


def rasa_store(stores: list[SQLTrackerStore], database: Database) -> SQLTrackerStore:
    """Rasa's own store on the same database: the reference."""
    store = SQLTrackerStore(DOMAIN, **database)
    stores.append(store)
    return store


def a_turn(text: str, answer: str) -> list[Event]:
    """A citizen's message and the assistant's answer, as Rasa logs them."""
    return [
        UserUttered(text, {"name": "inform", "confidence": 0.93},
                    parse_data={"text": text, "intent": {"name": "inform", "confidence": 0.93},
                                "entities": [], "intent_ranking": []}),
        SlotSet("procedure", "huong_bhxh_mot_lan"),
        ActionExecuted("utter_answer"),
        BotUttered(answer),
        ActionExecuted("action_listen"),
    ]


def a_session_start() -> list[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted(),
            ActionExecuted("action_listen")]


async def say(store: TrackerStore, sender: str, events: list[Event]) -> DialogueStateTracker:
    """One message handled by a Rasa server: read the conversation, add events, save it."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return tracker


def dump(tracker: DialogueStateTracker | None) -> list[dict[str, Any]] | None:
    return None if tracker is None else [e.as_dict() for e in tracker.events]


def a_sender() -> str:
    return f"citizen-{uuid.uuid4().hex[:8]}"


async def test_a_conversation_reads_back_as_rasa_stores_it(stores, database):
    store, reference, sender = cached(stores, database), rasa_store(stores, database), a_sender()
    await say(store, sender, a_session_start())
    for number in range(6):
        await say(store, sender, a_turn(f"câu hỏi {number}", f"trả lời {number}"))
    mine = await store.retrieve(sender)
    assert mine is not None
    assert dump(mine) == dump(await reference.retrieve(sender))
    assert mine.get_slot("procedure") == "huong_bhxh_mot_lan"
    assert len(mine.events) == 2 + 6 * 5  # from session_started on, as Rasa reads it


async def test_rows_are_written_exactly_as_rasa_writes_them(stores, database):
    store, reference = cached(stores, database), rasa_store(stores, database)
    sender_a, sender_b = a_sender(), a_sender()
    for target, sender in ((store, sender_a), (reference, sender_b)):
        await say(target, sender, a_session_start() + a_turn("xin chào", "Xin chào ông/bà"))

    columns = "type_name, intent_name, action_name"
    with store.engine.connect() as connection:
        rows = {
            sender: connection.execute(
                sa.text(f"SELECT {columns} FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            ).all()
            for sender in (sender_a, sender_b)
        }
    assert rows[sender_a] == rows[sender_b]
    assert ("user", "inform", None) in rows[sender_a]


async def test_a_new_session_starts_from_its_session_started(stores, database):
    store, reference, sender = cached(stores, database), rasa_store(stores, database), a_sender()
    await say(store, sender, a_session_start() + a_turn("rút bhxh 1 lần", "Điều kiện …"))
    await asyncio.sleep(0.01)  # Rasa cuts sessions by timestamp
    await say(store, sender, a_session_start() + a_turn("cấp lại thẻ bhyt", "Giấy tờ …"))
    mine = await store.retrieve(sender)
    assert dump(mine) == dump(await reference.retrieve(sender))
    assert mine is not None and len(mine.events) == 2 + 5
    assert dump(await store.retrieve_full_tracker(sender)) == dump(
        await reference.retrieve_full_tracker(sender))


async def test_two_servers_writing_in_turn_each_see_the_other(stores, database):
    one, two, reference = cached(stores, database), cached(stores, database), rasa_store(
        stores, database)
    sender = a_sender()
    await say(one, sender, a_session_start())
    for number in range(8):
        server = one if number % 2 == 0 else two
        await say(server, sender, a_turn(f"tin nhắn {number}", f"trả lời {number}"))
        expected = dump(await reference.retrieve(sender))
        assert dump(await one.retrieve(sender)) == expected
        assert dump(await two.retrieve(sender)) == expected
    tracker = await two.retrieve(sender)
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        f"tin nhắn {number}" for number in range(8)]


async def test_a_session_started_by_another_server_is_seen(stores, database):
    one, two, sender = cached(stores, database), cached(stores, database), a_sender()
    await say(one, sender, a_session_start() + a_turn("câu hỏi cũ", "trả lời cũ"))
    assert await two.retrieve(sender) is not None
    await asyncio.sleep(0.01)
    await say(one, sender, a_session_start() + a_turn("câu hỏi mới", "trả lời mới"))
    tracker = await two.retrieve(sender)
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["câu hỏi mới"]


async def test_a_deleted_conversation_is_not_served_from_memory(stores, database):
    store, sender = cached(stores, database), a_sender()
    await say(store, sender, a_session_start() + a_turn("số cccd của tôi", "Đã ghi nhận"))
    assert await store.retrieve(sender) is not None
    with store.engine.begin() as connection:  # an operator erases the conversation
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
    assert await store.retrieve(sender) is None
    assert sender not in store.cached_senders()


async def test_rows_removed_behind_its_back_are_read_again(stores, database):
    store, reference, sender = cached(stores, database), rasa_store(stores, database), a_sender()
    await say(store, sender, a_session_start() + a_turn("một", "1") + a_turn("hai", "2"))
    await store.retrieve(sender)
    with store.engine.begin() as connection:  # the earliest row goes, the count changes
        connection.execute(
            sa.text("DELETE FROM events WHERE id = (SELECT min(id) FROM events "
                    "WHERE sender_id = :s)"), {"s": sender})
    assert dump(await store.retrieve(sender)) == dump(await reference.retrieve(sender))


async def test_memory_is_bounded_and_dropped_conversations_are_read_again(stores, database):
    store = cached(stores, database, cache_megabytes=0.004)  # about 4 KB of event text
    senders = [a_sender() for _ in range(4)]
    for sender in senders:
        await say(store, sender, a_session_start() + a_turn("xin chào " * 20, "Xin chào"))
    held = store.cached_senders()
    assert 0 < len(held) < len(senders)
    assert held[-1] == senders[-1]  # the most recent stays
    reference = rasa_store(stores, database)
    for sender in senders:
        assert dump(await store.retrieve(sender)) == dump(await reference.retrieve(sender))


async def test_without_memory_it_still_answers_like_rasa(stores, database):
    store, reference, sender = (cached(stores, database, cache_megabytes=0),
                                rasa_store(stores, database), a_sender())
    await say(store, sender, a_session_start() + a_turn("bao lâu", "15 ngày"))
    await say(store, sender, a_turn("cảm ơn", "Không có gì"))
    assert store.cached_senders() == []
    assert dump(await store.retrieve(sender)) == dump(await reference.retrieve(sender))


async def test_an_unknown_conversation_has_no_tracker(stores, database):
    store = cached(stores, database)
    assert await store.retrieve(a_sender()) is None
    tracker = await store.get_or_create_tracker(a_sender())
    assert [e.as_dict()["event"] for e in tracker.events] == ["action"]


def test_rasa_builds_it_from_the_repository_endpoints_file(tmp_path: Path, monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(tmp_path)  # endpoints.yml names var/tracker.db, relative to the start
    (tmp_path / "var").mkdir()
    endpoints = AvailableEndpoints.read_endpoints(str(root / "endpoints.yml"))
    store = TrackerStore.create(endpoints.tracker_store, DOMAIN)
    try:
        assert isinstance(store, CachedSQLTrackerStore)  # not Rasa's silent in-memory fallback
    finally:
        store.engine.dispose()


def test_built_from_an_endpoint_block_with_its_memory_setting(tmp_path: Path):
    config = EndpointConfig(type="bot.tracker_store.CachedSQLTrackerStore", dialect="sqlite",
                            db=str(tmp_path / "t.db"), cache_megabytes=8)
    store = TrackerStore.create(config, DOMAIN)
    assert isinstance(store, CachedSQLTrackerStore)
    assert store.memory_budget_bytes == 8 * 2**20
    store.engine.dispose()


async def test_a_restarted_server_reads_what_was_saved_before(stores, database):
    before, sender = cached(stores, database), a_sender()
    await say(before, sender, a_session_start() + a_turn("số điện thoại 0912345678", "Cảm ơn"))
    before.engine.dispose()  # the server stops
    after = cached(stores, database)
    tracker = await after.retrieve(sender)
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "số điện thoại 0912345678"]


async def test_sqlite_commits_through_the_write_ahead_log(tmp_path: Path):
    import sqlite3

    path = tmp_path / "wal.db"
    store = CachedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    await say(store, a_sender(), a_session_start())
    try:
        with sqlite3.connect(path) as connection:  # another process reading the file
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert connection.execute("SELECT count(*) FROM events").fetchone() == (3,)
    finally:
        store.engine.dispose()
