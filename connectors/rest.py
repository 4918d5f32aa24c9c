"""Rasa's REST channel behind the pause gate (``connectors.rest.RestInput``, name ``rest``).

Same URL and behaviour as Rasa's own ``rest:`` channel (``POST /webhooks/rest/webhook``
``{"sender", "message", "metadata"?}`` → the bot's replies), except that every message passes
through :class:`connectors.common.pause.PauseGate` first: while a person of the office owns the
conversation, the message is relayed to the staff console and the answer is an empty list.
Messages sent later (staff replies, notifications) are fetched from
``GET /webhooks/intake/notifications`` (the REST channel cannot push).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint

from connectors.common.pause import PauseGate

__all__ = ["RestInput"]


class RestInput(RasaRestInput):  # type: ignore[misc]  # Rasa is untyped
    """Rasa's REST channel with the pause gate."""

    def __init__(self) -> None:
        """Creates the channel and its gate."""
        super().__init__()
        self.gate = PauseGate(self.name())

    @classmethod
    def name(cls) -> str:
        """The channel name, as Rasa's: URL ``/webhooks/rest/``, input channel ``rest``."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's routes, with ``on_new_message`` behind the gate."""
        blueprint: Blueprint = super().blueprint(self.gate.handler(on_new_message))
        blueprint.middleware("request")(self.gate.bind)
        return blueprint
