"""Background work: kept alive, ordered per conversation, failures logged not lost."""

from __future__ import annotations

import asyncio
import logging

from connectors.common.tasks import BackgroundTasks


async def test_tasks_of_one_conversation_run_in_arrival_order():
    tasks = BackgroundTasks("test")
    order: list[str] = []

    async def work(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        order.append(name)

    tasks.schedule(work("a1", 0.05), key="a")
    tasks.schedule(work("b1", 0.0), key="b")
    tasks.schedule(work("a2", 0.0), key="a")
    await tasks.drain()

    assert order.index("a1") < order.index("a2")
    assert order[0] == "b1"  # other conversations do not wait
    assert len(tasks) == 0


async def test_a_failure_is_logged_and_the_next_task_still_runs(caplog):
    tasks = BackgroundTasks("test")
    done: list[str] = []

    async def fail() -> None:
        raise RuntimeError("boom")

    async def succeed() -> None:
        done.append("ok")

    with caplog.at_level(logging.ERROR):
        tasks.schedule(fail(), key="a", label="message")
        tasks.schedule(succeed(), key="a")
        await tasks.drain()

    assert done == ["ok"]
    assert "background message failed" in caplog.text


async def test_drain_gives_up_after_the_timeout():
    tasks = BackgroundTasks("test")
    release = asyncio.Event()
    task = tasks.schedule(release.wait())

    await tasks.drain(timeout=0.05)

    assert not task.done()
    release.set()
    await tasks.drain()
