"""Messages with buttons, independent of Rasa: what the ``render_*`` modules return.

A :class:`Reply` is one chat bubble. Channels such as Zalo show at most five buttons per message,
so longer button lists are split over several replies (:func:`with_buttons`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rasa_sdk.executor import CollectingDispatcher

__all__ = ["MAX_BUTTONS", "Button", "Reply", "payload", "send", "with_buttons"]

MAX_BUTTONS = 5
MORE_TEXT = "Hoặc ông/bà có thể chọn:"


@dataclass(frozen=True)
class Button:
    """A button: the label shown and the message sent when it is pressed."""

    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        """The Rasa form of the button."""
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    """One bot message: text and at most :data:`MAX_BUTTONS` buttons."""

    text: str
    buttons: tuple[Button, ...] = ()


def payload(intent: str, **entities: str) -> str:
    """Builds a button payload: ``/ask_documents{"procedure":"huong_bhxh_mot_lan"}``."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def with_buttons(text: str, buttons: Sequence[Button], more_text: str = MORE_TEXT) -> list[Reply]:
    """Puts ``text`` with the first five buttons, and the rest in follow-up messages of five."""
    chunks = [tuple(buttons[i : i + MAX_BUTTONS]) for i in range(0, len(buttons), MAX_BUTTONS)]
    if not chunks:
        return [Reply(text)]
    return [Reply(text, chunks[0]), *(Reply(more_text, chunk) for chunk in chunks[1:])]


def send(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    """Sends the replies in order."""
    for reply in replies:
        if reply.buttons:
            dispatcher.utter_message(
                text=reply.text, buttons=[button.as_dict() for button in reply.buttons]
            )
        else:
            dispatcher.utter_message(text=reply.text)
