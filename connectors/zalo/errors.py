"""Zalo OA error codes and the typed errors they become.

The OA API answers HTTP 200 with ``{"error": <code>, "message": …}``; ``error == 0`` is success.
Codes from developers.zalo.me "phụ lục / mã lỗi" as quoted by the zalo-sdk package and the
project's channels.md §1.7. Both the code and Zalo's message are kept in the exception.
"""

from __future__ import annotations

from connectors.common.errors import (
    ChannelAuthError,
    ChannelError,
    MessageRejected,
    RateLimited,
    RecipientUnreachable,
    WindowClosed,
)

CHANNEL = "zalo"

TOKEN_INVALID = -216
TOKEN_EXPIRED = -220
TOKEN_ERRORS = frozenset({TOKEN_INVALID, TOKEN_EXPIRED})
"""Codes after which the access token is refreshed and the call retried once."""


class ZaloApiError(ChannelError):
    """Any OA API error without a more specific class."""


class ZaloUserNotFollowing(RecipientUnreachable):
    """-213: the citizen does not follow the OA (or unfollowed it)."""

    reason_vi = "Người dân chưa quan tâm (theo dõi) Zalo OA nên không nhận được tin."


class ZaloUserUnreachable(RecipientUnreachable):
    """-217/-227: the citizen blocked the OA or the account is inactive."""


class ZaloWindowClosed(WindowClosed):
    """-230/-232: no interaction within the reply window (7 days); CS messages are refused."""

    reason_vi = (
        "Người dân chưa tương tác với Zalo OA trong 7 ngày qua nên Zalo không cho gửi tin "
        "tư vấn; cần chờ người dân nhắn lại hoặc gọi tổng đài 1900 9068."
    )


class ZaloNoStatusTemplate(ZaloWindowClosed):
    """A status notification refused for the closed window, and no ZBS template is configured."""

    reason_vi = (
        "Người dân không nhắn với OA trong 7 ngày; chưa cấu hình mẫu tin ZBS — hãy gọi điện cho "
        "người dân."
    )


class ZaloTemplateRefused(WindowClosed):
    """A status notification refused for the closed window, and Zalo refused the ZBS template."""

    def __init__(self, refusal: ChannelError) -> None:
        """Creates the error from Zalo's refusal of the template message."""
        super().__init__(refusal.channel, refusal.platform_message, code=refusal.code)
        self.reason_vi = (
            "Người dân không nhắn với OA trong 7 ngày và Zalo từ chối mẫu tin ZBS "
            f"(mã lỗi {refusal.code}) — hãy kiểm tra mẫu tin trên trang quản lý OA và gọi điện "
            "cho người dân."
        )


class ZaloRateLimited(RateLimited):
    """-32 / -211: call limit or quota reached."""


class ZaloAuthError(ChannelAuthError):
    """Token rejected after a refresh, or the refresh token itself is dead: re-consent needed."""


class ZaloMessageRejected(MessageRejected):
    """-201/-210/-233: the message itself is invalid or not supported."""


_BY_CODE: dict[int, type[ChannelError]] = {
    -32: ZaloRateLimited,
    -211: ZaloRateLimited,
    -201: ZaloMessageRejected,
    -210: ZaloMessageRejected,
    -233: ZaloMessageRejected,
    -213: ZaloUserNotFollowing,
    -217: ZaloUserUnreachable,
    -227: ZaloUserUnreachable,
    -230: ZaloWindowClosed,
    -232: ZaloWindowClosed,
    TOKEN_INVALID: ZaloAuthError,
    TOKEN_EXPIRED: ZaloAuthError,
}


def error_for(code: int, message: str) -> ChannelError:
    """Builds the typed exception for an OA API error.

    Args:
        code: the ``error`` field (non-zero).
        message: the ``message`` field.

    Returns:
        The exception to raise.
    """
    error_class = _BY_CODE.get(code, ZaloApiError)
    return error_class(CHANNEL, message or "error", code=code)
