"""The pause gate: while a person owns a conversation, the assistant is silent and relays.

When the assistant hands a conversation to the office (``action_offer_human``), the action
returns ``ConversationPaused`` and sets the slot ``handoff_id``. A paused Rasa tracker still logs
each message (NLU runs) but predicts no action, so the relay to the staff console happens
*outside* the policy loop, here, in the input path: every channel wraps Rasa's
``on_new_message`` with :meth:`PauseGate.handler`. For each citizen message the gate reads the
conversation's tracker (the pause is kept in the tracker store, so it survives restarts) and:

* not paused → the message goes to Rasa as usual;
* paused for a handoff → the text and attachment references are relayed to the intake service
  (``POST /api/v1/handoffs/{id}/messages``, the Rasa message id as Idempotency-Key), then Rasa
  logs the message (no answer). When the intake answers that the conversation is back with the
  assistant (409), the tracker is resumed first and the assistant answers;
* "hủy" / "bắt đầu lại" (intents ``cancel``, ``restart``) always work: relayed (staff see the
  citizen left), the handoff is withdrawn (``POST /api/v1/handoffs/{id}/withdraw``: it leaves
  the staff queue; a failure is logged and does not stop the citizen), then the tracker is
  resumed and the assistant handles them;
* paused because a person answered in the platform's own inbox (:meth:`PauseGate.notify`, slot
  ``handoff_id`` = ``native``) → Rasa logs the message; after ``CONNECTORS_NATIVE_PAUSE_MINUTES``
  (30) without a reply from that person the assistant takes over again.

A message that is nothing but a caller code ("7K3 M9Q", check character right; see
``backend_client.caller_codes``) is given to Rasa as ``EXTERNAL_caller_code`` without the
classifier, whose guess on six random characters is unreliable: ``action_caller_code`` redeems
it at any point, also in the middle of a form (whose validation rejects it).

Staff read what the citizen saw: a button pressed shows its title (the channel's metadata
``title``, else the titles of the buttons the assistant had shown), never its payload
(:func:`backend_client.transcript.shown_text`).

The message is parsed once (the gate parses it and hands the result to Rasa). The gate needs the
Sanic app of the running server (``app.ctx.agent``): channels register :meth:`PauseGate.bind` as
a request middleware of their blueprint. Without an agent (tests of a channel alone) it lets
every message through.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic
from sanic.request import Request

from backend_client import (
    Attachment,
    HandoffNotFound,
    HandoffNotOpen,
    IntakeClient,
    IntakeError,
    IntakeSettings,
    WithdrawReason,
)
from backend_client.caller_codes import bare_caller_code
from backend_client.transcript import shown_text
from connectors.common.config import load_common_settings
from connectors.common.handoff import HandoffEvent
from connectors.common.masking import mask_id

__all__ = [
    "HANDOFF_SLOT",
    "NATIVE",
    "RELAY_FAILED",
    "IntakeRelay",
    "IntakeWithdraw",
    "PauseGate",
    "Paused",
    "Relay",
    "RelayOutcome",
    "Withdraw",
    "button_titles",
    "code_parse",
    "handoff_of",
    "locked_tracker",
    "not_paused_by_its_events",
    "paused",
    "relayed_content",
    "resumed",
]

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
HANDOFF_SLOT = "handoff_id"
NATIVE = "native"
ESCAPE_INTENTS = frozenset({"cancel", "restart"})
CALLER_CODE_INTENT = "EXTERNAL_caller_code"
TAKING_OVER = frozenset({"human_replied", "control_taken", "control_passed"})
RELAY_FAILED = (
    "Xin lỗi, tin nhắn của ông/bà chưa chuyển được tới cán bộ do hệ thống đang gián đoạn. "
    "Ông/bà vui lòng gửi lại sau ít phút hoặc gọi Tổng đài BHXH Việt Nam 1900 9068."
)


class RelayOutcome(enum.Enum):
    """What became of a citizen's message sent to the office."""

    RELAYED = "relayed"
    BACK_WITH_ASSISTANT = "back"
    FAILED = "failed"


class Relay(Protocol):
    """Sends one citizen message to the handoff's transcript."""

    async def __call__(
        self,
        handoff_id: int,
        text: str,
        attachments: tuple[Attachment, ...],
        at: str,
        key: str,
    ) -> RelayOutcome:
        """Relays the message.

        Args:
            handoff_id: the open handoff.
            text: what the citizen wrote (may be empty with attachments).
            attachments: references to the files or place sent.
            at: when (ISO 8601).
            key: the Idempotency-Key (the message's id), so a retry is stored once.
        """


class IntakeRelay:
    """The relay through the intake API (settings from the environment: ``INTAKE_URL`` …)."""

    def __init__(self, settings: IntakeSettings | None = None) -> None:
        """Creates the relay (no connection is opened until a message is relayed)."""
        self._settings = settings

    async def __call__(
        self,
        handoff_id: int,
        text: str,
        attachments: tuple[Attachment, ...],
        at: str,
        key: str,
    ) -> RelayOutcome:
        """``POST /api/v1/handoffs/{id}/messages``; 409/404 mean the assistant is in charge."""
        settings = self._settings or IntakeSettings.from_env()
        try:
            async with IntakeClient.from_settings(settings) as client:
                await client.post_handoff_message(
                    handoff_id, text, attachments=attachments, at=at, idempotency_key=key
                )
        except (HandoffNotOpen, HandoffNotFound):
            return RelayOutcome.BACK_WITH_ASSISTANT
        except IntakeError as error:
            logger.warning("handoff %s: message not relayed (%s)", handoff_id, error)
            return RelayOutcome.FAILED
        return RelayOutcome.RELAYED


class Withdraw(Protocol):
    """Takes a handoff off the staff queue because the citizen cancelled it."""

    async def __call__(self, handoff_id: int, reason: WithdrawReason, at: str) -> bool:
        """Withdraws the handoff; never raises for the intake's failures.

        Args:
            handoff_id: the handoff the citizen leaves.
            reason: ``cancel`` ("hủy") or ``restart`` ("bắt đầu lại").
            at: when (ISO 8601).

        Returns:
            True when the handoff is off the queue (withdrawn now or before, or already over);
            False when the intake could not be told.
        """


class IntakeWithdraw:
    """The withdrawal through the intake API (settings from the environment: ``INTAKE_URL`` …)."""

    def __init__(self, settings: IntakeSettings | None = None) -> None:
        """Creates it (no connection is opened until a handoff is withdrawn)."""
        self._settings = settings

    async def __call__(self, handoff_id: int, reason: WithdrawReason, at: str) -> bool:
        """``POST /api/v1/handoffs/{id}/withdraw``; a handoff already over is fine too."""
        settings = self._settings or IntakeSettings.from_env()
        try:
            async with IntakeClient.from_settings(settings) as client:
                await client.withdraw_handoff(handoff_id, reason, at)
        except IntakeError as error:
            logger.warning("handoff %s: not withdrawn (%s)", handoff_id, error)
            return False
        return True


@dataclass(frozen=True)
class Paused:
    """Why a conversation is paused.

    Attributes:
        handoff_id: the intake handoff a person owns; None when a person answered from the
            platform's own inbox (or the pause has no known owner).
        native: paused by a reply from the platform's own inbox.
        since: epoch seconds of the latest pause (renewed by each native reply).
    """

    handoff_id: int | None
    native: bool
    since: float


def handoff_of(tracker: DialogueStateTracker) -> int | None:
    """The intake handoff the conversation is attached to (slot ``handoff_id``), if any."""
    value = tracker.get_slot(HANDOFF_SLOT)
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None


def paused(tracker: DialogueStateTracker) -> Paused | None:
    """The conversation's pause, or None when the assistant is in charge."""
    if not tracker.is_paused():
        return None
    since = next(
        (e.timestamp for e in reversed(tracker.events) if isinstance(e, ConversationPaused)),
        0.0,
    )
    return Paused(handoff_of(tracker), tracker.get_slot(HANDOFF_SLOT) == NATIVE, since)


PAUSE_STATE_EVENTS = ("pause", "resume", "restart", "session_started", "rewind", "undo")
"""The events that set or may change whether a conversation is paused (``rewind`` and ``undo``
replay the conversation, so after them only the whole tracker tells)."""
NOT_PAUSED_AFTER = frozenset({"resume", "restart", "session_started"})


def not_paused_by_its_events(agent: Any, sender_id: str) -> bool:
    """True when the tracker store's events show at once that the conversation is not paused.

    Reading a whole conversation back (every event deserialised and replayed) for each message,
    only to learn that nobody paused it, was about 8 % of a message's time. With an SQL tracker
    store (SQLite embedded, PostgreSQL in production) one indexed query finds the latest event
    that sets the pause state: none, ``resume``, ``restart`` or ``session_started`` → not paused.
    A ``pause`` (or a ``rewind``/``undo``, which replay the conversation), another store, or any
    error → False: the caller reads the whole tracker, as before.
    """
    from rasa.core.tracker_store import SQLTrackerStore

    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)  # Rasa wraps it in AwaitableTrackerStore
    if not isinstance(store, SQLTrackerStore):
        return False
    event = SQLTrackerStore.SQLEvent
    try:
        with store.session_scope() as session:
            latest = (
                session.query(event.type_name)
                .filter(event.sender_id == sender_id, event.type_name.in_(PAUSE_STATE_EVENTS))
                .order_by(event.id.desc())
                .limit(1)
                .scalar()
            )
    except Exception:  # the whole tracker is read instead
        logger.warning("pause state of %s not read from the events; reading the tracker",
                       mask_id(sender_id), exc_info=True)
        return False
    return latest is None or latest in NOT_PAUSED_AFTER


def resumed() -> list[Event]:
    """The events that give a paused conversation back to the assistant.

    A paused tracker logs messages without ``action_listen`` between them; the listen added
    here lets the rules read the next message as they would any other (e.g. ``intent:
    EXTERNAL_intake_event`` → ``action_intake_event``).
    """
    return [ConversationResumed(), ActionExecuted(ACTION_LISTEN_NAME)]


@asynccontextmanager
async def locked_tracker(
    agent: Any, sender_id: str, output: OutputChannel | None = None
) -> AsyncIterator[DialogueStateTracker]:
    """The conversation's tracker under its lock; saved on exit if events were added.

    Args:
        agent: Rasa's agent (``lock_store``, ``processor``).
        sender_id: the conversation id.
        output: the output channel of a session start, if one runs.
    """
    async with agent.lock_store.lock(sender_id):
        tracker: DialogueStateTracker = await agent.processor.fetch_tracker_and_update_session(
            sender_id, output or CollectingOutputChannel()
        )
        count = len(tracker.events)
        yield tracker
        if len(tracker.events) != count:
            await agent.processor.save_tracker(tracker)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _attachment(item: Mapping[str, Any]) -> Attachment:
    inner = item.get("payload")
    details: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
    return Attachment(
        type=_text(item.get("type")) or "file",
        url=_text(item.get("url")) or _text(details.get("url")),
        name=_text(item.get("name")) or _text(details.get("name")),
    )


def code_parse(text: str) -> dict[str, Any] | None:
    """Rasa's parse of a message that is nothing but a caller code (``EXTERNAL_caller_code``)."""
    if bare_caller_code(text) is None:
        return None
    intent = {"name": CALLER_CODE_INTENT, "confidence": 1.0}
    return {"text": text, "intent": intent, "entities": [], "intent_ranking": [intent]}


def button_titles(tracker: DialogueStateTracker | None) -> dict[str, str]:
    """Payload → title of every button the assistant showed in the conversation (newest wins)."""
    titles: dict[str, str] = {}
    for event in tracker.events if tracker is not None else []:
        if not isinstance(event, BotUttered):
            continue
        buttons = (event.data or {}).get("buttons")
        for button in buttons if isinstance(buttons, list) else []:
            if isinstance(button, Mapping) and button.get("payload") and button.get("title"):
                titles[str(button["payload"])] = str(button["title"])
    return titles


def relayed_content(
    message: UserMessage, titles: Mapping[str, str] | None = None
) -> tuple[str, tuple[Attachment, ...]]:
    """What staff read of a citizen's message: its text and attachment references.

    A button's payload shows its title (given by the channel, else from ``titles``); a photo
    sent without caption (text ``/inform``) shows no text, only the attachment.
    """
    metadata = message.metadata if isinstance(message.metadata, Mapping) else {}
    if metadata.get("hidden"):  # sent by the channel, not shown to the citizen (a greeting)
        return "", ()
    items = metadata.get("attachments")
    attachments = [
        _attachment(item)
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, Mapping)
    ]
    location = metadata.get("location")
    if isinstance(location, Mapping) and location.get("latitude") is not None:
        where = f"{location.get('latitude')}, {location.get('longitude')}"
        attachments.append(Attachment("location", name=where))
    text = shown_text(
        message.text or "", _text(metadata.get("title")), titles, with_files=bool(attachments)
    )
    return text, tuple(attachments)


class PauseGate:
    """Stands before Rasa's ``on_new_message`` in every channel (see the module doc)."""

    def __init__(
        self,
        channel: str,
        relay: Relay | None = None,
        *,
        withdraw: Withdraw | None = None,
        native_pause_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Creates the gate of one channel.

        Args:
            channel: the channel's name (for the logs).
            relay: where citizen messages go while paused (the intake API by default).
            withdraw: how a handoff the citizen cancels leaves the staff queue (the intake API
                by default).
            native_pause_seconds: how long a pause from the platform's inbox lasts without a
                reply (``CONNECTORS_NATIVE_PAUSE_MINUTES`` by default).
            clock: epoch seconds.
        """
        if native_pause_seconds is None:
            native_pause_seconds = load_common_settings().native_pause_minutes * 60
        self.channel = channel
        self.relay: Relay = relay or IntakeRelay()
        self.withdraw: Withdraw = withdraw or IntakeWithdraw()
        self.native_pause_seconds = native_pause_seconds
        self._clock = clock
        self._app: Sanic | None = None

    # ------------------------------------------------------------------ wiring
    async def bind(self, request: Request) -> None:
        """Request middleware of the channel's blueprint: remembers the running app."""
        self._app = request.app

    def bind_app(self, app: Sanic) -> None:
        """Remembers the running app (tests, or a channel that has the app at hand)."""
        self._app = app

    def handler(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """Rasa's ``on_new_message`` behind the gate."""

        async def gated(message: UserMessage) -> None:
            await self.handle(message, on_new_message)

        return gated

    def _agent(self) -> Any | None:
        agent = getattr(self._app.ctx, "agent", None) if self._app is not None else None
        if agent is None or not getattr(agent, "is_ready", lambda: True)():
            return None
        return agent

    # ------------------------------------------------------------------ citizen messages
    async def handle(self, message: UserMessage, on_new_message: OnNewMessage) -> None:
        """Lets the message through, or relays it first (see the module doc)."""
        if message.text and not message.parse_data:
            message.parse_data = code_parse(message.text)
        agent = self._agent()
        sender_id = message.sender_id
        if agent is None or not sender_id:
            await on_new_message(message)
            return
        if not_paused_by_its_events(agent, sender_id):
            await on_new_message(message)
            return
        tracker = await agent.tracker_store.retrieve(sender_id)
        state = paused(tracker) if tracker is not None else None
        if state is None:
            await on_new_message(message)
            return
        if message.text and not message.parse_data:
            message.parse_data = await agent.parse_message(message.text)
        intent = ((message.parse_data or {}).get("intent") or {}).get("name")
        if intent in ESCAPE_INTENTS:
            if state.handoff_id is not None:
                await self._leave(state.handoff_id, message, intent)
            logger.info("%s: %s left the pause (%s)", self.channel, mask_id(sender_id), intent)
            await self.resume(agent, sender_id)
        elif state.handoff_id is not None:
            outcome = await self._relay(state.handoff_id, message, button_titles(tracker))
            if outcome is RelayOutcome.BACK_WITH_ASSISTANT:
                await self.resume(agent, sender_id)
            elif outcome is RelayOutcome.FAILED:
                await message.output_channel.send_text_message(sender_id, RELAY_FAILED)
        elif state.native and self._clock() - state.since > self.native_pause_seconds:
            logger.info("%s: native pause of %s ran out", self.channel, mask_id(sender_id))
            await self.resume(agent, sender_id, forget_handoff=True)
        await on_new_message(message)

    async def _relay(
        self, handoff_id: int, message: UserMessage, titles: Mapping[str, str] | None = None
    ) -> RelayOutcome:
        text, attachments = relayed_content(message, titles)
        at = datetime.now(timezone.utc).isoformat()
        key = f"{self.channel}:{message.message_id}"
        if not text and not attachments:
            return RelayOutcome.RELAYED
        return await self.relay(handoff_id, text, attachments, at, key)

    async def _leave(self, handoff_id: int, message: UserMessage, intent: str) -> None:
        """Relays the citizen's "hủy" / "bắt đầu lại", then takes the handoff off the queue."""
        if await self._relay(handoff_id, message) is RelayOutcome.BACK_WITH_ASSISTANT:
            return  # already over: nothing left in the queue
        reason: WithdrawReason = "restart" if intent == "restart" else "cancel"
        at = datetime.now(timezone.utc).isoformat()
        if not await self.withdraw(handoff_id, reason, at):
            logger.warning(
                "%s: handoff %s of %s stays in the staff queue until it expires",
                self.channel,
                handoff_id,
                mask_id(message.sender_id),
            )

    @staticmethod
    async def resume(agent: Any, sender_id: str, *, forget_handoff: bool = False) -> None:
        """The assistant answers this conversation again.

        Args:
            agent: Rasa's agent.
            sender_id: the conversation.
            forget_handoff: also empty ``handoff_id`` (a native pause; an intake handoff keeps
                it until its event arrives, so a hand-back still applies).
        """
        async with locked_tracker(agent, sender_id) as tracker:
            if tracker.is_paused():
                for event in resumed():
                    tracker.update(event)
            if forget_handoff:
                tracker.update(SlotSet(HANDOFF_SLOT, None))

    # ------------------------------------------------------------------ the platform's inbox
    async def notify(self, event: HandoffEvent) -> None:
        """A person acted from the platform's own inbox (a :class:`HandoffSignal`).

        A reply or a thread taken pauses the assistant (kept in the tracker, slot
        ``handoff_id`` = ``native``; the reply is recorded as a bot utterance with the
        metadata ``staff_name``); the thread passed back to us resumes it. A conversation
        already handed to the office stays with its handoff.
        """
        agent = self._agent()
        if agent is None:
            return
        async with locked_tracker(agent, event.sender_id) as tracker:
            if event.kind == "control_returned":
                if tracker.is_paused() and tracker.get_slot(HANDOFF_SLOT) == NATIVE:
                    for resume_event in resumed():
                        tracker.update(resume_event)
                    tracker.update(SlotSet(HANDOFF_SLOT, None))
                return
            if event.kind not in TAKING_OVER:
                return
            if event.text:
                metadata = {"staff_name": event.agent_id or "", "native": True}
                tracker.update(BotUttered(event.text, {}, metadata))
            if handoff_of(tracker) is not None and tracker.is_paused():
                return
            tracker.update(SlotSet(HANDOFF_SLOT, NATIVE))
            tracker.update(ConversationPaused())
        logger.info(
            "%s: %s in %s's conversation: assistant paused",
            event.channel,
            event.kind,
            mask_id(event.user_id),
        )
