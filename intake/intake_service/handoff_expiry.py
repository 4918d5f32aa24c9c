"""The background task that returns unclaimed handoffs to the assistant.

Each service process runs one :class:`ExpiryWorker` in the app's lifespan, like the webhook
worker. The deadline of each handoff is stored with it, so a handoff that ran out while the
service was stopped expires in the first round after the restart. Rows move with conditional
UPDATEs, so several processes may run the worker at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from intake_service.handoffs import HandoffService

__all__ = ["ExpiryWorker"]

log = logging.getLogger(__name__)


class ExpiryWorker:
    """Expires overdue handoffs and fails staff replies left pending by a crash.

    Args:
        handoffs: the handoff operations (their clock decides what is overdue).
        poll_seconds: time between two rounds.
    """

    def __init__(self, handoffs: HandoffService, poll_seconds: float = 5.0) -> None:
        self._handoffs = handoffs
        self.poll_seconds = poll_seconds

    async def run_once(self) -> int:
        """One round; returns how many handoffs expired."""
        expired = await asyncio.to_thread(self._handoffs.expire_due)
        await asyncio.to_thread(self._handoffs.fail_stale_replies)
        if expired:
            log.info("%d handoff(s) expired and went back to the assistant", expired)
        return expired

    async def run(self, stop: asyncio.Event) -> None:
        """Runs rounds until ``stop`` is set; errors are logged, never raised."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # the worker must survive database hiccups
                log.exception("handoff expiry round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
