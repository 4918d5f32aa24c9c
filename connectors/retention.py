"""Retention in the Rasa server: what it keeps of conversations is deleted after its period.

Rasa input channel ``connectors.retention.RetentionInput`` (name ``retention``, registered in
``credentials.yml``; it has no routes besides ``GET /webhooks/retention/``, which tells the
periods and the last round): once the server runs, every ``RETENTION_INTERVAL_SECONDS`` (3600)
it deletes

* conversations whose last event is older than ``CONVERSATION_RETENTION_DAYS`` (90): every
  tracker event (``connectors.common.erasure.purge_trackers``), their web chat messages and the
  messages kept for REST clients (the channels' ``purge_before``);
* web chat uploads older than ``WEBCHAT_UPLOAD_RETENTION_DAYS`` (30);
* dossiers of the outbox delivered (or refused) and told more than ``OUTBOX_RETENTION_DAYS`` (7)
  ago (they are with the intake service).

The periods and their defaults are ``bhxh_catalog.privacy.RetentionPeriods`` (the privacy
notice states the same numbers). A period of 0 keeps that data. Each Rasa server runs the
rounds; the deletes are idempotent. The intake service purges its own data
(``intake_service.privacy``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from backend_client import IntakeSettings, Outbox
from bhxh_catalog.privacy import RetentionPeriods
from connectors.common.erasure import purge_trackers

__all__ = ["PurgesOldData", "RetentionInput", "RetentionRound", "purge_once"]

logger = logging.getLogger(__name__)

DAY = 86_400.0
INTERVAL_ENV = "RETENTION_INTERVAL_SECONDS"


@runtime_checkable
class PurgesOldData(Protocol):
    """An input channel that keeps conversation data outside the tracker."""

    async def purge_before(self, periods: RetentionPeriods, now: float) -> int:
        """Deletes what is past its period; returns how many rows or files went."""


@dataclass
class RetentionRound:
    """What one round deleted."""

    conversations: list[str] = field(default_factory=list)
    channel_rows: int = 0
    outbox: int = 0
    at: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """For ``GET /webhooks/retention/`` (counts only, no conversation id)."""
        return {
            "conversations": len(self.conversations),
            "channel_rows": self.channel_rows,
            "outbox": self.outbox,
            "at": self.at,
        }


async def purge_once(
    app: Sanic, periods: RetentionPeriods, now: float | None = None
) -> RetentionRound:
    """One round over the tracker store, the channels and the outbox."""
    moment = time.time() if now is None else now
    done = RetentionRound(at=moment)
    agent = getattr(app.ctx, "agent", None)
    if agent is not None and periods.conversation_days:
        cutoff = moment - periods.conversation_days * DAY
        done.conversations = await asyncio.to_thread(purge_trackers, agent.tracker_store, cutoff)
    for channel in getattr(app.ctx, "input_channels", None) or []:
        if isinstance(channel, PurgesOldData):
            done.channel_rows += await channel.purge_before(periods, moment)
    if periods.outbox_days:  # the outbox the action server writes (OUTBOX_DATABASE_URL)
        outbox = await asyncio.to_thread(Outbox, IntakeSettings.from_env().outbox_url)
        try:
            done.outbox = await asyncio.to_thread(
                outbox.purge_finished, moment - periods.outbox_days * DAY
            )
        finally:
            outbox.close()
    if done.conversations or done.channel_rows or done.outbox:
        logger.info(
            "retention: %d conversation(s), %d stored message(s)/file(s), %d outbox row(s) "
            "past their period deleted",
            len(done.conversations), done.channel_rows, done.outbox,
        )
    return done


class RetentionInput(InputChannel):  # type: ignore[misc]  # Rasa is untyped
    """Runs the retention rounds while the Rasa server runs."""

    def __init__(self, periods: RetentionPeriods, interval: float = 3600.0) -> None:
        self.periods = periods
        self.interval = interval
        self.last: RetentionRound | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def name(cls) -> str:
        """URL prefix ``/webhooks/retention/``."""
        return "retention"

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> RetentionInput:
        """Periods from the environment (``bhxh_catalog.privacy.RetentionPeriods``)."""
        interval = float(os.environ.get(INTERVAL_ENV, "") or "3600")
        return cls(RetentionPeriods.from_mapping(os.environ), max(1.0, interval))

    async def _run(self, app: Sanic, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                self.last = await purge_once(app, self.periods)
            except Exception:  # the next round tries again
                logger.exception("retention round failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route and the listeners that start and stop the rounds."""
        module = inspect.getmodule(self)
        blueprint = Blueprint("retention_webhook", module.__name__ if module else None)

        async def health(request: Request) -> HTTPResponse:
            periods = {name: getattr(self.periods, name) for name in RetentionPeriods.ENV}
            last = self.last.as_json() if self.last else None
            return response.json({"status": "ok", "periods": periods, "last_round": last})

        async def started(app: Sanic, loop: object) -> None:
            self._stop = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(app, self._stop))

        async def stopping(app: Sanic, loop: object) -> None:
            if self._stop is not None:
                self._stop.set()
            if self._task is not None:
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(self._task, timeout=10)

        blueprint.add_route(health, "/", methods=["GET"])
        blueprint.listener("after_server_start")(started)
        blueprint.listener("before_server_stop")(stopping)
        return blueprint
