"""Work that runs after the webhook has been answered.

Platforms want a quick answer (Zalo: 2 seconds) while Rasa's ``on_new_message`` runs NLU, actions
and sends, which takes longer. The webhook therefore answers 200 at once and hands the work to
:class:`BackgroundTasks`, which keeps a reference to every task (so none is garbage-collected
mid-way), logs failures instead of losing them, and runs the tasks of one conversation in the
order their deliveries arrived.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class BackgroundTasks:
    """A set of running tasks, ordered per key (per conversation)."""

    def __init__(self, name: str) -> None:
        """Creates an empty set.

        Args:
            name: used in log lines (the channel name).
        """
        self._name = name
        self._tasks: set[asyncio.Task[None]] = set()
        self._tails: dict[str, asyncio.Task[None]] = {}

    def __len__(self) -> int:
        """Number of tasks not finished yet."""
        return len(self._tasks)

    def schedule(
        self, work: Coroutine[Any, Any, None], *, key: str | None = None, label: str = "work"
    ) -> asyncio.Task[None]:
        """Starts ``work`` in the background.

        Args:
            work: the coroutine to run; its exceptions are logged, not raised.
            key: tasks with the same key run one after the other, in scheduling order.
            label: short description for the log (no personal data).

        Returns:
            The task (tests may await it; production code does not need to).
        """
        previous = self._tails.get(key) if key is not None else None
        task = asyncio.get_running_loop().create_task(self._run(work, previous, label))
        self._tasks.add(task)
        if key is not None:
            self._tails[key] = task
        task.add_done_callback(lambda done: self._forget(done, key))
        return task

    async def drain(self, timeout: float | None = None) -> None:
        """Waits until every scheduled task (including ones scheduled meanwhile) has finished.

        Args:
            timeout: give up after this many seconds; unfinished tasks keep running.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            if remaining == 0.0:
                logger.warning("%s: %d background tasks still running", self._name, len(self))
                return
            await asyncio.wait(set(self._tasks), timeout=remaining)

    async def _run(
        self,
        work: Coroutine[Any, Any, None],
        previous: asyncio.Task[None] | None,
        label: str,
    ) -> None:
        if previous is not None and not previous.done():
            try:
                await asyncio.wait({previous})
            except asyncio.CancelledError:
                work.close()
                raise
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s: background %s failed", self._name, label)

    def _forget(self, task: asyncio.Task[None], key: str | None) -> None:
        self._tasks.discard(task)
        if key is not None and self._tails.get(key) is task:
            del self._tails[key]
