"""Conversation locks shared by several Rasa servers (real Redis on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 3


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.StrictRedis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")


def a_server() -> AtomicRedisLockStore:
    """One Rasa server's lock store, as Rasa builds it from endpoints.yml."""
    config = EndpointConfig(
        url=REDIS_HOST, type="bot.lock_store.AtomicRedisLockStore",
        port=REDIS_PORT, db=REDIS_DB, key_prefix="bhxhtest",
    )
    return AtomicRedisLockStore(endpoint_config=config)


@pytest.fixture()
def conversation() -> Iterator[str]:
    sender = f"lock-{uuid.uuid4().hex[:10]}"
    yield sender
    red = a_server().red
    for key in red.keys(f"*{sender}*"):
        red.delete(key)


def test_built_from_the_endpoints_block_with_its_key_prefix(conversation):
    store = a_server()
    assert store.key_prefix.startswith("bhxhtest:")
    assert store.issue_ticket(conversation) == 0
    assert store.red.get(store.key_prefix + conversation) is not None


def test_servers_taking_tickets_at_the_same_moment_never_share_a_number(conversation):
    servers = [a_server() for _ in range(2)]
    taken: list[int] = []
    start = threading.Barrier(8)

    def take(server: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(25):
            taken.append(server.issue_ticket(conversation, lock_lifetime=60))

    threads = [threading.Thread(target=take, args=(servers[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(taken) == 200
    assert sorted(taken) == list(range(200))


def test_messages_of_one_conversation_are_handled_one_at_a_time_across_servers(conversation):
    servers = [a_server() for _ in range(2)]
    inside = 0
    most_inside = 0
    handled: list[int] = []
    guard = threading.Lock()

    async def handle(server: AtomicRedisLockStore, message: int) -> None:
        nonlocal inside, most_inside
        async with server.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.005):
            with guard:
                inside += 1
                most_inside = max(most_inside, inside)
            await asyncio.sleep(0.01)
            with guard:
                inside -= 1
                handled.append(message)

    def one_server(index: int) -> None:
        async def run() -> None:
            await asyncio.gather(
                *(handle(servers[index], index * 100 + n) for n in range(6))
            )

        asyncio.run(run())

    threads = [threading.Thread(target=one_server, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert most_inside == 1
    assert len(handled) == 12
    assert servers[0].get_lock(conversation) is None, "the lock is removed when all are done"


def test_a_server_that_died_holding_the_mutex_blocks_only_briefly(conversation, monkeypatch):
    import bot.lock_store as lock_store

    monkeypatch.setattr(lock_store, "MUTEX_SECONDS", 3.0)
    dead, alive = a_server(), a_server()
    held = dead.red.lock(f"{dead.key_prefix}{conversation}:mutex", timeout=0.2)
    assert held.acquire()
    assert alive.issue_ticket(conversation) == 0, "the mutex of a dead server expires"
