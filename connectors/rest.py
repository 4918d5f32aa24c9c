"""The REST channel for tests and other services (``connectors.rest.RestInput``, name ``rest``).

``POST /webhooks/rest/webhook`` with ``Authorization: Bearer <REST_CHANNEL_KEY>`` and
``{"sender", "message"}`` → the bot's replies (a list, as Rasa's own REST channel). What differs
from Rasa's ``rest:`` channel, and why (issue 17):

* **Its own namespace.** The conversation id is ``rest:<sender>``: a client can never speak in a
  Zalo, Messenger, Telegram or web chat conversation (``{"sender": "telegram:123"}`` lands in
  ``rest:telegram:123``, an empty conversation of its own).
* **Nothing else comes from the client.** ``input_channel`` is always ``rest`` and the client's
  ``metadata`` is ignored (attachments, channel, user id …: a client cannot make the action
  server fetch a URL or pose as another channel).
* **A key.** Without ``REST_CHANNEL_KEY`` (credentials key ``key``) the webhook answers 503;
  a missing or wrong key answers 401. The key must be at least 32 bytes and not a placeholder
  (``connectors.common.secrets``). Production does not route ``/webhooks/rest/`` from outside
  (deploy/nginx, deploy/kubernetes).
* **No raw text in the logs** (Rasa's channel logs the message text when handling fails).

Every message passes through :class:`connectors.common.pause.PauseGate`: while a person of the
office owns the conversation, the message is relayed to the staff console and the answer is an
empty list. Messages sent later (staff replies, notifications) are fetched from ``GET
/webhooks/intake/notifications`` with the same key (the REST channel cannot push).

``GET /webhooks/rest/`` answers ``{"status": "ok"}`` whatever the key: it is the Rasa server's
health check in every deployment and tells nothing about a conversation.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.common import scam_guard
from connectors.common.erasure import ConversationEraser
from connectors.common.masking import mask_id
from connectors.common.pause import PauseGate
from connectors.common.secrets import bearer_ok, secret_problem

__all__ = ["KEY_ENV", "NAMESPACE", "RestInput", "rest_client_ok", "rest_sender_id"]

logger = logging.getLogger(__name__)

CHANNEL_NAME = "rest"
KEY_ENV = "REST_CHANNEL_KEY"
NAMESPACE = f"{CHANNEL_NAME}:"
MAX_SENDER_LENGTH = 128
MAX_MESSAGE_LENGTH = 4000


def rest_sender_id(sender: str) -> str:
    """The conversation id of a REST client's ``sender``: always inside ``rest:``.

    Args:
        sender: what the client sent (``"u1"``, ``"rest:u1"`` or ``"telegram:123"``).

    Returns:
        ``rest:u1`` for the first two, ``rest:telegram:123`` for the third.
    """
    return NAMESPACE + sender.removeprefix(NAMESPACE)


def configured_key(credentials: Mapping[str, Any] | None, environ: Mapping[str, str]) -> str:
    """The REST channel's key: credentials ``key``, else ``$REST_CHANNEL_KEY`` (may be empty)."""
    given = (credentials or {}).get("key")
    return str(given).strip() if given else environ.get(KEY_ENV, "").strip()


def rest_client_ok(authorization: str | None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether an ``Authorization`` header carries a usable REST channel key.

    Used by ``GET /webhooks/intake/notifications`` (the REST channel's messages sent later):
    only the REST channel's clients read them, with the same key as their messages.
    """
    key = configured_key(None, os.environ if environ is None else environ)
    return secret_problem(KEY_ENV, key) is None and bearer_ok(authorization, key)


class RestInput(InputChannel):  # type: ignore[misc]  # Rasa is untyped
    """The REST channel: keyed, namespaced, behind the pause gate.

    Args:
        key: the bearer key clients must send; ``None`` disables the webhook (503).
    """

    def __init__(self, key: str | None = None) -> None:
        self.key = key
        self.gate = PauseGate(CHANNEL_NAME)
        self.eraser = ConversationEraser()

    @classmethod
    def name(cls) -> str:
        """The channel name, as Rasa's: URL ``/webhooks/rest/``, input channel ``rest``."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        """Builds the channel; a missing, short or placeholder key leaves it disabled (logged)."""
        key = configured_key(credentials, os.environ)
        problem = secret_problem(KEY_ENV, key)
        if problem is not None:
            logger.warning(
                "Channel 'rest' is disabled: %s. Its webhook answers 503 (connectors/README.md).",
                problem,
            )
            return cls(None)
        return cls(key)

    def authorised(self, request: Request) -> bool:
        """Whether the request carries the channel's key (constant-time comparison)."""
        return self.key is not None and bearer_ok(request.headers.get("Authorization"), self.key)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` (health) and ``POST /webhook``, the latter behind the key and the gate."""
        module = inspect.getmodule(self)
        blueprint = Blueprint("custom_webhook_RestInput", module.__name__ if module else None)
        blueprint.middleware("request")(self.gate.bind)
        blueprint.middleware("request")(self.eraser.bind)
        gated = self.eraser.handler(scam_guard.handler(self.gate.handler(on_new_message)))

        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def receive(request: Request) -> HTTPResponse:
            if self.key is None:
                return response.json({"status": "disabled"}, status=503)
            if not self.authorised(request):
                return response.json({"error": "missing or wrong key"}, status=401)
            parsed = _parse(request.json if request.body else None)
            if isinstance(parsed, str):
                return response.json({"error": parsed}, status=400)
            sender_id, text = parsed
            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                sender_id,
                input_channel=CHANNEL_NAME,
                metadata={"channel": CHANNEL_NAME},
            )
            try:
                await gated(message)
            except Exception:  # the client gets what was said so far; the log has no text
                logger.exception("rest: handling a message of %s failed", mask_id(sender_id))
            return response.json(collector.messages)

        blueprint.add_route(health, "/", methods=["GET"])
        blueprint.add_route(receive, "/webhook", methods=["POST"])
        return blueprint


def _parse(body: object) -> tuple[str, str] | str:
    """``(conversation id, text)`` of a ``POST /webhook`` body, or why it is refused."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    sender, text = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
        return f"sender must be a text of 1-{MAX_SENDER_LENGTH} characters"
    if not sender.isprintable():
        return "sender must be printable"
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE_LENGTH:
        return f"message must be a text of 1-{MAX_MESSAGE_LENGTH} characters"
    return rest_sender_id(sender.strip()), text
