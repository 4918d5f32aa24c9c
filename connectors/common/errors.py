"""Typed errors of a failed delivery, shared by every channel.

Output channels raise these when a platform refuses a message, so that whoever sent it (the bot,
a staff reply from the handoff console, a status notification) can report why::

    ChannelError
     ├── ChannelNotConfigured   the channel has no credentials
     ├── ChannelAuthError       token rejected and cannot be renewed: an admin must act
     ├── ChannelUnavailable     network error, timeout or 5xx from the platform
     ├── RateLimited            too many calls; ``retry_after`` seconds when known
     ├── RecipientUnreachable   not following, blocked the account, unknown user
     ├── WindowClosed           outside the platform's reply window
     └── MessageRejected        the platform refused the message itself (format, size)

Each class carries ``reason_vi``: a short Vietnamese explanation for the staff console.
"""

from __future__ import annotations


class ChannelError(Exception):
    """A message could not be delivered on a channel."""

    reason_vi = "Không gửi được tin nhắn qua kênh này."

    def __init__(self, channel: str, message: str, *, code: int | str | None = None) -> None:
        """Creates the error.

        Args:
            channel: channel name (``zalo``, ``messenger``, ``telegram``).
            message: what the platform said (no personal data).
            code: the platform's error code, when it gave one.
        """
        self.channel = channel
        self.code = code
        self.platform_message = message
        suffix = f" ({code})" if code is not None else ""
        super().__init__(f"{channel}: {message}{suffix}")


class ChannelNotConfigured(ChannelError):
    """The channel runs without credentials."""

    reason_vi = "Kênh này chưa được cấu hình trên máy chủ."


class ChannelAuthError(ChannelError):
    """The platform rejected our token and it cannot be renewed automatically."""

    reason_vi = "Khóa truy cập của kênh không còn hiệu lực; quản trị viên cần cấp lại."


class ChannelUnavailable(ChannelError):
    """The platform could not be reached or failed (network error, timeout, 5xx)."""

    reason_vi = "Máy chủ của nền tảng đang không phản hồi; vui lòng thử lại sau."


class RateLimited(ChannelError):
    """Too many calls to the platform."""

    reason_vi = "Nền tảng đang giới hạn số tin gửi đi; vui lòng thử lại sau ít phút."

    def __init__(
        self,
        channel: str,
        message: str,
        *,
        code: int | str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Creates the error.

        Args:
            channel: channel name.
            message: what the platform said.
            code: the platform's error code.
            retry_after: seconds to wait, when the platform said so.
        """
        super().__init__(channel, message, code=code)
        self.retry_after = retry_after


class RecipientUnreachable(ChannelError):
    """The citizen cannot receive messages from us (unfollowed, blocked, unknown id)."""

    reason_vi = "Người dân đã chặn hoặc bỏ theo dõi tài khoản, không nhận được tin nhắn."


class WindowClosed(ChannelError):
    """The platform's reply window has closed for this citizen."""

    reason_vi = "Đã quá thời hạn được phép trả lời trên kênh này; người dân cần nhắn tin trước."


class MessageRejected(ChannelError):
    """The platform refused the message itself (format, size, unsupported type)."""

    reason_vi = "Nền tảng từ chối nội dung tin nhắn (sai định dạng hoặc quá dài)."
