"""Backing services on 127.0.0.1 — PostgreSQL, Redis, RabbitMQ — and temporary resources in them.

Every resource a run creates has a unique name and is removed afterwards, so that runs of
several people (or helpers) on the same machine do not collide:

* :func:`temporary_postgres_database` — a fresh database, dropped at the end;
* :func:`redis_namespace` — a unique alphanumeric key prefix in one Redis database number, whose
  keys are deleted at the end;
* :func:`temporary_rabbitmq_queue` — a unique queue name, deleted at the end.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from stack.endpoints import PikaEventBroker, PostgresTrackerStore, RedisLockStore
from stack.ports import port_open

LOCAL = "127.0.0.1"
POSTGRES_PORT = 5432
POSTGRES_ADMIN_DB = "test"
POSTGRES_USER = "postgres"
REDIS_PORT = 6379
REDIS_DB = 3
RABBITMQ_PORT = 5672


@dataclass(frozen=True)
class BackingServices:
    """Which backing services answer on this machine."""

    postgres: bool
    redis: bool
    rabbitmq: bool

    @classmethod
    def probe(cls) -> BackingServices:
        """Tries a TCP connection to each default port (and a ping for PostgreSQL and Redis)."""
        return cls(
            postgres=postgres_available(),
            redis=redis_available(),
            rabbitmq=port_open(LOCAL, RABBITMQ_PORT),
        )


def postgres_available(host: str = LOCAL, port: int = POSTGRES_PORT) -> bool:
    """Whether PostgreSQL accepts the ``postgres`` user on the admin database."""
    if not port_open(host, port):
        return False
    import psycopg2

    try:
        psycopg2.connect(
            host=host, port=port, user=POSTGRES_USER, dbname=POSTGRES_ADMIN_DB, connect_timeout=5
        ).close()
    except psycopg2.Error:
        return False
    return True


def redis_available(host: str = LOCAL, port: int = REDIS_PORT) -> bool:
    """Whether Redis answers PING."""
    if not port_open(host, port):
        return False
    import redis

    try:
        return bool(redis.Redis(host=host, port=port, socket_timeout=3).ping())
    except redis.RedisError:
        return False


def _admin_connection(host: str, port: int) -> Any:
    import psycopg2

    connection = psycopg2.connect(
        host=host, port=port, user=POSTGRES_USER, dbname=POSTGRES_ADMIN_DB, connect_timeout=5
    )
    connection.autocommit = True
    return connection


@contextmanager
def temporary_postgres_database(
    prefix: str = "bhxh_stack", host: str = LOCAL, port: int = POSTGRES_PORT
) -> Iterator[PostgresTrackerStore]:
    """A new, uniquely named PostgreSQL database, dropped (with its connections) at the end.

    Yields:
        The database as a tracker store configuration (``.sqlalchemy_url`` for other uses).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    connection = _admin_connection(host, port)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    try:
        yield PostgresTrackerStore(db=name, host=host, port=port, username=POSTGRES_USER)
    finally:
        connection = _admin_connection(host, port)
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            connection.close()


@contextmanager
def redis_namespace(
    db: int = REDIS_DB, host: str = LOCAL, port: int = REDIS_PORT
) -> Iterator[RedisLockStore]:
    """A unique key prefix in Redis database ``db``; its keys are deleted at the end.

    Yields:
        The lock store configuration using that prefix.
    """
    import redis

    prefix = f"bhxh{uuid.uuid4().hex[:12]}"
    try:
        yield RedisLockStore(host=host, port=port, db=db, key_prefix=prefix)
    finally:
        client = redis.Redis(host=host, port=port, db=db, socket_timeout=5)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


@contextmanager
def temporary_rabbitmq_queue(
    host: str = LOCAL, port: int = RABBITMQ_PORT, username: str = "guest", password: str = "guest"
) -> Iterator[PikaEventBroker]:
    """A unique queue name for Rasa's event broker; the queue is deleted at the end.

    Rasa declares the queue itself when it connects; this only removes it afterwards.
    """
    broker = PikaEventBroker(
        queue=f"bhxh_events_{uuid.uuid4().hex[:10]}",
        host=host,
        port=port,
        username=username,
        password=password,
    )
    try:
        yield broker
    finally:
        delete_rabbitmq_queue(broker)


def delete_rabbitmq_queue(broker: PikaEventBroker) -> None:
    """Deletes the broker's queue (nothing happens when it does not exist)."""
    import asyncio

    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect(
            f"amqp://{broker.username}:{broker.password}@{broker.host}:{broker.port}/",
            timeout=10,
        )
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(broker.queue)

    # cleanup must not hide the run's own result
    with contextlib.suppress(Exception):
        asyncio.run(delete())
