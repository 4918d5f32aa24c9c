"""Rasa responses rendered as Zalo OA customer-service messages.

* text: split above 2000 characters at paragraph/sentence boundaries;
* buttons and quick replies: template buttons, at most 5 per message (more are sent in further
  messages of 5). A Rasa payload such as ``/inform{"answer": "x"}`` becomes an ``oa.query.hide``
  button (Zalo sends the payload back as a user text, hidden from the chat); a plain-text payload
  becomes ``oa.query.show``; a URL opens the page; ``tel:`` calls the number;
* images: the ``media`` template with the image URL;
* custom payloads: ``{"zalo": <message object>}`` is sent as it is.

Errors raise the typed exceptions of :mod:`connectors.zalo.errors` so the sender can report them.

With a ``template`` (the output channel ``ZaloInput`` makes for a dossier status notification),
a response Zalo refuses because the citizen has not written for 7 days (-230/-232) is replaced by
that ZBS template message (:mod:`connectors.zalo.template`), sent once for the whole
notification; without one, the refusal goes to the sender as ``window_refusal``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from connectors.common.conversation import platform_id
from connectors.common.errors import MessageRejected, WindowClosed
from connectors.common.output import MORE_CHOICES_TEXT, PlatformOutput
from connectors.zalo.client import ZaloClient
from connectors.zalo.errors import ZaloApiError, ZaloTemplateRefused
from connectors.zalo.template import TemplateMessage

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2000
MAX_BUTTONS = 5
TITLE_LIMIT = 100
PAYLOAD_LIMIT = 1000
SENT_WITH_TEMPLATE = (
    "Đã gửi bằng mẫu tin ZBS vì người dân không nhắn với OA trong 7 ngày."
)
"""The delivery note of a notification sent as the ZBS template."""


class ZaloOutput(PlatformOutput):
    """Sends bot responses to a Zalo OA follower."""

    text_limit = TEXT_LIMIT
    caption_limit = TEXT_LIMIT
    buttons_per_message = MAX_BUTTONS
    empty_caption = MORE_CHOICES_TEXT

    @classmethod
    def name(cls) -> str:
        """The channel name (also the prefix of its conversation ids)."""
        return "zalo"

    def __init__(
        self,
        client: ZaloClient,
        reply_to: str | None = None,
        *,
        template: TemplateMessage | None = None,
        window_refusal: type[WindowClosed] | None = None,
    ) -> None:
        """Creates the output channel.

        Args:
            client: the OA API client.
            reply_to: the citizen's message id to answer, when replying (else proactive).
            template: the ZBS template message sent instead when the window closed.
            window_refusal: the error raised for the closed window when there is no template.
        """
        self._client = client
        self._reply_to = reply_to
        self._template = template
        self.window_refusal = window_refusal

    async def send_outside_window(
        self, recipient_id: str, message: Mapping[str, Any], refusal: WindowClosed
    ) -> None:
        """Sends the template message instead, once for all the responses.

        Raises:
            WindowClosed: without a template (:attr:`window_refusal` when set), or
                :class:`ZaloTemplateRefused` when Zalo refuses the template message.
        """
        if self._template is None:
            raise self.refused(refusal)
        if self.delivery_note is not None:
            return  # the template already told the notification
        user_id = platform_id(self.name(), recipient_id)
        template = self._template
        try:
            await self._client.send_template(user_id, template.template_id, template.data)
        except (ZaloApiError, MessageRejected, WindowClosed) as template_refusal:
            raise ZaloTemplateRefused(template_refusal) from template_refusal
        self.delivery_note = SENT_WITH_TEMPLATE

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

    async def send_plain_text(self, recipient_id: str, text: str) -> None:
        """Sends one text message."""
        await self._send(recipient_id, {"text": text})

    async def send_button_message(
        self, recipient_id: str, caption: str, buttons: list[Any]
    ) -> None:
        """Sends text with template buttons (Zalo has no quick replies: they come here too)."""
        message = {
            "text": caption,
            "attachment": {"type": "template", "payload": {"buttons": buttons}},
        }
        await self._send(recipient_id, message)

    async def platform_button(self, button: Mapping[str, Any]) -> dict[str, Any] | None:
        """See :func:`to_zalo_button`."""
        return to_zalo_button(button)

    async def send_raw(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Sends a raw Zalo ``message`` object."""
        await self._send(recipient_id, message)

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
