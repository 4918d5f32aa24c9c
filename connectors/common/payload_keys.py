"""Short keys for button payloads that do not fit a platform's limit.

Telegram's ``callback_data`` holds at most 64 bytes, while a Rasa payload such as
``/inform{"answer": "dinh_cu"}`` can be longer. A payload that fits is used as it is; a longer one
is stored under a deterministic key (``k:`` + 22 characters of its SHA-256) in the connector
database, so any process can resolve a click, even after a restart.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Callable

from sqlalchemy import delete, select, update

from connectors.common.database import ConnectorDatabase, insert_ignoring_conflict, payload_keys

KEY_PREFIX = "k:"
DEFAULT_TTL_SECONDS = 180 * 24 * 3600


class PayloadKeys:
    """Maps long payloads to short keys and back."""

    def __init__(
        self,
        database: ConnectorDatabase,
        max_bytes: int = 64,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Creates the map.

        Args:
            database: the connector database.
            max_bytes: the platform's limit in UTF-8 bytes.
            ttl_seconds: how long a stored key stays resolvable.
            clock: returns the current time in epoch seconds.
        """
        self._database = database
        self._max_bytes = max_bytes
        self._ttl = ttl_seconds
        self._clock = clock

    def fits(self, payload: str) -> bool:
        """Tells whether ``payload`` can be sent as it is."""
        small = len(payload.encode("utf-8")) <= self._max_bytes
        return small and not payload.startswith(KEY_PREFIX)

    async def key_for(self, payload: str) -> str:
        """Returns what to send as callback data for ``payload``.

        Args:
            payload: the Rasa button payload.

        Returns:
            The payload itself when it fits, else a stored short key.
        """
        if self.fits(payload):
            return payload
        return await asyncio.to_thread(self._store, payload)

    async def resolve(self, data: str) -> str | None:
        """Returns the payload behind callback data.

        Args:
            data: the callback data received from the platform.

        Returns:
            The payload, or ``None`` for a key that is unknown or expired.
        """
        if not data.startswith(KEY_PREFIX):
            return data
        return await asyncio.to_thread(self._load, data)

    def _store(self, payload: str) -> str:
        digest = hashlib.sha256(payload.encode("utf-8")).digest()
        key = KEY_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:22]
        now = self._clock()
        table = payload_keys
        engine = self._database.engine()
        with engine.begin() as conn:
            conn.execute(delete(table).where(table.c.expires_at < now))
            inserted = conn.execute(
                insert_ignoring_conflict(
                    engine,
                    table,
                    {"key": key, "payload": payload, "expires_at": now + self._ttl},
                )
            )
            if inserted.rowcount != 1:
                conn.execute(
                    update(table).where(table.c.key == key).values(expires_at=now + self._ttl)
                )
        return key

    def _load(self, key: str) -> str | None:
        table = payload_keys
        with self._database.engine().begin() as conn:
            row = conn.execute(
                select(table.c.payload).where(
                    table.c.key == key, table.c.expires_at >= self._clock()
                )
            ).first()
        return None if row is None else str(row.payload)
