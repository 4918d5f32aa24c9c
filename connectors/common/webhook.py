"""The webhook input flow shared by the Zalo, Messenger and Telegram channels.

Every delivery goes the same way (connectors/README.md, "What every connector does"):

1. the channel checks the sender on the raw body and reads the platform's events
   (:meth:`WebhookInput.read`, per platform); a refused delivery is answered 403 (signature,
   secret) or 400 (malformed) and nothing is processed;
2. each event is claimed once in the connector database (:class:`DedupeStore`): a re-delivery,
   or a replay older than the dedupe window, is dropped;
3. the webhook answers 200 at once, and the event is processed in the background
   (:class:`BackgroundTasks`), the events of one conversation one after the other;
4. the platform's :meth:`WebhookInput.process` turns a citizen's event into a Rasa message
   (:meth:`WebhookInput.rasa_message`), which reaches Rasa's ``on_new_message`` through the
   pause gate (:class:`PauseGate`); a person's action in the platform's own inbox goes to the
   handoff signal instead (:meth:`WebhookInput.signal`).

A platform module gives only what differs: its settings, how a delivery is checked and read, how
an event becomes a message, and its client. Without settings the channel is disabled: one log
line at start, 503 on the webhook and the health route.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.common import scam_guard
from connectors.common.config import (
    ChannelDisabled,
    CommonSettings,
    load_channel_settings,
    load_common_settings,
)
from connectors.common.conversation import conversation_id, message_metadata
from connectors.common.database import connector_database
from connectors.common.dedupe import DedupeStore
from connectors.common.erasure import ConversationEraser
from connectors.common.handoff import (
    HandoffEvent,
    HandoffKind,
    HandoffSignal,
    SignalChain,
    load_handoff_signal,
)
from connectors.common.masking import mask_id, mask_text
from connectors.common.pause import PauseGate
from connectors.common.tasks import BackgroundTasks

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
SettingsT = TypeVar("SettingsT")
EventT = TypeVar("EventT")
ClientT = TypeVar("ClientT")
ChannelT = TypeVar("ChannelT", bound="WebhookInput[Any, Any, Any]")


@dataclass(frozen=True)
class Delivery(Generic[EventT]):
    """One event of a webhook delivery, with what the shared flow needs to know of it.

    Attributes:
        event: the platform's event, handed to :meth:`WebhookInput.process`.
        conversation: the citizen's platform id (the chat id on Telegram); the events of one
            conversation are processed one after the other, in arrival order.
        key: the platform's id of the event, claimed once in the dedupe store.
        at: when the event happened (epoch seconds), when the platform says.
        label: what the event is, for the logs (no personal data).
    """

    event: EventT
    conversation: str
    key: str
    at: float | None
    label: str


class Refused(Exception):
    """A delivery answered at once and not processed: the answer's ``status`` and HTTP ``code``."""

    def __init__(self, status: str, code: int) -> None:
        """Creates the refusal (:func:`forbidden`, :func:`bad_request`)."""
        super().__init__(status)
        self.status = status
        self.code = code


def forbidden() -> Refused:
    """A delivery whose signature or secret is missing, wrong or stale (403)."""
    return Refused("forbidden", 403)


def bad_request() -> Refused:
    """A delivery whose body cannot be read (400)."""
    return Refused("bad request", 400)


class WebhookInput(InputChannel, Generic[SettingsT, EventT, ClientT]):
    """A platform's webhook as a Rasa input channel (see the module doc).

    Subclasses define :meth:`name`, :attr:`settings_class`, :meth:`connect`,
    :meth:`close_client`, :meth:`get_output_channel`, :meth:`read` and :meth:`process`.

    Attributes:
        settings: the platform's settings; ``None`` when the channel is disabled.
        client: the platform's API client; ``None`` when the channel is disabled.
    """

    settings_class: ClassVar[type[Any]]
    """The platform's settings (``connectors.common.config``), e.g. ``ZaloSettings``."""

    @classmethod
    def from_credentials(cls: type[ChannelT], credentials: dict[str, Any] | None) -> ChannelT:
        """Builds the channel from its credentials.yml block and the environment.

        Args:
            credentials: the block (may be empty); see connectors/README.md for the keys.

        Returns:
            The channel; disabled (with one warning) when settings are missing.
        """
        common = load_common_settings()
        settings = load_channel_settings(cls.name(), cls.settings_class, credentials)
        if isinstance(settings, ChannelDisabled):
            logger.warning(settings.log_line())
            return cls(None, common)
        return cls(settings, common, handoff=load_handoff_signal(common.handoff_callback))

    def __init__(
        self,
        settings: SettingsT | None,
        common: CommonSettings | None = None,
        *,
        handoff: HandoffSignal | None = None,
        client: ClientT | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Creates the channel.

        Args:
            settings: the platform's settings; ``None`` = disabled.
            common: database URL, dedupe TTL, native pause.
            handoff: where a person's actions in the platform's own inbox are reported (after
                the pause gate): Zalo OA admins, the Messenger Page Inbox.
            client: the platform's API client (:meth:`connect` builds it otherwise).
            clock: current epoch seconds (dedupe, signature freshness, tokens).
        """
        self.settings = settings
        self.common = common or CommonSettings()
        self.tasks = BackgroundTasks(self.name())
        self.eraser = ConversationEraser()  # "xóa dữ liệu của tôi" (connectors.common.erasure)
        self.gate = PauseGate(
            self.name(), native_pause_seconds=self.common.native_pause_minutes * 60
        )
        self.handoff: HandoffSignal = SignalChain(self.gate, handoff or load_handoff_signal(None))
        self.database = connector_database(self.common.database_url)
        self.dedupe = DedupeStore(self.database, self.common.dedupe_ttl_seconds, clock)
        self._clock = clock
        if client is None and settings is not None:
            client = self.connect(settings)
        self.client = client

    @property
    def enabled(self) -> bool:
        """Whether the channel has its credentials."""
        return self.settings is not None and self.client is not None

    def connect(self, settings: SettingsT) -> ClientT:
        """Builds the platform's API client (no network call)."""
        raise NotImplementedError

    async def close_client(self, client: ClientT) -> None:
        """Closes the platform client's connections."""
        raise NotImplementedError

    def get_output_channel(self) -> OutputChannel | None:
        """An output channel for messages outside a user turn; ``None`` when disabled."""
        raise NotImplementedError

    def status_output(self, event: Mapping[str, Any]) -> OutputChannel | None:
        """The output channel of a dossier status notification (the intake's ``status_changed``).

        Messenger and Zalo override it to reach the citizen after their reply window closed.

        Args:
            event: the intake's event (``receipt_code``, ``status_label``, ``at`` …).

        Returns:
            :meth:`get_output_channel` here.
        """
        return self.get_output_channel()

    def staff_output(self) -> OutputChannel | None:
        """The output channel of a staff reply from the console (:meth:`get_output_channel`)."""
        return self.get_output_channel()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The Sanic routes: ``GET /`` (health) and ``POST /webhook``, behind the pause gate."""
        webhook = Blueprint(f"{self.name()}_webhook", type(self).__module__)
        webhook.middleware("request")(self.gate.bind)
        webhook.middleware("request")(self.eraser.bind)
        gated = self.eraser.handler(scam_guard.handler(self.gate.handler(on_new_message)))

        async def health(_: Request) -> HTTPResponse:
            status = "ok" if self.enabled else "disabled"
            return response.json({"status": status}, status=200 if self.enabled else 503)

        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request.body, request.headers, gated)

        async def close(*_: Any) -> None:
            await self.aclose()

        webhook.add_route(health, "/", methods=["GET"])
        webhook.add_route(receive, "/webhook", methods=["POST"])
        webhook.listener("before_server_stop")(close)
        return webhook

    async def aclose(self) -> None:
        """Finishes background work and closes the platform client."""
        await self.tasks.drain(timeout=10)
        if self.client is not None:
            await self.close_client(self.client)

    async def receive(
        self, raw_body: bytes, headers: Mapping[str, str], on_new_message: OnNewMessage
    ) -> HTTPResponse:
        """Checks one delivery, acknowledges it, and schedules each new event.

        Returns:
            200 (accepted, duplicate or ignored), 400 (malformed), 403 (signature or secret),
            503 (disabled).
        """
        if self.settings is None or not self.enabled:
            return self.answer("disabled", 503)
        try:
            deliveries = self.read(raw_body, headers, self.settings)
        except Refused as refused:
            return self.answer(refused.status, refused.code)
        status = "ignored"
        for delivery in deliveries:
            status = await self._schedule(delivery, on_new_message)
        return self.answer(status)

    def read(
        self, raw_body: bytes, headers: Mapping[str, str], settings: SettingsT
    ) -> list[Delivery[EventT]]:
        """Checks a delivery's sender on the raw body and reads the events to process.

        Returns:
            The events for Rasa or the handoff signal; empty when there is nothing to do.

        Raises:
            Refused: :func:`forbidden` or :func:`bad_request`.
        """
        raise NotImplementedError

    async def process(self, event: EventT, on_new_message: OnNewMessage) -> None:
        """Handles one verified, first-time event (runs in the background)."""
        raise NotImplementedError

    def answer(self, status: str, code: int = 200) -> HTTPResponse:
        """The webhook's answer: ``{"status": …}``."""
        return response.json({"status": status}, status=code)

    def rasa_message(
        self,
        user_id: str,
        text: str,
        *,
        event: str,
        message_id: str | None,
        output_channel: OutputChannel | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> UserMessage:
        """A citizen's message for Rasa, in the citizen's namespaced conversation.

        Args:
            user_id: the citizen's platform id (chat id on Telegram).
            text: the text, or the intent payload of an event without text.
            event: the platform's event name, kept in the metadata.
            message_id: the platform's message id.
            output_channel: where the answers go; :meth:`get_output_channel` by default.
            metadata: further metadata (``None`` values are left out).

        Returns:
            The message, with ``metadata`` = ``{"channel", "user_id", "event", …}``.
        """
        return UserMessage(
            text=text,
            output_channel=output_channel or self.get_output_channel(),
            sender_id=conversation_id(self.name(), user_id),
            input_channel=self.name(),
            message_id=message_id,
            metadata=message_metadata(self.name(), user_id, event, **(metadata or {})),
        )

    async def to_rasa(
        self, message: UserMessage | None, on_new_message: OnNewMessage, label: str
    ) -> None:
        """Hands a citizen's message to Rasa; a message without text is dropped."""
        if message is None or not message.text:
            logger.debug("%s: %s without text ignored", self.name(), label)
            return
        logger.debug(
            "%s: %s from %s: %s",
            self.name(),
            label,
            mask_id(message.sender_id),
            mask_text(message.text),
        )
        await on_new_message(message)

    async def signal(
        self,
        kind: HandoffKind,
        user_id: str,
        *,
        at: float | None,
        detail: Mapping[str, Any],
        agent_id: str | None = None,
        text: str | None = None,
    ) -> None:
        """Reports a person's action in the platform's own inbox (see :class:`HandoffEvent`).

        ``at`` is the event time in epoch seconds (now when unknown), ``user_id`` the citizen's
        platform id.
        """
        await self.handoff.notify(
            HandoffEvent(
                kind=kind,
                channel=self.name(),
                sender_id=conversation_id(self.name(), user_id),
                user_id=user_id,
                agent_id=agent_id,
                text=text,
                at=at or self._clock(),
                detail=detail,
            )
        )

    async def _schedule(self, delivery: Delivery[EventT], on_new_message: OnNewMessage) -> str:
        if not await self._first_delivery(delivery):
            logger.info("%s: duplicate %s ignored", self.name(), delivery.label)
            return "duplicate"
        self.tasks.schedule(
            self.process(delivery.event, on_new_message),
            key=delivery.conversation,
            label=delivery.label,
        )
        return "ok"

    async def _first_delivery(self, delivery: Delivery[EventT]) -> bool:
        if self.dedupe.outlived(delivery.at):
            return False
        try:
            return await self.dedupe.first_delivery(self.name(), delivery.key)
        except Exception:
            logger.exception("%s: dedupe store failed; processing the event anyway", self.name())
            return True
