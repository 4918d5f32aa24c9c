"""Erasing a conversation in the Rasa server: on the citizen's request, or when staff ask.

The citizen's "xóa dữ liệu của tôi" is confirmed and recorded by ``action_erase_my_data``
(``bot/actions/privacy.py``), which also has the intake service erase its part. That action runs
in the action server, which cannot reach what the Rasa server keeps; it therefore sends
:data:`ERASE_MARKER`, a custom payload, *before* its last texts. Every channel wraps Rasa's
``on_new_message`` with :meth:`ConversationEraser.handler`, which hands Rasa an output channel
that catches the marker (it is never shown to the citizen) and, once Rasa has finished the
message, erases:

* the tracker: every event of the conversation (messages, slots — the dossier's answers, the
  consent record — across every session), from the tracker store, SQL or in memory;
* what the channels keep (any input channel with ``erase_conversation``, see
  :class:`KeepsConversationData`): the web chat's stored messages up to the marker (the
  confirmation the citizen is reading stays) and the files the conversation uploaded; the
  messages kept for a REST client.

The staff console's erasure reaches the same code through the intake's signed event
``erase_conversation`` (``connectors.intake_events``): :func:`erase_conversation`.

:func:`delete_tracker` and :func:`purge_trackers` (retention, ``connectors.retention``) work on
Rasa's ``SQLTrackerStore`` (and this project's cached subclass) and on the in-memory store.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Sanic
from sanic.request import Request

from connectors.common.masking import mask_id

__all__ = [
    "ERASE_MARKER",
    "ConversationEraser",
    "KeepsConversationData",
    "delete_tracker",
    "erase_conversation",
    "purge_trackers",
    "uploaded_tokens",
]

logger = logging.getLogger(__name__)

ERASE_MARKER: Mapping[str, str] = {"bhxh_privacy": "erase_conversation"}
"""The custom payload of ``action_erase_my_data`` (bot/actions/privacy.py sends the same)."""
FILES_PATH = "/webhooks/webchat/files/"
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@runtime_checkable
class KeepsConversationData(Protocol):
    """An input channel that keeps messages or files of a conversation outside the tracker."""

    async def conversation_mark(self, sender_id: str) -> int:
        """The highest id of what it keeps for the conversation now (0 when nothing)."""

    async def erase_conversation(
        self, sender_id: str, up_to: int | None, events: Sequence[Mapping[str, Any]]
    ) -> None:
        """Forgets what it keeps up to ``up_to`` (None: everything); ``events`` are the
        tracker's, read before it was erased (e.g. to find uploaded files)."""


def uploaded_tokens(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The web chat upload tokens named in the attachments of a conversation's messages."""
    tokens = []
    for event in events:
        metadata = event.get("metadata") if event.get("event") == "user" else None
        items = metadata.get("attachments") if isinstance(metadata, Mapping) else None
        for item in items if isinstance(items, list) else []:
            url = item.get("url") if isinstance(item, Mapping) else None
            if isinstance(url, str) and FILES_PATH in url:
                tokens.append(url.rsplit("/", 1)[-1])
    return tokens


def _sql_store(store: Any) -> Any | None:
    """The SQL tracker store behind Rasa's wrappers (FailSafeTrackerStore …), if it is one."""
    inner = getattr(store, "_tracker_store", store)
    return inner if hasattr(inner, "sessionmaker") and hasattr(inner, "SQLEvent") else None


def _memory(store: Any) -> dict[str, Any] | None:
    inner = getattr(store, "_tracker_store", store)
    kept = getattr(inner, "store", None)
    return kept if isinstance(kept, dict) else None


def delete_tracker(store: Any, sender_id: str) -> int:
    """Deletes every stored event of a conversation; returns how many rows went (blocking)."""
    sql = _sql_store(store)
    if sql is not None:
        with sql.session_scope() as session:
            deleted = (
                session.query(sql.SQLEvent)
                .filter(sql.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        evict = getattr(sql, "evict", None)
        if callable(evict):
            evict(sender_id)
        return int(deleted or 0)
    memory = _memory(store)
    if memory is not None:
        return 1 if memory.pop(sender_id, None) is not None else 0
    raise TypeError(f"cannot delete from a {type(store).__name__}")


def purge_trackers(store: Any, before: float) -> list[str]:
    """Deletes the conversations whose last event is older than ``before`` (a UNIX time).

    Returns:
        The conversation ids deleted (blocking; for the retention job).
    """
    import sqlalchemy as sa

    sql = _sql_store(store)
    if sql is None:
        memory = _memory(store)
        if memory is None:
            raise TypeError(f"cannot purge a {type(store).__name__}")
        return []  # the in-memory store forgets everything at restart
    table = sql.SQLEvent.__table__
    with sql.session_scope() as session:
        old = [
            row[0]
            for row in session.execute(
                sa.select(table.c.sender_id)
                .group_by(table.c.sender_id)
                .having(sa.func.max(table.c.timestamp) < before)
            )
        ]
    for sender_id in old:
        delete_tracker(sql, sender_id)
    return old


async def _events_of(agent: Any, sender_id: str) -> list[dict[str, Any]]:
    """Every stored event of a conversation as dicts (all sessions, for the upload tokens)."""
    store = agent.tracker_store
    sql = _sql_store(store)
    if sql is not None:
        import json

        def read() -> list[dict[str, Any]]:
            with sql.session_scope() as session:
                rows = (
                    session.query(sql.SQLEvent.data)
                    .filter(sql.SQLEvent.sender_id == sender_id)
                    .all()
                )
            return [json.loads(row[0]) for row in rows]

        return await asyncio.to_thread(read)
    tracker = await store.retrieve(sender_id)
    return [event.as_dict() for event in tracker.events] if tracker is not None else []


def _keepers(app: Sanic | None) -> list[KeepsConversationData]:
    channels = getattr(app.ctx, "input_channels", None) if app is not None else None
    return [c for c in channels or [] if isinstance(c, KeepsConversationData)]


async def erase_conversation(
    app: Sanic | None, sender_id: str, marks: Mapping[int, int] | None = None
) -> int:
    """Erases a conversation in this Rasa server: tracker and the channels' kept data.

    Args:
        app: the running Sanic app (its agent and input channels).
        sender_id: the conversation.
        marks: per channel (``id()``), what to keep after (its :meth:`conversation_mark` when
            the erasure was confirmed); a channel without a mark forgets everything.

    Returns:
        The tracker rows deleted.
    """
    agent = getattr(app.ctx, "agent", None) if app is not None else None
    events: list[dict[str, Any]] = []
    deleted = 0
    if agent is not None:
        async with agent.lock_store.lock(sender_id):
            events = await _events_of(agent, sender_id)
            deleted = await asyncio.to_thread(delete_tracker, agent.tracker_store, sender_id)
    for keeper in _keepers(app):
        up_to = (marks or {}).get(id(keeper)) if marks is not None else None
        try:
            await keeper.erase_conversation(sender_id, up_to, events)
        except Exception:  # one store failing must not keep the others
            logger.exception("erasure of %s: a channel's data was not erased", mask_id(sender_id))
    logger.info("conversation %s erased (%d tracker rows)", mask_id(sender_id), deleted)
    return deleted


class _MarkerCatcher(OutputChannel):  # type: ignore[misc]  # Rasa is untyped
    """Passes every message to the real output channel except :data:`ERASE_MARKER`."""

    def __init__(self, inner: OutputChannel, eraser: ConversationEraser) -> None:
        self.inner = inner
        self.eraser = eraser
        self.marks: dict[int, int] | None = None

    @classmethod
    def name(cls) -> str:
        """Never used as a channel name (Rasa asks the inner channel's messages)."""
        return "erasure"

    async def _catch(self, recipient_id: str) -> None:
        self.marks = {
            id(keeper): await keeper.conversation_mark(recipient_id)
            for keeper in _keepers(self.eraser.app)
        }

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Catches the marker (remembering what the channels hold now); forwards the rest."""
        if message.get("custom") == dict(ERASE_MARKER):
            await self._catch(recipient_id)
            return
        await self.inner.send_response(recipient_id, message)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Catches the marker sent directly; forwards other custom payloads."""
        if json_message == dict(ERASE_MARKER):
            await self._catch(recipient_id)
            return
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Forwarded."""
        await self.inner.send_text_message(recipient_id, text, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Forwarded."""
        await self.inner.send_image_url(recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        """Forwarded."""
        await self.inner.send_attachment(recipient_id, attachment, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Forwarded."""
        await self.inner.send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Forwarded."""
        await self.inner.send_quick_replies(recipient_id, text, quick_replies, **kwargs)

    async def send_elements(
        self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Forwarded."""
        await self.inner.send_elements(recipient_id, elements, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class ConversationEraser:
    """The erasure step of a channel's input path (register :meth:`bind` as middleware)."""

    def __init__(self) -> None:
        self.app: Sanic | None = None

    async def bind(self, request: Request) -> None:
        """Request middleware of the channel's blueprint: remembers the running app."""
        self.app = request.app

    def bind_app(self, app: Sanic) -> None:
        """Remembers the running app (tests, or a channel that has it at hand)."""
        self.app = app

    def handler(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """``on_new_message`` (usually behind the pause gate), with the erasure after it."""

        async def erasing(message: UserMessage) -> None:
            catcher = _MarkerCatcher(message.output_channel, self)
            message.output_channel = catcher
            try:
                await on_new_message(message)
            finally:
                message.output_channel = catcher.inner
            if catcher.marks is not None and message.sender_id:
                started = time.monotonic()
                await erase_conversation(self.app, message.sender_id, catcher.marks)
                logger.debug("erasure took %.0f ms", (time.monotonic() - started) * 1000)

        return erasing
