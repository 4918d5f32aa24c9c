"""Scam safety (issue 17): an OTP, password or card PIN typed in the chat is never kept.

People posing as BHXH staff ask citizens for OTP codes, passwords and card PINs. The assistant
never asks for them. When a message names one ("mã OTP 483920", "mật khẩu VssID là …", "mã pin
1234") the number or word after it is replaced with ``••••`` *before* the message reaches Rasa
(so the tracker, the logs and the staff console never hold it), and the citizen is told at once
(:data:`WARNING`). The rest of the message goes on as usual.

Every channel wraps Rasa's ``on_new_message`` with :func:`handler` (after the erasure step,
before the pause gate); the web chat also masks the bubble it stores (:func:`scrub`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

__all__ = ["WARNING", "handler", "scrub"]

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
WARNING = (
    "Lưu ý: BHXH và Trợ lý BHXH không bao giờ hỏi mã OTP, mật khẩu hay mã PIN thẻ ngân hàng, và "
    "không thu phí qua tin nhắn. Ông/bà đừng gửi các mã này cho bất kỳ ai; trợ lý đã không lưu "
    "mã ông/bà vừa gửi. Nếu có người xưng là cán bộ BHXH hỏi các mã này, ông/bà gọi Tổng đài "
    "1900 9068."
)
_CODE_WORDS = re.compile(
    r"\b(?:otp|x[aá]c\s*th[uự]c|x[aá]c\s*nh[aậ]n|pin)\b", re.IGNORECASE
)
_PASSWORD_WORDS = re.compile(r"\b(?:m[aậ]t\s*kh[aẩ]u|password|pass|mk)\b", re.IGNORECASE)
_FILLERS = frozenset(
    {"của", "cua", "tôi", "toi", "em", "mình", "minh", "là", "la", "thẻ", "the", "vssid",
     "ngân", "ngan", "hàng", "hang", "tài", "tai", "khoản", "khoan", "đây", "day", "nhé", "nhe",
     "mã", "ma", "số", "so", ":", "=", "-"}
)
_WINDOW = 8  # words looked at after the keyword


def _digits(token: str) -> int:
    return sum(char.isdigit() for char in token)


def scrub(text: str) -> tuple[str, bool]:
    """The text with any OTP/PIN (digits after its keyword) or password (the word after
    "mật khẩu … là/:") masked, and whether one was."""
    words = re.split(r"(\s+)", text)
    hidden: set[int] = set()
    position = 0
    starts: list[int] = []
    for word in words:
        starts.append(position)
        position += len(word)
    for pattern, is_password in ((_CODE_WORDS, False), (_PASSWORD_WORDS, True)):
        for match in pattern.finditer(text):
            after = [
                i for i, start in enumerate(starts) if start >= match.end() and words[i].strip()
            ][:_WINDOW]
            if not is_password:
                hidden.update(i for i in after if _digits(words[i]) >= 2)
                continue
            lead = [i for i in after if words[i].strip(" :=").lower() in ("là", "la", "")]
            chosen = [i for i in after if i > lead[0]][:1] if lead else [
                i for i in after if words[i].strip(",.").lower() not in _FILLERS
            ][:1]
            hidden.update(chosen)
    if not hidden:
        return text, False
    return "".join("••••" if i in hidden else word for i, word in enumerate(words)), True


def handler(on_new_message: OnNewMessage) -> OnNewMessage:
    """``on_new_message`` receiving scrubbed text; the warning is sent first when needed."""

    async def guarded(message: UserMessage) -> None:
        text = message.text or ""
        if not text.startswith("/"):  # a button payload carries no typed secret
            scrubbed, found = scrub(text)
            if found:
                message.text = scrubbed
                message.metadata = {**(message.metadata or {}), "scam_warning": True}
                await message.output_channel.send_text_message(message.sender_id, WARNING)
        await on_new_message(message)

    return guarded
