"""What the Zalo, Messenger and Telegram output channels share.

Rasa's responses arrive through the methods of ``OutputChannel``. Text is split at the
platform's limit (:mod:`connectors.common.splitting`); text with buttons goes out as plain
messages for what does not fit the caption, then the buttons in groups (the first under the
caption, further ones under "Các lựa chọn khác:"); ``custom`` payloads are sent raw when they
carry the channel's key (``{"zalo": …}``); attachments go out as their link.

A platform's output channel gives only what differs: its limits, how one plain text, one group
of buttons and one raw message are sent, and how a Rasa button looks on the platform.

**After the reply window closed.** When the platform refuses a response because the citizen has
not written for too long (:class:`~connectors.common.errors.WindowClosed`), the response, and
every later one of the same output channel, goes to :meth:`PlatformOutput.send_outside_window`.
By default the refusal goes on to the sender (as :attr:`PlatformOutput.window_refusal` when one
is set); the output channels made for a dossier status notification or a staff reply send it
another way (Messenger: a message tag; Zalo: a ZBS template) and say how in
:attr:`PlatformOutput.delivery_note`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

from rasa.core.channels.channel import OutputChannel

from connectors.common.errors import WindowClosed
from connectors.common.splitting import split_message

logger = logging.getLogger(__name__)

MORE_CHOICES_TEXT = "Các lựa chọn khác:"
"""Caption of the second and further groups of buttons."""

ItemT = TypeVar("ItemT")
SendGroup = Callable[[str, str, list[ItemT]], Awaitable[None]]


class PlatformOutput(OutputChannel):
    """Base of the platform output channels (see the module doc).

    Attributes:
        text_limit: the longest text message.
        caption_limit: the longest text above buttons.
        buttons_per_message: how many buttons one message holds; ``None`` = all.
        empty_caption: the caption of buttons sent without text.
        window_refusal: the error raised instead of the platform's own when a response cannot
            be sent because the reply window closed (a reason that fits the sender); ``None``:
            the platform's.
        window_closed: the platform's refusal for the closed window, once one came.
        delivery_note: how the responses went out after the window closed, in Vietnamese for
            the staff (e.g. "Đã gửi bằng thẻ ACCOUNT_UPDATE …"); ``None`` when sent normally.
    """

    text_limit: ClassVar[int]
    caption_limit: ClassVar[int]
    buttons_per_message: ClassVar[int | None] = None
    empty_caption: ClassVar[str] = "…"
    window_refusal: type[WindowClosed] | None = None
    window_closed: WindowClosed | None = None
    delivery_note: str | None = None

    @staticmethod
    def measure(text: str) -> int:
        """How the platform counts a text's length (code points unless said otherwise)."""
        return len(text)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Sends one Rasa response; after the window closed, :meth:`send_outside_window`."""
        if self.window_closed is None:
            try:
                await super().send_response(recipient_id, dict(message))
                return
            except WindowClosed as refusal:
                self.window_closed = refusal
        await self.send_outside_window(recipient_id, message, self.window_closed)

    async def send_outside_window(
        self, recipient_id: str, message: Mapping[str, Any], refusal: WindowClosed
    ) -> None:
        """Sends a response the platform refused because the citizen's reply window closed.

        Args:
            recipient_id: the conversation id.
            message: the Rasa response (``text``, ``buttons``, ``quick_replies`` …).
            refusal: the platform's refusal.

        Raises:
            WindowClosed: here always: :meth:`refused` (platforms override this method).
        """
        raise self.refused(refusal)

    def refused(self, refusal: WindowClosed) -> WindowClosed:
        """The error the sender gets for a response not sent after the window closed."""
        if self.window_refusal is None:
            return refusal
        return self.window_refusal(refusal.channel, refusal.platform_message, code=refusal.code)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends text, split at the platform's limit."""
        for piece in split_message(text, self.text_limit, self.measure):
            await self.send_plain_text(recipient_id, piece)

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Sends text with the platform's buttons; without a usable button, plain text."""
        rendered = [await self.platform_button(button) for button in buttons]
        usable = [button for button in rendered if button is not None]
        if not usable:
            await self.send_text_message(recipient_id, text)
            return
        await self.send_grouped(
            recipient_id,
            text,
            usable,
            self.send_button_message,
            limit=self.caption_limit,
            per_message=self.buttons_per_message,
        )

    async def send_grouped(
        self,
        recipient_id: str,
        text: str,
        items: list[ItemT],
        send_group: SendGroup[ItemT],
        *,
        limit: int,
        per_message: int | None = None,
    ) -> None:
        """Sends ``text`` as the caption of ``items`` (the platform's buttons or quick replies).

        The text that does not fit ``limit`` goes first as plain messages; ``send_group`` then
        sends the items ``per_message`` at a time (``None``: all at once), the first group under
        the rest of the text, further ones under :data:`MORE_CHOICES_TEXT`. Without items the
        caption is sent alone.
        """
        pieces = split_message(text, limit, self.measure) or [self.empty_caption]
        for piece in pieces[:-1]:
            await self.send_plain_text(recipient_id, piece)
        size = per_message or max(len(items), 1)
        groups = [items[start : start + size] for start in range(0, len(items), size)] or [[]]
        caption = pieces[-1]
        for group in groups:
            await send_group(recipient_id, caption, group)
            caption = MORE_CHOICES_TEXT

    async def send_quick_replies(
        self,
        recipient_id: str,
        text: str,
        quick_replies: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Sends quick replies as buttons."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Sends an attachment link as text."""
        await self.send_text_message(recipient_id, str(attachment))

    async def send_elements(
        self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends each element as its title and subtitle with its buttons."""
        for element in elements:
            parts = (element.get("title"), element.get("subtitle"))
            text = "\n".join(part for part in parts if part)
            await self.send_text_with_buttons(recipient_id, text, element.get("buttons") or [])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Sends ``json_message[<channel name>]`` as the platform's raw message; ignores others."""
        message = json_message.get(self.name()) if isinstance(json_message, dict) else None
        if isinstance(message, dict):
            await self.send_raw(recipient_id, message)
        else:
            logger.warning(
                "%s: custom payload without a '%s' key was not sent", self.name(), self.name()
            )

    async def send_plain_text(self, recipient_id: str, text: str) -> None:
        """Sends one text message that fits the platform's limit."""
        raise NotImplementedError

    async def send_button_message(
        self, recipient_id: str, caption: str, buttons: list[Any]
    ) -> None:
        """Sends one caption with one group of the platform's buttons."""
        raise NotImplementedError

    async def platform_button(self, button: Mapping[str, Any]) -> Any | None:
        """The platform's form of a Rasa button; ``None`` when it has nothing to send."""
        raise NotImplementedError

    async def send_raw(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Sends a custom payload's raw message."""
        raise NotImplementedError
