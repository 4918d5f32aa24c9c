"""Rasa responses rendered as Zalo OA customer-service messages.

* text: split above 2000 characters at paragraph/sentence boundaries;
* buttons and quick replies: template buttons, at most 5 per message (more are sent in further
  messages of 5). A Rasa payload such as ``/inform{"answer": "x"}`` becomes an ``oa.query.hide``
  button (Zalo sends the payload back as a user text, hidden from the chat); a plain-text payload
  becomes ``oa.query.show``; a URL opens the page; ``tel:`` calls the number;
* images: the ``media`` template with the image URL;
* custom payloads: ``{"zalo": <message object>}`` is sent as it is.

Errors raise the typed exceptions of :mod:`connectors.zalo.errors` so the sender can report them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from rasa.core.channels.channel import OutputChannel

from connectors.common.conversation import platform_id
from connectors.common.splitting import split_message
from connectors.zalo.client import ZaloClient

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2000
MAX_BUTTONS = 5
TITLE_LIMIT = 100
PAYLOAD_LIMIT = 1000
MORE_CHOICES_TEXT = "Các lựa chọn khác:"


class ZaloOutput(OutputChannel):
    """Sends bot responses to a Zalo OA follower."""

    @classmethod
    def name(cls) -> str:
        """The channel name (also the prefix of its conversation ids)."""
        return "zalo"

    def __init__(self, client: ZaloClient, reply_to: str | None = None) -> None:
        """Creates the output channel.

        Args:
            client: the OA API client.
            reply_to: the citizen's message id to answer, when replying (else proactive).
        """
        self._client = client
        self._reply_to = reply_to

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends text, split into messages of at most 2000 characters."""
        for piece in split_message(text, TEXT_LIMIT):
            await self._send(recipient_id, {"text": piece})

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Sends text with template buttons (5 per message)."""
        zalo_buttons = [b for b in (to_zalo_button(button) for button in buttons) if b]
        if not zalo_buttons:
            await self.send_text_message(recipient_id, text)
            return
        pieces = split_message(text, TEXT_LIMIT) or [MORE_CHOICES_TEXT]
        for piece in pieces[:-1]:
            await self._send(recipient_id, {"text": piece})
        caption = pieces[-1]
        for start in range(0, len(zalo_buttons), MAX_BUTTONS):
            group = zalo_buttons[start : start + MAX_BUTTONS]
            message = {
                "text": caption,
                "attachment": {"type": "template", "payload": {"buttons": group}},
            }
            await self._send(recipient_id, message)
            caption = MORE_CHOICES_TEXT

    async def send_quick_replies(
        self,
        recipient_id: str,
        text: str,
        quick_replies: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Zalo has no quick replies: sends them as template buttons."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends an image by URL with the ``media`` template."""
        element = {"media_type": "image", "url": image}
        message = {
            "attachment": {
                "type": "template",
                "payload": {"template_type": "media", "elements": [element]},
            }
        }
        await self._send(recipient_id, message)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Sends an attachment link as text."""
        await self.send_text_message(recipient_id, str(attachment))

    async def send_elements(
        self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends each element as its title and subtitle with its buttons."""
        for element in elements:
            text = "\n".join(
                part for part in (element.get("title"), element.get("subtitle")) if part
            )
            await self.send_text_with_buttons(recipient_id, text, element.get("buttons") or [])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Sends ``json_message["zalo"]`` as a raw Zalo ``message`` object; ignores others."""
        message = json_message.get("zalo") if isinstance(json_message, dict) else None
        if isinstance(message, dict):
            await self._send(recipient_id, message)
        else:
            logger.warning("zalo: custom payload without a 'zalo' key was not sent")

    async def _send(self, recipient_id: str, message: Mapping[str, Any]) -> None:
        user_id = platform_id(self.name(), recipient_id)
        await self._client.send_message(user_id, message, reply_to=self._reply_to)


def to_zalo_button(button: Mapping[str, Any]) -> dict[str, Any] | None:
    """Maps one Rasa button to a Zalo template button.

    Args:
        button: ``{"title", "payload"}`` or ``{"title", "url"}`` (``type: web_url``).

    Returns:
        The Zalo button, or ``None`` when the button has nothing to send.
    """
    title = _shorten(str(button.get("title") or ""), TITLE_LIMIT)
    url = button.get("url")
    payload = str(button.get("payload") or "")
    if url or button.get("type") == "web_url":
        return {"title": title, "type": "oa.open.url", "payload": {"url": str(url or payload)}}
    if payload.startswith("tel:"):
        return {
            "title": title,
            "type": "oa.open.phone",
            "payload": {"phone_code": payload.removeprefix("tel:").replace(" ", "")},
        }
    if not payload and not title:
        return None
    payload = payload or title
    if len(payload) > PAYLOAD_LIMIT:
        logger.warning("zalo: a button payload longer than %d characters was cut", PAYLOAD_LIMIT)
        payload = payload[:PAYLOAD_LIMIT]
    kind = "oa.query.hide" if payload.startswith("/") else "oa.query.show"
    return {"title": title or payload[:TITLE_LIMIT], "type": kind, "payload": payload}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
