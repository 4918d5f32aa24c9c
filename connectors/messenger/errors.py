"""Graph API errors of the Send API and the typed errors they become.

Errors come back with an HTTP 4xx and ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}`` (developers.facebook.com, Send API reference / error codes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.common.errors import (
    ChannelAuthError,
    ChannelError,
    MessageRejected,
    RateLimited,
    RecipientUnreachable,
    WindowClosed,
)
from connectors.common.json_fields import as_int

CHANNEL = "messenger"

_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80006})
_UNREACHABLE = frozenset({(551, None), (230, None), (100, 2018001), (200, 1545041)})
_OUTSIDE_WINDOW_SUBCODE = 2018278


class MessengerWindowClosed(WindowClosed):
    """Outside the 24-hour window (only a human agent may answer, with the HUMAN_AGENT tag)."""

    reason_vi = (
        "Đã quá 24 giờ kể từ tin nhắn cuối của người dân trên Messenger; chỉ cán bộ được trả lời "
        "trong 7 ngày (thẻ HUMAN_AGENT), hoặc chờ người dân nhắn lại."
    )


class MessengerStatusUntagged(MessengerWindowClosed):
    """A status notification outside the 24-hour window, not sent again: no status tag is set."""

    reason_vi = (
        "Đã quá 24 giờ kể từ tin nhắn cuối của người dân trên Messenger và chưa bật gửi bằng thẻ "
        "ACCOUNT_UPDATE (MESSENGER_STATUS_TAG) — hãy gọi điện cho người dân."
    )


class MessengerTagRefused(WindowClosed):
    """Outside the 24-hour window, and Meta refused the message sent again with a tag too."""

    def __init__(self, tag: str, refusal: ChannelError) -> None:
        """Creates the error.

        Args:
            tag: the message tag tried (``ACCOUNT_UPDATE``, ``HUMAN_AGENT``).
            refusal: Meta's refusal of the tagged message.
        """
        super().__init__(refusal.channel, refusal.platform_message, code=refusal.code)
        self.tag = tag
        self.reason_vi = (
            "Đã quá 24 giờ kể từ tin nhắn cuối của người dân trên Messenger và Messenger từ chối "
            f"cả tin gửi bằng thẻ {tag} (mã lỗi {refusal.code}) — hãy gọi điện cho người dân."
        )


def error_for(error: Mapping[str, Any], http_status: int) -> ChannelError:
    """Builds the typed exception for a Graph API error object.

    Args:
        error: the ``error`` object of the answer.
        http_status: the HTTP status.

    Returns:
        The exception to raise.
    """
    code = as_int(error.get("code"))
    subcode = as_int(error.get("error_subcode"))
    message = str(error.get("message") or f"HTTP {http_status}")
    if code == 190:
        return ChannelAuthError(CHANNEL, message, code=code)
    if code in _RATE_LIMIT_CODES:
        return RateLimited(CHANNEL, message, code=code)
    if subcode == _OUTSIDE_WINDOW_SUBCODE:
        return MessengerWindowClosed(CHANNEL, message, code=code)
    if (code, subcode) in _UNREACHABLE or (code, None) in _UNREACHABLE:
        return RecipientUnreachable(CHANNEL, message, code=code)
    return MessageRejected(CHANNEL, message, code=code)
