"""The hook through which connectors report that a person took over a conversation.

Some platforms have their own inbox where staff can answer directly: a Zalo OA admin replying in
oa.zalo.me (an ``oa_send_*`` webhook with ``sender.admin_id``), a Page admin replying from the
Messenger Page Inbox (an echo from the inbox app) or a thread passed to / taken from another app.
The connectors translate those into a :class:`HandoffEvent` and call a :class:`HandoffSignal`.

The handoff feature (pause the assistant, show the conversation in the staff console) is built
separately; until then :class:`LoggingHandoffSignal` logs the event and calls an optional async
callback, configured with ``CONNECTORS_HANDOFF_CALLBACK=package.module:function``.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, cast

from connectors.common.masking import mask_id

logger = logging.getLogger(__name__)

HandoffKind = Literal["human_replied", "control_passed", "control_taken", "control_returned"]


@dataclass(frozen=True)
class HandoffEvent:
    """A person acted in a conversation outside the assistant.

    Attributes:
        kind: ``human_replied`` (a staff member wrote to the citizen from the platform's own
            inbox), ``control_passed`` (we passed the thread to another app, e.g. the Page
            Inbox), ``control_taken`` (another app took the thread from us),
            ``control_returned`` (the thread was passed back to us).
        channel: channel name.
        sender_id: the conversation id as Rasa knows it (e.g. ``zalo:<user id>``).
        user_id: the citizen's id on the platform.
        agent_id: the staff member or app that acted, when known.
        text: what the staff member wrote, when known.
        at: when it happened, epoch seconds.
        detail: the platform's raw fields that matter (event name, metadata …).
    """

    kind: HandoffKind
    channel: str
    sender_id: str
    user_id: str
    agent_id: str | None = None
    text: str | None = None
    at: float = field(default_factory=time.time)
    detail: Mapping[str, Any] = field(default_factory=dict)


class HandoffSignal(Protocol):
    """Receives handoff events from the connectors."""

    async def notify(self, event: HandoffEvent) -> None:
        """Records that a person acted in a conversation.

        Args:
            event: what happened.
        """


HandoffCallback = Callable[[HandoffEvent], Awaitable[None]]


class LoggingHandoffSignal:
    """Logs each event and passes it to an optional callback."""

    def __init__(self, callback: HandoffCallback | None = None) -> None:
        """Creates the signal.

        Args:
            callback: awaited with each event; its failures are logged, never raised.
        """
        self._callback = callback

    async def notify(self, event: HandoffEvent) -> None:
        """Logs the event and calls the callback."""
        logger.info(
            "handoff signal: %s on %s, citizen %s, agent %s",
            event.kind,
            event.channel,
            mask_id(event.user_id),
            event.agent_id or "-",
        )
        if self._callback is None:
            return
        try:
            await self._callback(event)
        except Exception:
            logger.exception("handoff callback failed for a %s event", event.kind)


def load_handoff_signal(callback_path: str | None) -> HandoffSignal:
    """Builds the signal from ``CONNECTORS_HANDOFF_CALLBACK``.

    Args:
        callback_path: ``package.module:function`` (or ``package.module.function``) of an async
            function taking a :class:`HandoffEvent`; ``None`` to only log.

    Returns:
        A :class:`LoggingHandoffSignal`.

    Raises:
        ImportError: when the module or function cannot be found.
    """
    if not callback_path:
        return LoggingHandoffSignal()
    module_name, _, attribute = callback_path.replace(":", ".").rpartition(".")
    module = importlib.import_module(module_name)
    callback = getattr(module, attribute, None)
    if not callable(callback):
        raise ImportError(f"handoff callback {callback_path!r} is not a function")
    return LoggingHandoffSignal(cast(HandoffCallback, callback))


class SignalChain:
    """Several signals notified in order; one failing does not stop the others."""

    def __init__(self, *signals: HandoffSignal) -> None:
        """Creates the chain.

        Args:
            *signals: notified in this order (e.g. the pause gate, then the logging signal).
        """
        self.signals = signals

    async def notify(self, event: HandoffEvent) -> None:
        """Notifies every signal."""
        for signal in self.signals:
            try:
                await signal.notify(event)
            except Exception:
                logger.exception("handoff signal failed for a %s event", event.kind)
