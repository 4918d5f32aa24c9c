"""Recognise re-deliveries of the same webhook event, durably and across processes.

Platforms retry a webhook when the answer is slow or lost, and a replayed request carries an id
that was already seen. :class:`DedupeStore` remembers each event id (per channel) for a time to
live in the connector database; the first claim of an id wins, later claims within the TTL lose.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable

from sqlalchemy import and_, delete

from connectors.common.database import ConnectorDatabase, insert_ignoring_conflict, seen_events

_MAX_KEY_LENGTH = 200
_PURGE_EVERY_SECONDS = 600.0


class DedupeStore:
    """First-delivery detection backed by the ``connector_seen_events`` table."""

    def __init__(
        self,
        database: ConnectorDatabase,
        ttl_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Creates the store.

        Args:
            database: the connector database.
            ttl_seconds: how long an id is remembered.
            clock: returns the current time in epoch seconds (tests pass a fake).
        """
        self._database = database
        self._ttl = ttl_seconds
        self._clock = clock
        self._next_purge = 0.0

    @property
    def ttl_seconds(self) -> float:
        """How long an event id is remembered, in seconds."""
        return self._ttl

    def outlived(self, event_time: float | None) -> bool:
        """Tells whether an event is older than the TTL, so its id may have been forgotten.

        Such an event can only be a replay (platforms stop retrying long before): it is dropped.

        Args:
            event_time: when the platform says the event happened, epoch seconds.

        Returns:
            ``True`` when the event is too old to be checked against the stored ids.
        """
        return event_time is not None and self._clock() - event_time > self._ttl

    async def first_delivery(self, channel: str, event_key: str) -> bool:
        """Claims an event id.

        Args:
            channel: channel name; ids are unique per channel only.
            event_key: the platform's id of the event (message id, update id …).

        Returns:
            ``True`` the first time the id is seen within the TTL, ``False`` afterwards.
        """
        return await asyncio.to_thread(self.claim, channel, event_key)

    def claim(self, channel: str, event_key: str) -> bool:
        """Synchronous :meth:`first_delivery` (runs in a worker thread)."""
        key = _bounded(event_key)
        now = self._clock()
        table = seen_events
        same = and_(table.c.channel == channel, table.c.event_key == key)
        engine = self._database.engine()
        with engine.begin() as conn:
            if now >= self._next_purge:
                conn.execute(delete(table).where(table.c.expires_at < now))
                self._next_purge = now + _PURGE_EVERY_SECONDS
            else:
                conn.execute(delete(table).where(and_(same, table.c.expires_at < now)))
            statement = insert_ignoring_conflict(
                engine,
                table,
                {"channel": channel, "event_key": key, "expires_at": now + self._ttl},
            )
            result = conn.execute(statement)
            return bool(result.rowcount == 1)


def _bounded(event_key: str) -> str:
    if len(event_key) <= _MAX_KEY_LENGTH:
        return event_key
    return "sha256:" + hashlib.sha256(event_key.encode("utf-8")).hexdigest()
