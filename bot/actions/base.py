"""The base class of the project's actions (rasa-sdk ships no type information)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

__all__ = ["BotAction"]


class BotAction(Action, ABC):  # type: ignore[misc]  # rasa_sdk.Action is untyped
    """A typed rasa-sdk action; abstract classes are not registered by the action server."""

    @abstractmethod
    def name(self) -> str:
        """Action name in the domain."""

    @abstractmethod
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Runs the action and returns the events to apply."""
