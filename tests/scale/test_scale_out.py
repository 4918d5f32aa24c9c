"""Scale-out: two Rasa servers and two action servers behind the balancer share conversations.

The set-up of ``endpoints.production.yml`` on one machine: a PostgreSQL tracker store (a
temporary database, migrated by ``stack.tracker_migration`` first), the Redis lock store (a unique
key prefix in database 3), and ``stack.balancer`` in front of the Rasa servers and in front of the
action servers; RabbitMQ receives the events when it runs on 127.0.0.1:5672.

A citizen notices: every answer follows from the previous one although consecutive messages are
served by different servers; two messages sent at the same moment are both answered, each with
its own answer; a server that dies between two messages changes nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack import RunningStack, StackConfig, running_stack
from stack.backing import (
    BackingServices,
    redis_namespace,
    temporary_postgres_database,
    temporary_rabbitmq_queue,
)
from stack.endpoints import PostgresTrackerStore

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PROCEDURE = "huong_bhxh_mot_lan"
REST = "/webhooks/rest/webhook"


def _payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def _question(question_id: str) -> str:
    from bhxh_catalog import load_catalog

    question = load_catalog().get(PROCEDURE).question(question_id)
    assert question is not None, question_id
    return question.text


@pytest.fixture(scope="module")
def backing() -> BackingServices:
    services = BackingServices.probe()
    if not services.postgres:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (user postgres, db test)")
    if not services.redis:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return services


@pytest.fixture(scope="module")
def queue(backing: BackingServices) -> Iterator[Any]:
    """A RabbitMQ queue for the event broker, or None when RabbitMQ is not running."""
    if not backing.rabbitmq:
        yield None
        return
    with temporary_rabbitmq_queue() as broker:
        yield broker


@pytest.fixture(scope="module")
def system(
    backing: BackingServices, queue: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    model = os.environ.get("BHXH_MODEL", "")
    if not model or not Path(model).is_file():
        pytest.skip("BHXH_MODEL is not set to a trained model (bin/test trains one and sets it)")
    with (
        temporary_postgres_database("bhxh_scale") as database,
        redis_namespace() as locks,
        running_stack(
            StackConfig(
                model=model,
                rasa_instances=2,
                action_instances=2,
                intake=False,
                tracker_store=database,
                lock_store=locks,
                event_broker=queue,
            ),
            tmp_path_factory.mktemp("scale"),
        ) as running,
    ):
        yield running


def _say(client: httpx.Client, system: RunningStack, sender: str, text: str) -> tuple[str, str]:
    """Sends through the balancer; returns (the bot's texts joined, the instance that served)."""
    answer = client.post(
        system.rasa_url + REST,
        json={"sender": sender, "message": text},
        headers=system.rest_headers,
    )
    assert answer.status_code == 200, f"{answer.status_code} {answer.text}\n{system.logs()}"
    texts = "\n".join(m.get("text") or "" for m in answer.json())
    return texts, answer.headers["x-upstream"]


def _events(system: RunningStack, sender: str) -> list[dict[str, Any]]:
    """The conversation's events as the PostgreSQL tracker store has them, in insertion order."""
    import psycopg2

    store = system.config.tracker_store
    assert isinstance(store, PostgresTrackerStore)
    connection = psycopg2.connect(store.sqlalchemy_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data FROM events WHERE sender_id = %s ORDER BY id", (f"rest:{sender}",)
            )
            return [json.loads(row[0]) for row in cursor.fetchall()]
    finally:
        connection.close()


def _turns(events: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(user text, actions run for it) per user message; asserts turns do not interleave."""
    turns: list[tuple[str, list[str]]] = []
    for event in events:
        if event["event"] == "user":
            assert not turns or turns[-1][1][-1:] == ["action_listen"], (
                f"a message arrived before the previous one was finished: {turns[-1]}"
            )
            turns.append((event["text"], []))
        elif event["event"] == "action" and turns:
            turns[-1][1].append(event["name"])
    assert turns and turns[-1][1][-1:] == ["action_listen"]
    return turns


def test_messages_alternate_between_instances_and_the_conversation_goes_on(system):
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    script = [
        ("xin chào", "Xin chào"),
        ("cho minh hoi thu tuc rut bhxh 1 lan", "một lần"),
        (_payload("ask_eligibility", procedure=PROCEDURE), _question("tinh_trang_dong")),
        (_payload("inform", answer="da_dung"), _question("ly_do")),
        (_payload("inform", answer="dinh_cu"), _question("giay_to_dinh_cu")),
        (_payload("inform", answer="ho_chieu"), "Kết quả kiểm tra"),
    ]
    served = []
    with httpx.Client(timeout=120) as client:
        for text, expected in script:
            reply, instance = _say(client, system, sender, text)
            assert expected in reply, f"{text!r} → {reply!r}"
            served.append(instance)
    assert set(served) == {u.removeprefix("http://") for u in system.rasa_instance_urls}
    assert all(a != b for a, b in itertools.pairwise(served)), served

    turns = _turns(_events(system, sender))
    assert [text for text, _ in turns] == [text for text, _ in script]
    assert "action_eligibility_start" in turns[2][1]
    assert "action_eligibility_verdict" in turns[-1][1]


async def test_messages_sent_at_the_same_moment_are_processed_one_at_a_time(system):
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    questions = {
        _payload("ask_documents", procedure=PROCEDURE): (
            "Giấy tờ cần chuẩn bị", "action_documents"
        ),
        _payload("ask_processing_time", procedure=PROCEDURE): (
            "Thời gian giải quyết", "action_processing_time"
        ),
        _payload("ask_where_to_submit", procedure=PROCEDURE): (
            "Nơi nộp hồ sơ", "action_where_to_submit"
        ),
        _payload("ask_legal_basis", procedure=PROCEDURE): ("Căn cứ pháp lý", "action_legal_basis"),
    }
    with httpx.Client(timeout=120) as client:
        _say(client, system, sender, "xin chào")

    async def ask(client: httpx.AsyncClient, text: str) -> tuple[str, str, str]:
        answer = await client.post(system.rasa_url + REST, json={"sender": sender,
                                                                 "message": text},
                                   headers=system.rest_headers)
        assert answer.status_code == 200, answer.text
        replies = "\n".join(m.get("text") or "" for m in answer.json())
        return text, replies, answer.headers["x-upstream"]

    # separate connections, so that the requests really are in flight together
    connections = [httpx.AsyncClient(timeout=120) for _ in questions]
    try:
        results = await asyncio.gather(
            *(ask(c, q) for c, q in zip(connections, questions, strict=True))
        )
    finally:
        for connection in connections:
            await connection.aclose()

    for text, replies, _ in results:
        assert questions[text][0] in replies, f"{text!r} got {replies!r}"
    assert len({instance for _, _, instance in results}) == 2

    turns = _turns(_events(system, sender))
    assert len(turns) == 1 + len(questions)
    assert sorted(text for text, _ in turns[1:]) == sorted(questions)
    for text, actions in turns[1:]:
        assert questions[text][1] in actions, (text, actions)


async def test_every_event_reaches_the_broker_queue(system, queue):
    if queue is None:
        pytest.skip("RabbitMQ is not reachable on 127.0.0.1:5672: the event broker is optional")
    import aio_pika

    sender = f"scale-{uuid.uuid4().hex[:8]}"
    with httpx.Client(timeout=120) as client:
        for text in ("xin chào", "bao lâu thì có kết quả rút bhxh 1 lần"):
            _say(client, system, sender, text)
    stored = [e["event"] for e in _events(system, sender)]

    received: list[str] = []
    connection = await aio_pika.connect(
        f"amqp://{queue.username}:{queue.password}@{queue.host}:{queue.port}/"
    )
    async with connection:
        channel = await connection.channel()
        rabbit_queue = await channel.get_queue(queue.queue, ensure=True)
        deadline = asyncio.get_running_loop().time() + 30
        while len(received) < len(stored) and asyncio.get_running_loop().time() < deadline:
            message = await rabbit_queue.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.2)
                continue
            body = json.loads(message.body)
            if body.get("sender_id") == f"rest:{sender}":
                received.append(body["event"])
    assert received == stored


def test_killing_an_instance_mid_conversation_loses_nothing(system):
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    with httpx.Client(timeout=120) as client:
        _say(client, system, sender, "rút bảo hiểm xã hội một lần")
        reply, _ = _say(client, system, sender, _payload("ask_eligibility", procedure=PROCEDURE))
        assert _question("tinh_trang_dong") in reply
        _, last = _say(client, system, sender, _payload("inform", answer="da_dung"))

        # the instance whose turn is next dies, with one action server
        rasa_next = next(n for n in system.names("rasa")
                         if not system.process(n).health_url.startswith(f"http://{last}/"))
        system.process(rasa_next).kill()
        system.process("actions-1").kill()

        reply, served = _say(client, system, sender, _payload("inform", answer="dinh_cu"))
        assert _question("giay_to_dinh_cu") in reply, reply
        assert served == last
        reply, served = _say(client, system, sender, _payload("inform", answer="ho_chieu"))
        assert "Kết quả kiểm tra" in reply and "Đủ điều kiện" in reply, reply
        assert served == last

    turns = _turns(_events(system, sender))
    assert len(turns) == 5
    stats = httpx.get(system.rasa_url + "/__balancer__").json()
    assert any(u["connect_failures"] >= 1 for u in stats["upstreams"])
