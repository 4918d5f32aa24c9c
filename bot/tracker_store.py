"""Rasa's SQL tracker store, with each conversation's current session kept in memory.

For every message Rasa 3.6's ``SQLTrackerStore`` reads the conversation's whole current session
back (every row turned into an ORM object, under a sub-query for the latest
``session_started``) and, to save, counts those rows again with the same sub-query before it
adds the new ones. In a profile of this project under load that was about a quarter of the Rasa
process's time, growing with the length of the conversation.

:class:`CachedSQLTrackerStore` keeps the stored rows of each conversation's current session
(their JSON text) in memory and asks the database only what changed: one indexed aggregate,
``count(id), max(id) WHERE sender_id = …``, tells whether anybody wrote since; when another
Rasa server did, only the rows above the highest id known are read; when the numbers do not
add up (rows deleted, or a row committed late with a lower id) the whole conversation is read
again, as on a first read. The table, its rows and what ``retrieve`` returns stay exactly
Rasa's (the same session rule: events whose timestamp is at least the latest
``session_started``'s, by id), so servers can be switched one by one and every other tool reading
``events`` is unaffected. Like Rasa's own store, ``save`` relies on the lock store serialising
the writes of one conversation.

On an SQLite file (the embedded default) the store also keeps its connections open (Rasa's
SQLAlchemy 1.4 opens a new one for every read) and writes through SQLite's write-ahead log, which
syncs the disk once per commit instead of three times; every commit is still on disk before the
citizen gets the answer.

The memory is bounded: least recently used conversations are dropped first once the stored text
exceeds ``cache_megabytes`` (default 64), and a dropped conversation is simply read again.

Use it in ``endpoints.yml`` (Rasa loads a tracker store class by its module path; the other
settings are those of ``type: SQL``)::

    tracker_store:
      type: bot.tracker_store.CachedSQLTrackerStore
      dialect: sqlite
      db: var/tracker.db
      cache_megabytes: 64
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

__all__ = ["DEFAULT_CACHE_MEGABYTES", "CachedSQLTrackerStore", "StoredEvent", "StoredSession"]

logger = logging.getLogger(__name__)

DEFAULT_CACHE_MEGABYTES = 64.0
"""Memory for cached sessions (JSON text of their events): about a thousand conversations."""

_SESSION_STARTED = SessionStarted.type_name


@dataclass(frozen=True)
class StoredEvent:
    """One row of the ``events`` table, as much of it as reading a session needs."""

    id: int
    type_name: str
    timestamp: float | None
    data: str


@dataclass
class StoredSession:
    """What the database holds of one conversation, and the rows of its current session.

    Attributes:
        count: how many rows the conversation has, every session included.
        last_id: the highest row id of the conversation.
        session_start: the latest timestamp of a ``session_started`` row, None when there is
            none (then every row belongs to the current session).
        rows: the rows of the current session, by id.
    """

    count: int
    last_id: int
    session_start: float | None = None
    rows: list[StoredEvent] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: Sequence[StoredEvent]) -> StoredSession:
        """The session of a conversation read whole (``rows`` by id, every session)."""
        stored = cls(count=0, last_id=0)
        stored.extend(rows)
        return stored

    @property
    def size(self) -> int:
        """Bytes of event text held (what the memory bound counts)."""
        return sum(len(row.data) for row in self.rows)

    def extend(self, rows: Sequence[StoredEvent]) -> None:
        """Adds rows stored after ``last_id`` (by id), as Rasa's session query would see them."""
        if not rows:
            return
        starts = [
            row.timestamp
            for row in rows
            if row.type_name == _SESSION_STARTED and row.timestamp is not None
        ]
        latest = max(starts, default=None)
        if latest is not None and (self.session_start is None or latest > self.session_start):
            self.session_start = latest
            self.rows = [row for row in self.rows if self._in_session(row)]
        self.rows.extend(row for row in rows if self._in_session(row))
        self.count += len(rows)
        self.last_id = max(self.last_id, rows[-1].id)

    def _in_session(self, row: StoredEvent) -> bool:
        # Rasa: timestamp >= max(session_started.timestamp), or every row when there is none
        if self.session_start is None:
            return True
        return row.timestamp is not None and row.timestamp >= self.session_start


def _use_write_ahead_log(connection: Any, _record: Any) -> None:
    """SQLite: write-ahead log, the disk synced at every commit (``synchronous=FULL``)."""
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store that reads only what changed since it last looked."""

    engine: sa.engine.Engine

    def __init__(self, *args: Any, cache_megabytes: float = DEFAULT_CACHE_MEGABYTES,
                 **kwargs: Any) -> None:
        """Creates the store from the ``tracker_store`` block of ``endpoints.yml``.

        Args:
            *args: as for Rasa's ``SQLTrackerStore`` (``domain``, ``dialect``, ``host``, …).
            cache_megabytes: memory for cached sessions; 0 reads everything every time.
            **kwargs: as for Rasa's ``SQLTrackerStore``.
        """
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._reopen_sqlite()
        self._budget = int(float(cache_megabytes) * 2**20)
        self._sessions: OrderedDict[str, StoredSession] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self._held = 0
        table = self.SQLEvent.__table__
        self._table = table
        self._columns = (table.c.id, table.c.type_name, table.c.timestamp, table.c.data)

    def _reopen_sqlite(self) -> None:
        """Pooled connections on a write-ahead log instead of a new connection per read."""
        url = self.engine.url
        if url.database in (None, "", ":memory:"):
            return  # an in-memory database lives in its one connection: leave Rasa's set-up
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", _use_write_ahead_log)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    # ------------------------------------------------------------------ Rasa's interface
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the conversation's latest session, or None when it has no events."""
        with self.session_scope() as session:
            stored = self._current(session, sender_id)
        if stored is None or not stored.rows:
            logger.debug("no stored events for sender id '%s'", sender_id)
            return None
        events = [json.loads(row.data) for row in stored.rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the events of the tracker that the current session does not have yet."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            stored = self._current(session, sender_id)
            known = len(stored.rows) if stored is not None else 0
            new_events = list(itertools.islice(tracker.events, known, None))
            if not new_events:
                return
            session.execute(self._table.insert(), [self._row(sender_id, e) for e in new_events])
            written = self._rows_after(session, sender_id, stored.last_id if stored else 0)
            session.commit()
        if stored is None:
            stored = StoredSession.from_rows(written)
        else:
            stored.extend(written)
        self._remember(sender_id, stored)
        logger.debug("tracker with sender_id '%s' stored to database", sender_id)

    # ------------------------------------------------------------------ the cache
    @property
    def memory_budget_bytes(self) -> int:
        """How many bytes of event text the store may hold in memory."""
        return self._budget

    def cached_senders(self) -> list[str]:
        """The conversations held in memory, least recently used first."""
        return list(self._sessions)

    def _current(self, session: Any, sender_id: str) -> StoredSession | None:
        """The conversation as stored now: from memory, with only what changed read."""
        count, last_id = session.execute(
            sa.select(sa.func.count(self._table.c.id), sa.func.max(self._table.c.id)).where(
                self._table.c.sender_id == sender_id
            )
        ).one()
        if not count:
            self._drop(sender_id)
            return None
        stored = self._sessions.get(sender_id)
        if stored is not None and (stored.count, stored.last_id) == (count, last_id):
            self._sessions.move_to_end(sender_id)
            return stored
        if stored is not None and last_id > stored.last_id:
            added = self._rows_after(session, sender_id, stored.last_id)
            if stored.count + len(added) >= count:
                stored.extend(added)
                self._remember(sender_id, stored)
                return stored
        stored = StoredSession.from_rows(self._rows_after(session, sender_id, 0))
        self._remember(sender_id, stored)
        return stored

    def _rows_after(self, session: Any, sender_id: str, after_id: int) -> list[StoredEvent]:
        """The conversation's rows with an id above ``after_id``, by id."""
        table = self._table
        query = (
            sa.select(*self._columns)
            .where(table.c.sender_id == sender_id, table.c.id > after_id)
            .order_by(table.c.id)
        )
        return [StoredEvent(*row) for row in session.execute(query)]

    def _remember(self, sender_id: str, stored: StoredSession) -> None:
        """Keeps the conversation in memory (most recent) and drops the oldest beyond budget."""
        size = stored.size
        self._drop(sender_id)
        if size > self._budget:
            return
        self._sessions[sender_id] = stored
        self._sizes[sender_id] = size
        self._held += size
        while self._held > self._budget:
            oldest = next(iter(self._sessions))
            self._drop(oldest)

    def evict(self, sender_id: str) -> None:
        """Forgets the cached session of a conversation (after its rows were deleted: erasure
        on request or retention, ``connectors.common.erasure``)."""
        self._drop(sender_id)

    def _drop(self, sender_id: str) -> None:
        if self._sessions.pop(sender_id, None) is not None:
            self._held -= self._sizes.pop(sender_id)

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """The ``events`` row of one event, as Rasa's ``SQLTrackerStore.save`` writes it."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
