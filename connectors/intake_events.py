"""Events from the intake service, told to the citizen on the channel they used.

Rasa input channel ``connectors.intake_events.IntakeEventsInput`` (name ``intake``):

* ``POST /webhooks/intake/events`` — the intake service's signed events (docs/contracts.md):
  ``X-Intake-Signature: sha256=<hex HMAC-SHA256(BOT_WEBHOOK_SECRET, raw body)>`` is checked in
  constant time (wrong or missing → 403); the body's ``sent_at`` must be within
  ``INTAKE_EVENT_MAX_AGE_SECONDS`` (300) of now (else 403) and the body's ``event_id`` (signed;
  the ``X-Intake-Event-Id`` header is not trusted) is claimed once in the connector database
  (``connectors.common.dedupe``), so a re-delivery is answered 200 and dropped
  (``connectors.common.signed_events``). The
  event is told in the citizen's conversation (``channel`` + ``sender_id`` of the body) by
  triggering the intent ``EXTERNAL_intake_event`` with the body's values as entities (``event``,
  ``receipt_code``, ``status``, ``status_label``, ``note`` …): the rules run
  ``action_intake_event``, so the message is also kept in the tracker. Answer: ``{"delivered":
  true}``, or ``{"delivered": false, "reason": "<Vietnamese>"}`` when the channel refused it
  (e.g. Zalo's window closed). A status change (``status_changed``) and a staff reply
  (``staff_message``) go through the channel's ``status_output`` / ``staff_output``
  (``connectors.common.webhook.WebhookInput``), which reach the citizen after the platform's
  reply window closed when the office configured it (Messenger: a message tag; Zalo: a ZBS
  template); the answer then says how, ``{"delivered": true, "reason": "Đã gửi bằng thẻ
  ACCOUNT_UPDATE …"}``, or why not, ``{"delivered": false, "reason": "… chưa cấu hình mẫu tin
  ZBS — hãy gọi điện cho người dân."}``. An unexpected failure releases the event id and
  answers 500: the intake service retries. The handoff events (``staff_message``,
  ``handoff_claimed``, ``handoff_returned``, ``handoff_closed``, ``handoff_expired``) are
  applied by :mod:`connectors.handoff_events` (a paused conversation runs no action): a staff
  reply is sent at once and answered ``{"delivered": …}`` within the intake's timeout.
* The durable outbox of ``backend_client``: an ``OutboxWorker`` runs in the background while the
  server runs (started after the server starts, stopped before it stops). When a dossier queued
  during an outage reaches the intake, the citizen is told its receipt code the same way
  (``event: dossier_delivered``; ``dossier_rejected`` when the intake refused it).
* ``GET /webhooks/intake/notifications?sender=<id>&after=<last id>`` — channels that cannot push
  (the REST channel, a channel without credentials) keep the messages in a small store; the REST
  channel's client fetches them here (``{"messages": [...], "last_id"}``) with the REST
  channel's key (``Authorization: Bearer <REST_CHANNEL_KEY>``, else 401), and only those of
  ``rest:`` conversations (``sender`` is read as the REST channel reads it; issue 17). Nothing
  reached the citizen yet, so the intake is answered ``{"delivered": false, "reason": KEPT}``:
  the console then says the citizen was not told (and to call), never "Đã báo cho người dân".
* ``GET /webhooks/intake/`` — ``{"status": "ok"}``, or 503 ``{"status": "disabled"}`` when no
  secret is set (the outbox worker still runs).

Settings (credentials.yml block first, then the environment): ``webhook_secret``
(``BOT_WEBHOOK_SECRET``), ``notices_db_path`` (``INTAKE_NOTICES_DB_PATH``, default
``var/intake_notices.db``), ``outbox_worker`` (``OUTBOX_WORKER``, default on),
``worker_interval`` (``OUTBOX_WORKER_INTERVAL_SECONDS``, default 5). The worker reads the
intake client's settings (``INTAKE_URL``, ``INTAKE_API_KEY``, ``OUTBOX_DATABASE_URL`` …).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import inspect
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, ConversationPaused
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import and_, delete

from backend_client import (
    DossierSubmission,
    FieldError,
    IntakeClient,
    IntakeSettings,
    Outbox,
    OutboxWorker,
    Receipt,
)
from bhxh_catalog.privacy import RetentionPeriods
from connectors.common.config import load_common_settings
from connectors.common.database import ConnectorDatabase, seen_events
from connectors.common.dedupe import DedupeStore
from connectors.common.erasure import erase_conversation as erase_everywhere
from connectors.common.output import PlatformOutput
from connectors.common.pause import resumed
from connectors.common.signed_events import event_key, freshness_problem, max_age_seconds
from connectors.common.webhook import WebhookInput
from connectors.handoff_events import HANDOFF_EVENTS, apply_handoff_event
from connectors.rest import rest_client_ok, rest_sender_id
from connectors.webchat.channel import WebchatOutput
from connectors.webchat.store import MessageStore

__all__ = [
    "EVENT_ID_HEADER",
    "INTENT",
    "SIGNATURE_HEADER",
    "IntakeEventsInput",
    "IntakeEventsSettings",
    "NoticeOutput",
    "Told",
    "signature_ok",
]

logger = logging.getLogger(__name__)

CHANNEL_NAME = "intake"
INTENT = "EXTERNAL_intake_event"
SIGNATURE_HEADER = "X-Intake-Signature"
ERASE_EVENT = "erase_conversation"  # staff erased a citizen's data (connectors.common.erasure)
EVENT_ID_HEADER = "X-Intake-Event-Id"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NOTICES_PATH = REPO_ROOT / "var" / "intake_notices.db"
MAX_SENDER_LENGTH = 128
STOP_SECONDS = 10.0
NOT_DELIVERED = "Không gửi được tin nhắn tới người dân trên kênh này."
KEPT = (
    "Kênh này không tự gửi tin tới người dân: tin nhắn được giữ để ứng dụng của người dân lấy "
    "về khi mở lại, chưa chắc người dân đã đọc."
)
STATUS_EVENT = "status_changed"
DELIVERED_EVENT = "dossier_delivered"
"""A dossier queued while the intake was down has reached it: its receipt code is a status notice
too (it may come days later), so it gets the same window fallbacks as a status change."""
DELIVERED_LABEL = "Đã tiếp nhận"
STAFF_EVENT = "staff_message"


@dataclass(frozen=True)
class Told:
    """What became of an event's messages to the citizen, as the intake is answered.

    Attributes:
        delivered: the channel took the messages.
        reason: in Vietnamese for the staff: why they were not delivered, or how they were
            when the platform's reply window had closed ("Đã gửi bằng thẻ ACCOUNT_UPDATE …");
            ``None`` when delivered normally.
    """

    delivered: bool
    reason: str | None = None

    def answer(self) -> dict[str, Any]:
        """The webhook's answer: ``{"delivered"}`` and ``"reason"`` when there is one."""
        if not self.delivered:
            return {"delivered": False, "reason": self.reason or NOT_DELIVERED}
        return {"delivered": True, **({"reason": self.reason} if self.reason else {})}


def told(refusal: str | None, output: OutputChannel) -> Told:
    """The outcome of messages sent through ``output``: refused, kept, or delivered (and how).

    A channel that cannot push (the REST channel, a channel without credentials) only keeps
    the message for its client to fetch: the citizen was not told yet (:data:`KEPT`), and the
    console must not say so.
    """
    if refusal is not None:
        return Told(False, refusal)
    if isinstance(output, NoticeOutput):
        return Told(False, KEPT)
    note = output.delivery_note if isinstance(output, PlatformOutput) else None
    return Told(True, note)


def event_output(candidate: InputChannel, event: Mapping[str, Any] | None) -> OutputChannel | None:
    """The output channel of ``candidate`` for an intake event (status change, staff reply …)."""
    kind = event.get("event") if event is not None else None
    if isinstance(candidate, WebhookInput) and event is not None:
        if kind in (STATUS_EVENT, DELIVERED_EVENT):
            return candidate.status_output(event)
        if kind == STAFF_EVENT:
            return candidate.staff_output()
    return candidate.get_output_channel()


@dataclass(frozen=True)
class IntakeEventsSettings:
    """Settings of the channel.

    Attributes:
        webhook_secret: the HMAC key shared with the intake service; None disables the webhook.
        notices_path: the SQLite store of messages for channels that cannot push.
        outbox_worker: run the outbox worker in this process.
        worker_interval: seconds between two rounds of the worker.
    """

    webhook_secret: str | None
    notices_path: Path
    outbox_worker: bool = True
    worker_interval: float = 5.0

    @classmethod
    def read(
        cls, credentials: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
    ) -> IntakeEventsSettings:
        """Reads the credentials.yml block, then the environment."""
        given = credentials or {}
        environ = os.environ if env is None else env

        def value(key: str, name: str) -> str:
            raw = given.get(key)
            text = str(raw).strip() if raw is not None else ""
            return text or environ.get(name, "").strip()

        path_text = value("notices_db_path", "INTAKE_NOTICES_DB_PATH")
        path = Path(path_text) if path_text else DEFAULT_NOTICES_PATH
        interval_text = value("worker_interval", "OUTBOX_WORKER_INTERVAL_SECONDS")
        try:
            interval = float(interval_text) if interval_text else cls.worker_interval
        except ValueError:
            logger.warning("OUTBOX_WORKER_INTERVAL_SECONDS is not a number; using 5 s")
            interval = cls.worker_interval
        worker = value("outbox_worker", "OUTBOX_WORKER").lower() not in ("0", "false", "no", "off")
        return cls(
            webhook_secret=value("webhook_secret", "BOT_WEBHOOK_SECRET") or None,
            notices_path=path if path.is_absolute() else REPO_ROOT / path,
            outbox_worker=worker,
            worker_interval=max(0.2, interval),
        )


def _said(events: Iterable[Any], text: str) -> bool:
    """Tells whether the bot already said something containing ``text``."""
    return any(isinstance(event, BotUttered) and text in (event.text or "") for event in events)


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Checks ``sha256=<hex HMAC-SHA256(secret, body)>`` in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), (header or "").encode())


class NoticeOutput(WebchatOutput):
    """Keeps the messages of a conversation whose channel cannot push, for its client to fetch."""

    @classmethod
    def name(cls) -> str:
        """The output channel's name."""
        return "intake_notices"


class IntakeEventsInput(InputChannel):  # type: ignore[misc]  # Rasa is untyped
    """Receives the intake service's events and runs the outbox worker (see the module doc)."""

    def __init__(
        self,
        settings: IntakeEventsSettings,
        dedupe: DedupeStore | None = None,
        database: ConnectorDatabase | None = None,
    ) -> None:
        """Creates the channel (nothing is opened until the server starts).

        Args:
            settings: the channel's settings.
            dedupe: the store of event ids seen (from the connector database by default).
            database: the connector database behind ``dedupe``.
        """
        common = load_common_settings()
        self.settings = settings
        self.database = database or ConnectorDatabase(common.database_url)
        self.dedupe = dedupe or DedupeStore(self.database, common.dedupe_ttl_seconds)
        self.notices = MessageStore(settings.notices_path)
        self._worker_task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._client: IntakeClient | None = None
        self._outbox: Outbox | None = None

    @classmethod
    def name(cls) -> str:
        """URL prefix: ``/webhooks/intake/``."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> IntakeEventsInput:
        """Builds the channel from its credentials.yml block (every key optional)."""
        settings = IntakeEventsSettings.read(credentials)
        if settings.webhook_secret is None:
            logger.warning(
                "Channel 'intake' webhook is disabled: BOT_WEBHOOK_SECRET (missing). "
                "Status changes cannot reach citizens; the outbox worker still runs."
            )
        return cls(settings)

    # -------------------------------------------------- personal data (issue 17)
    async def purge_before(self, periods: RetentionPeriods, now: float) -> int:
        """Retention (``connectors.retention``): messages kept for conversations idle too long."""
        if not periods.conversation_days:
            return 0
        cutoff = datetime.fromtimestamp(now - periods.conversation_days * 86_400, timezone.utc)
        return await asyncio.to_thread(self.notices.purge_sync, cutoff)

    async def conversation_mark(self, sender_id: str) -> int:
        """The id of the latest message kept for the conversation (0 when none)."""
        return await self.notices.last_id(sender_id)

    async def erase_conversation(
        self, sender_id: str, up_to: int | None, events: Sequence[Mapping[str, Any]]
    ) -> None:
        """Forgets the messages kept for the conversation (up to ``up_to`` when given)."""
        await self.notices.forget(sender_id, up_to)

    def get_output_channel(self) -> OutputChannel:
        """The store of messages for channels that cannot push."""
        return NoticeOutput(self.notices)

    # ------------------------------------------------------------------ telling the citizen
    def output_for(
        self, app: Sanic, channel: str, event: Mapping[str, Any] | None = None
    ) -> OutputChannel:
        """The output channel of the citizen's channel for ``event``, else the notice store."""
        for candidate in getattr(app.ctx, "input_channels", None) or []:
            if candidate is self or candidate.name() != channel:
                continue
            output = event_output(candidate, event)
            if output is not None:
                return output
        return NoticeOutput(self.notices)

    async def tell(
        self,
        app: Sanic,
        channel: str,
        sender_id: str,
        values: Mapping[str, object],
        unless_said: str | None = None,
    ) -> Told:
        """Triggers ``EXTERNAL_intake_event`` in the citizen's conversation.

        Args:
            app: the Sanic app (its agent and input channels).
            channel: the citizen's channel.
            sender_id: the conversation id.
            values: the event (entities of the intent).
            unless_said: nothing is triggered when the bot already said this text in the
                conversation (a receipt code told when the dossier was submitted).

        Returns:
            Delivered (and how, after the reply window closed), or the Vietnamese reason why
            the channel refused the message.

        Raises:
            Exception: anything else (the agent not ready, the action server down): retry later.
        """
        agent = getattr(app.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            raise RuntimeError("the Rasa agent is not ready")
        output = self.output_for(app, channel, values)
        entities = [
            {"entity": key, "value": value}
            for key, value in values.items()
            if isinstance(value, str | int | float | bool) and value != ""
        ]
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.processor.fetch_tracker_and_update_session(sender_id, output)
            if unless_said and _said(tracker.events, unless_said):
                return Told(True)
            # A person owns the conversation: the event is still told, then the pause goes on.
            was_paused = tracker.is_paused()
            for event in resumed() if was_paused else []:
                tracker.update(event)
            try:
                await agent.trigger_intent(INTENT, entities, output, tracker)
            except Exception as error:
                reason = getattr(error, "reason_vi", None)
                if isinstance(reason, str):
                    logger.warning("intake event not delivered on %s: %s", channel, reason)
                    return Told(False, reason)
                raise
            finally:
                if was_paused:
                    tracker.update(ConversationPaused())
                    await agent.processor.save_tracker(tracker)
        return told(None, output)

    async def tell_handoff(self, app: Sanic, channel: str, event: Mapping[str, Any]) -> Told:
        """Applies a handoff event to the conversation (:mod:`connectors.handoff_events`).

        Returns:
            Done (and how a staff reply went out after the reply window closed), or the
            Vietnamese reason why the channel refused a message.

        Raises:
            Exception: anything else (the agent not ready …): retry later.
        """
        agent = getattr(app.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            raise RuntimeError("the Rasa agent is not ready")
        output = self.output_for(app, channel, event)
        return told(await apply_handoff_event(agent, output, event, INTENT), output)

    # ------------------------------------------------------------------ the outbox worker
    async def start_worker(self, app: Sanic) -> None:
        """Starts the outbox worker (when enabled)."""
        if not self.settings.outbox_worker or self._worker_task is not None:
            return
        intake = IntakeSettings.from_env()
        if not intake.api_key:
            logger.warning("INTAKE_API_KEY is not set: queued dossiers cannot be delivered")
        self._outbox = await asyncio.to_thread(Outbox, intake.outbox_url)
        self._client = IntakeClient.from_settings(intake)

        async def delivered(submission: DossierSubmission, receipt: Receipt) -> None:
            await self.tell(
                app,
                submission.channel,
                submission.sender_id,
                {
                    "event": DELIVERED_EVENT,
                    "dossier_id": submission.dossier_id,
                    "receipt_code": receipt.receipt_code,
                    "procedure_id": submission.procedure_id,
                    "status_label": DELIVERED_LABEL,  # for a Zalo status template
                },
                # the action may have sent it at once while the worker sent it too (same
                # Idempotency-Key, same receipt): the citizen is told once
                unless_said=receipt.receipt_code,
            )

        async def rejected(submission: DossierSubmission, errors: list[FieldError]) -> None:
            await self.tell(
                app,
                submission.channel,
                submission.sender_id,
                {
                    "event": "dossier_rejected",
                    "dossier_id": submission.dossier_id,
                    "procedure_id": submission.procedure_id,
                    "message": "; ".join(error.message for error in errors if error.message),
                },
            )

        worker = OutboxWorker(
            self._client,
            self._outbox,
            delivered,
            rejected,
            interval=self.settings.worker_interval,
        )
        self._stop = asyncio.Event()
        self._worker_task = asyncio.get_running_loop().create_task(worker.run_forever(self._stop))
        logger.info("outbox worker started (every %.1f s)", self.settings.worker_interval)

    async def stop_worker(self) -> None:
        """Stops the worker and closes its connections."""
        if self._stop is not None:
            self._stop.set()
        if self._worker_task is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._worker_task, timeout=STOP_SECONDS)
        self._worker_task = None
        self._stop = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._outbox is not None:
            self._outbox.close()
            self._outbox = None

    # ------------------------------------------------------------------ the webhook
    async def _release(self, event_id: str) -> None:
        """Forgets a claimed event id, so the intake's retry is processed."""

        def forget() -> None:
            with self.database.engine().begin() as conn:
                conn.execute(
                    delete(seen_events).where(
                        and_(
                            seen_events.c.channel == CHANNEL_NAME,
                            seen_events.c.event_key == event_id,
                        )
                    )
                )

        await asyncio.to_thread(forget)

    async def handle_event(self, request: Request) -> HTTPResponse:
        """``POST /events``: checks, de-duplicates and tells one event."""
        secret = self.settings.webhook_secret
        if secret is None:
            return response.json({"status": "disabled"}, status=503)
        body = request.body or b""
        if not signature_ok(secret, body, request.headers.get(SIGNATURE_HEADER)):
            return response.json({"error": "invalid signature"}, status=403)
        try:
            event = json.loads(body)
        except ValueError:
            return response.json({"error": "body is not JSON"}, status=400)
        if not isinstance(event, dict):
            return response.json({"error": "body is not an object"}, status=400)
        channel, sender_id = event.get("channel"), event.get("sender_id")
        if not isinstance(channel, str) or not isinstance(sender_id, str) or not sender_id:
            return response.json({"error": "channel and sender_id are required"}, status=400)
        stale = freshness_problem(event, time.time(), max_age_seconds())  # issue 17: replays
        if stale is not None:
            return response.json({"error": f"refused: {stale}"}, status=403)
        if event.get("event") == ERASE_EVENT:  # staff erased the conversation (issue 17)
            await erase_everywhere(request.app, sender_id)
            return response.json({"delivered": True})
        event_id = event_key(event, hashlib.sha256(body).hexdigest())
        if not await self.dedupe.first_delivery(CHANNEL_NAME, event_id):
            return response.json({"delivered": True, "duplicate": True})
        try:
            if event.get("event") in HANDOFF_EVENTS:
                outcome = await self.tell_handoff(request.app, channel, event)
            else:
                outcome = await self.tell(request.app, channel, sender_id, event)
        except asyncio.CancelledError:
            # The intake gave up waiting and Sanic cancelled the request: the event may not have
            # been told, so its id must not block the intake's retry as a duplicate.
            await asyncio.shield(self._release(event_id))
            raise
        except Exception:
            logger.exception("intake event %s could not be told", event.get("event"))
            await self._release(event_id)
            return response.json({"error": "not processed, retry later"}, status=500)
        return response.json(outcome.answer())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The routes, and the listeners that start and stop the worker with the server."""
        module = inspect.getmodule(self)
        blueprint = Blueprint("intake_events_webhook", module.__name__ if module else None)

        async def health(request: Request) -> HTTPResponse:
            if self.settings.webhook_secret is None:
                return response.json({"status": "disabled"}, status=503)
            return response.json({"status": "ok"})

        async def events(request: Request) -> HTTPResponse:
            return await self.handle_event(request)

        async def notifications(request: Request) -> HTTPResponse:
            if not rest_client_ok(request.headers.get("Authorization")):
                return response.json({"error": "missing or wrong key"}, status=401)
            sender_id = request.args.get("sender", "")
            after = request.args.get("after", "0")
            if not sender_id or len(sender_id) > MAX_SENDER_LENGTH or not after.isdigit():
                return response.json({"error": "Yêu cầu không hợp lệ."}, status=400)
            stored = await self.notices.after(rest_sender_id(sender_id), int(after))
            last_id = stored[-1].id if stored else int(after)
            return response.json(
                {"messages": [item.as_json() for item in stored], "last_id": last_id}
            )

        async def started(app: Sanic, loop: object) -> None:
            await self.start_worker(app)

        async def stopping(app: Sanic, loop: object) -> None:
            await self.stop_worker()

        blueprint.add_route(health, "/", methods=["GET"])
        blueprint.add_route(events, "/events", methods=["POST"])
        blueprint.add_route(notifications, "/notifications", methods=["GET"])
        blueprint.listener("after_server_start")(started)
        blueprint.listener("before_server_stop")(stopping)
        return blueprint
