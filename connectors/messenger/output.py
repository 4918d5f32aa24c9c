"""Rasa responses rendered as Messenger messages.

* text: split above 2000 characters at paragraph/sentence boundaries;
* up to 3 buttons: a button template (text ≤ 640 characters; payload buttons are postbacks, URLs
  open the page, ``tel:`` calls); 4 to 13 buttons, and Rasa quick replies: quick replies (titles
  ≤ 20 characters);
* images: an image attachment by URL; ``elements``: the generic template;
* custom payloads: ``{"messenger": <message object>}`` is sent as it is.

An output channel made for a person's reply outside the 24-hour window can carry
``tag="HUMAN_AGENT"`` (allowed within 7 days, after Meta's App Review of the Human Agent feature).

With ``retry_tag``, a response Meta refuses because the 24-hour window closed (subcode 2018278)
is sent once more as ``messaging_type: MESSAGE_TAG`` with that tag, as a tagged message may be:
its text and at most one link button (:func:`tagged_response`); the later responses of the same
output channel go out tagged at once. ``MessengerInput`` makes such output channels for dossier
status notifications (``ACCOUNT_UPDATE``) and, when enabled, staff replies (``HUMAN_AGENT``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from connectors.common.conversation import platform_id
from connectors.common.errors import MessageRejected, WindowClosed
from connectors.common.output import PlatformOutput
from connectors.messenger.client import GraphClient
from connectors.messenger.errors import MessengerTagRefused

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2000
TEMPLATE_TEXT_LIMIT = 640
MAX_TEMPLATE_BUTTONS = 3
MAX_QUICK_REPLIES = 13
TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000
MAX_ELEMENTS = 10
WRITE_BACK_TEXT = "Ông/bà nhắn tin tại đây để được hỗ trợ tiếp."
"""Added to a tagged message whose choices were left out (its buttons could not be sent)."""


def sent_with_tag(tag: str) -> str:
    """The delivery note of responses sent again with a message tag."""
    return (
        f"Đã gửi bằng thẻ {tag} vì đã quá 24 giờ kể từ tin nhắn cuối của người dân trên "
        "Messenger."
    )


class MessengerOutput(PlatformOutput):
    """Sends bot responses to a Messenger user.

    Buttons go out as button templates of at most 3 buttons each, never as quick replies:
    Messenger shows quick replies only under the newest message, so buttons followed by another
    message of the same turn could not be clicked.
    """

    text_limit = TEXT_LIMIT
    caption_limit = TEMPLATE_TEXT_LIMIT
    buttons_per_message = MAX_TEMPLATE_BUTTONS

    @classmethod
    def name(cls) -> str:
        """The channel name (also the prefix of its conversation ids)."""
        return "messenger"

    def __init__(
        self,
        client: GraphClient,
        *,
        messaging_type: str = "RESPONSE",
        tag: str | None = None,
        retry_tag: str | None = None,
        window_refusal: type[WindowClosed] | None = None,
    ) -> None:
        """Creates the output channel.

        Args:
            client: the Graph API client.
            messaging_type: ``RESPONSE`` (answer within 24 h) or ``UPDATE``.
            tag: a message tag (``HUMAN_AGENT``) for a person's late reply.
            retry_tag: the tag a response refused for the closed 24-hour window is sent again
                with (see the module doc); ``None``: the refusal goes to the sender.
            window_refusal: the error raised for the closed window when not sent again.
        """
        self._client = client
        self._messaging_type = messaging_type
        self._tag = tag
        self._retry_tag = retry_tag
        self.window_refusal = window_refusal

    async def send_outside_window(
        self, recipient_id: str, message: Mapping[str, Any], refusal: WindowClosed
    ) -> None:
        """Sends the response again with :attr:`retry_tag`, as :func:`tagged_response`.

        Raises:
            WindowClosed: without a retry tag (:attr:`window_refusal` when set), or
                :class:`MessengerTagRefused` when Meta refuses the tagged message too.
        """
        if self._retry_tag is None:
            raise self.refused(refusal)
        tagged = tagged_response(message)
        if not tagged:
            logger.warning("messenger: a response without text was not sent with a tag")
            return
        output = MessengerOutput(self._client, tag=self._retry_tag)
        try:
            await output.send_response(recipient_id, tagged)
        except (WindowClosed, MessageRejected) as tag_refusal:
            raise MessengerTagRefused(self._retry_tag, tag_refusal) from tag_refusal
        self.delivery_note = sent_with_tag(self._retry_tag)

    async def send_quick_replies(
        self,
        recipient_id: str,
        text: str,
        quick_replies: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Sends text with quick replies (at most 13; links are added to the text)."""
        links = [b for b in quick_replies if _is_link(b)]
        replies = [to_quick_reply(b) for b in quick_replies if b not in links]
        if len(replies) > MAX_QUICK_REPLIES:
            logger.warning("messenger: %d quick replies, only 13 are shown", len(replies))
            replies = replies[:MAX_QUICK_REPLIES]
        link_lines = (f"{b.get('title', '')}: {b.get('url') or b.get('payload')}" for b in links)
        lines = [text, *link_lines]
        caption = "\n".join(line for line in lines if line)
        await self.send_grouped(
            recipient_id, caption, replies, self._send_quick_replies, limit=TEXT_LIMIT
        )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends an image attachment by URL."""
        await self._send(
            recipient_id, {"attachment": {"type": "image", "payload": {"url": image}}}
        )

    async def send_elements(
        self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends a generic template (at most 10 elements, 3 buttons each)."""
        cards = []
        for element in list(elements)[:MAX_ELEMENTS]:
            card = {k: v for k, v in element.items() if k != "buttons"}
            buttons = element.get("buttons") or []
            if buttons:
                card["buttons"] = [to_template_button(b) for b in buttons[:3]]
            cards.append(card)
        await self._send(
            recipient_id,
            {
                "attachment": {
                    "type": "template",
                    "payload": {"template_type": "generic", "elements": cards},
                }
            },
        )

    async def send_plain_text(self, recipient_id: str, text: str) -> None:
        """Sends one text message."""
        await self._send(recipient_id, {"text": text})

    async def send_button_message(
        self, recipient_id: str, caption: str, buttons: list[Any]
    ) -> None:
        """Sends a button template (text ≤ 640 characters, ≤ 3 buttons)."""
        template = {"template_type": "button", "text": caption, "buttons": buttons}
        await self._send(recipient_id, {"attachment": {"type": "template", "payload": template}})

    async def platform_button(self, button: Mapping[str, Any]) -> dict[str, Any]:
        """See :func:`to_template_button`."""
        return to_template_button(button)

    async def send_raw(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Sends a raw Messenger ``message`` object."""
        await self._send(recipient_id, message)

    async def _send_quick_replies(
        self, recipient_id: str, caption: str, replies: list[dict[str, Any]]
    ) -> None:
        message: dict[str, Any] = {"text": caption}
        if replies:
            message["quick_replies"] = replies
        await self._send(recipient_id, message)

    async def _send(self, recipient_id: str, message: Mapping[str, Any]) -> None:
        psid = platform_id(self.name(), recipient_id)
        await self._client.send(psid, message, messaging_type=self._messaging_type, tag=self._tag)


def tagged_response(message: Mapping[str, Any]) -> dict[str, Any]:
    """A Rasa response as a tagged message may carry it: text and at most one link button.

    Payload buttons, quick replies, images, cards and custom payloads are left out; when
    buttons or quick replies were, :data:`WRITE_BACK_TEXT` is added to the text.

    Args:
        message: the Rasa response.

    Returns:
        ``{"text", "buttons"?}``; empty when the response has no text.
    """
    text = str(message.get("text") or "").strip()
    if not text:
        return {}
    choices = [*(message.get("buttons") or []), *(message.get("quick_replies") or [])]
    links = [button for button in choices if _is_link(button)][:1]
    if len(choices) > len(links):
        text = f"{text}\n{WRITE_BACK_TEXT}"
    return {"text": text, "buttons": links} if links else {"text": text}


def _is_link(button: Mapping[str, Any]) -> bool:
    return bool(button.get("url")) or button.get("type") == "web_url"


def to_template_button(button: Mapping[str, Any]) -> dict[str, Any]:
    """Maps a Rasa button to a button-template button (postback, web_url, phone_number)."""
    title = _shorten(str(button.get("title") or button.get("payload") or ""), TITLE_LIMIT)
    url = button.get("url")
    payload = str(button.get("payload") or "")
    if _is_link(button):
        return {"type": "web_url", "title": title, "url": str(url or payload)}
    if payload.startswith("tel:"):
        number = payload.removeprefix("tel:").replace(" ", "")
        return {"type": "phone_number", "title": title, "payload": number}
    return {"type": "postback", "title": title, "payload": (payload or title)[:PAYLOAD_LIMIT]}


def to_quick_reply(button: Mapping[str, Any]) -> dict[str, Any]:
    """Maps a Rasa button or quick reply to a text quick reply."""
    title = _shorten(str(button.get("title") or button.get("payload") or ""), TITLE_LIMIT)
    payload = str(button.get("payload") or button.get("title") or "")
    return {"content_type": "text", "title": title, "payload": payload[:PAYLOAD_LIMIT]}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
