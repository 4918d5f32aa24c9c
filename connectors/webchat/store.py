"""Messages of the web chat, kept per sender in SQLite; the page is told of new ones at once.

Everything the bot sends to a web chat user goes through this store: replies to a message the
user just typed and messages sent later (status notifications, staff replies). The page asks for
the messages after the last id it has seen, over a server-sent event stream that
:meth:`MessageStore.listening` wakes as soon as a message of that sender is stored in this
process (other processes' messages are found by the stream's regular look at the table). User
messages are stored too, so a reloaded page shows the conversation again; :meth:`forget` deletes
a conversation ("Kết thúc và xóa trên máy này").
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from connectors.common.database import private_sqlite_file

__all__ = ["MessageStore", "StoredMessage"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webchat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'bot')),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_webchat_messages_sender ON webchat_messages (sender_id, id);
"""

_BODY_KEYS = ("text", "buttons", "image", "attachment", "custom", "staff_name", "handoff")


UPLOADED_PREFIX = "Đã gửi: "
"""How the bubble of an uploaded file begins (counted for the hourly upload limit)."""
_UPLOADED_LIKE = '{"text": "' + UPLOADED_PREFIX + "%"


@dataclass(frozen=True)
class StoredMessage:
    """One message as the page receives it.

    Attributes:
        id: increasing id; the page asks for messages after the last id it has.
        role: ``"user"`` or ``"bot"``.
        body: ``text`` and, when present, ``buttons`` (``[{"title", "payload"}]``), ``image``,
            ``attachment``, ``custom``; ``staff_name`` for a message written by a staff member,
            ``handoff`` (``staff`` / ``bot``) when a person joins or leaves the conversation.
        created_at: UTC time, ISO 8601.
    """

    id: int
    role: str
    body: dict[str, Any]
    created_at: str

    def as_json(self) -> dict[str, Any]:
        """Returns the message as sent to the page."""
        return {"id": self.id, "role": self.role, "created_at": self.created_at, **self.body}


class MessageStore:
    """An SQLite table of web chat messages, one row per message.

    Each call opens its own short connection in a worker thread, so the store is safe to use from
    Sanic handlers and from Rasa's output channel at the same time.

    Args:
        path: the SQLite file; its folder is created when missing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False
        self._listeners: dict[str, set[asyncio.Event]] = {}

    def ensure_folder(self) -> None:
        """Creates the database's folder (``var/``) when missing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            private_sqlite_file(self.path)  # 0600: citizens' messages (issue 17)
        connection = sqlite3.connect(self.path, timeout=10)
        if not self._ready:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
            self._ready = True
        return connection

    def add_sync(self, sender_id: str, role: str, message: Mapping[str, Any]) -> int:
        """Stores one message and returns its id (blocking; prefer :meth:`add`)."""
        body = {key: message[key] for key in _BODY_KEYS if message.get(key) is not None}
        created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO webchat_messages (sender_id, role, body, created_at) "
                "VALUES (?, ?, ?, ?)",
                (sender_id, role, json.dumps(body, ensure_ascii=False), created_at),
            )
            row_id = cursor.lastrowid
        connection.close()
        if row_id is None:  # pragma: no cover - sqlite always returns the row id of an insert
            raise RuntimeError("SQLite did not return the id of the stored message")
        return row_id

    def after_sync(self, sender_id: str, after_id: int, limit: int = 100) -> list[StoredMessage]:
        """Returns the sender's messages with an id greater than ``after_id`` (blocking)."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id, role, body, created_at FROM webchat_messages "
                "WHERE sender_id = ? AND id > ? ORDER BY id LIMIT ?",
                (sender_id, after_id, limit),
            ).fetchall()
        connection.close()
        return [StoredMessage(row[0], row[1], json.loads(row[2]), row[3]) for row in rows]

    def last_id_sync(self, sender_id: str) -> int:
        """The id of the sender's latest message, 0 when none (blocking)."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT max(id) FROM webchat_messages WHERE sender_id = ?", (sender_id,)
            ).fetchone()
        connection.close()
        return int(row[0] or 0) if row else 0

    def forget_sync(self, sender_id: str, up_to: int | None = None) -> int:
        """Deletes the sender's messages (those with an id up to ``up_to`` when given)."""
        with self._connect() as connection:
            cursor = connection.execute(
                "DELETE FROM webchat_messages WHERE sender_id = ? AND id <= ?",
                (sender_id, up_to if up_to is not None else 2**62),
            )
            deleted = cursor.rowcount
        connection.close()
        return deleted

    def purge_sync(self, before: datetime) -> int:
        """Deletes the conversations whose latest message is older than ``before`` (retention)."""
        cutoff = before.astimezone(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as connection:
            cursor = connection.execute(
                "DELETE FROM webchat_messages WHERE sender_id IN (SELECT sender_id FROM "
                "webchat_messages GROUP BY sender_id HAVING max(created_at) < ?)",
                (cutoff,),
            )
            deleted = cursor.rowcount
        connection.close()
        return deleted

    def uploads_since_sync(self, sender_id: str, since: datetime) -> int:
        """How many files the sender uploaded since ``since`` (their "Đã gửi: name" bubbles)."""
        cutoff = since.astimezone(timezone.utc).isoformat(timespec="seconds")
        with self._connect() as connection:
            row = connection.execute(
                "SELECT count(*) FROM webchat_messages WHERE sender_id = ? AND role = 'user' "
                "AND body LIKE ? AND created_at >= ?",
                (sender_id, _UPLOADED_LIKE, cutoff),
            ).fetchone()
        connection.close()
        return int(row[0]) if row else 0

    async def last_id(self, sender_id: str) -> int:
        """The id of the sender's latest message without blocking the event loop."""
        return await asyncio.to_thread(self.last_id_sync, sender_id)

    async def forget(self, sender_id: str, up_to: int | None = None) -> int:
        """Deletes the sender's messages without blocking the event loop."""
        return await asyncio.to_thread(self.forget_sync, sender_id, up_to)

    async def add(self, sender_id: str, role: str, message: Mapping[str, Any]) -> int:
        """Stores one message without blocking the event loop; returns its id.

        The streams listening to this sender in this process are woken.
        """
        row_id = await asyncio.to_thread(self.add_sync, sender_id, role, message)
        for event in self._listeners.get(sender_id, ()):
            event.set()
        return row_id


    @contextmanager
    def listening(self, sender_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever a message of ``sender_id`` is stored by this process."""
        event = asyncio.Event()
        self._listeners.setdefault(sender_id, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._listeners.get(sender_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._listeners[sender_id]

    async def after(self, sender_id: str, after_id: int, limit: int = 100) -> list[StoredMessage]:
        """Returns the sender's messages after ``after_id`` without blocking the event loop."""
        return await asyncio.to_thread(self.after_sync, sender_id, after_id, limit)
