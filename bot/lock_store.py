"""Conversation locks in Redis that stay correct when several Rasa servers share them.

Rasa serialises the messages of one conversation with a *ticket lock*: each message takes a
ticket, waits until its ticket is served, and gives it back at the end. Rasa 3.6's
``RedisLockStore`` keeps the lock as one JSON value and changes it by reading it, changing it in
Python and writing it back (``rasa/core/lock_store.py``: ``issue_ticket``, ``update_lock``,
``finish_serving``, ``cleanup``). Two servers doing that at the same moment overwrite each
other: both take the same ticket number and process two messages of one citizen at once (the
tracker store then keeps only one of the two turns), or one deletes the lock under a ticket the
other just took (that message fails with "Could not acquire lock"). A citizen who taps two
buttons quickly on Zalo, with two Rasa servers behind the balancer, is enough.

:class:`AtomicRedisLockStore` makes each of those read-change-write steps atomic with a short
Redis mutex per conversation (``SET NX PX`` with a token, through redis-py's ``Lock``). The
ticket lock itself, its keys and its JSON stay Rasa's, so servers can be switched one by one.

Use it in ``endpoints.yml`` (Rasa loads a lock store class by its module path)::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 1
      key_prefix: bhxh
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

__all__ = ["MUTEX_SECONDS", "AtomicRedisLockStore"]

logger = logging.getLogger(__name__)

MUTEX_SECONDS = 5.0
"""How long one read-change-write may hold the mutex (it takes about a millisecond); a server
that dies while holding it blocks the conversation's lock for at most this long."""


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's ``RedisLockStore`` with every change of a conversation's ticket lock atomic."""

    def __init__(
        self, endpoint_config: EndpointConfig | None = None, **kwargs: Any
    ) -> None:
        """Creates the store from the ``lock_store`` block of ``endpoints.yml``.

        Args:
            endpoint_config: what Rasa read from ``endpoints.yml`` (``url`` is the Redis host;
                ``port``, ``db``, ``password``, ``key_prefix``, … as for ``type: redis``).
            **kwargs: the same settings given directly (tests), used without an endpoint config.
        """
        if endpoint_config is not None:
            settings = dict(endpoint_config.kwargs)
            settings.pop("type", None)
            if endpoint_config.url:
                settings["host"] = endpoint_config.url
        else:
            settings = dict(kwargs)
        super().__init__(**settings)

    @contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        """Holds the conversation's mutex around one read-change-write of its ticket lock."""
        mutex = self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex",
            timeout=MUTEX_SECONDS,
            blocking_timeout=MUTEX_SECONDS,
            sleep=0.002,
        )
        if not mutex.acquire():
            raise LockError(f"Could not change the lock of conversation '{conversation_id}'.")
        try:
            yield
        finally:
            try:
                mutex.release()
            except Exception:
                logger.warning("lock mutex expired before release (conversation %s)",
                               conversation_id)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Takes the next ticket; no other server can take the same number."""
        try:
            with self._mutex(conversation_id):
                lock = self.get_or_create_lock(conversation_id)
                ticket: int = lock.issue_ticket(lock_lifetime)
                self.save_lock(lock)
        except LockError:
            raise
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return ticket

    def update_lock(self, conversation_id: str) -> None:
        """Drops expired tickets without losing a ticket another server takes meanwhile."""
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Gives a ticket back without losing a ticket another server takes meanwhile."""
        with self._mutex(conversation_id):
            super().finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Gives the ticket back, and deletes the lock only if nobody took a ticket meanwhile."""
        with self._mutex(conversation_id):
            lock = self.get_lock(conversation_id)
            if lock is None:
                return
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                self.save_lock(lock)
            else:
                self.delete_lock(conversation_id)
