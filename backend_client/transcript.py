"""What staff read of a citizen's message in a handoff's transcript: the words the citizen saw.

A button the citizen pressed reaches the bot as its payload (``/inform{"answer":"5"}``,
``/request_human``); staff read the button's title instead ("5", "Gặp nhân viên"). The title
comes from the channel when it gives one (the web chat, Messenger postbacks: metadata
``title``), else from the buttons the assistant had shown, else from the payload's intent. A
payload no title explains is shown as "(bấm một nút)", never as the payload. Shared by the
actions (the transcript sent with a handoff) and the channels (messages relayed while a person
owns the conversation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["PAYLOAD_LABELS", "PRESSED", "shown_text"]

PAYLOAD_LABELS = {
    "request_human": "Gặp nhân viên",
    "greet": "Xin chào",
    "affirm": "Có",
    "deny": "Không",
    "cancel": "Hủy",
    "restart": "Bắt đầu lại",
    "start_submission": "Nộp hồ sơ",
    "check_status": "Tra cứu hồ sơ",
    "ask_eligibility": "Điều kiện",
    "ask_documents": "Giấy tờ cần có",
    "ask_where_to_submit": "Nơi nộp",
    "ask_processing_time": "Thời gian giải quyết",
    "ask_amount": "Mức hưởng",
    "ask_legal_basis": "Căn cứ pháp lý",
    "ask_capabilities": "Trợ lý giúp được gì",
}
"""A payload's intent in the words of the assistant's usual buttons."""
PRESSED = "(bấm một nút)"
_INTENT = re.compile(r"/([A-Za-z_]+)")


def shown_text(
    text: str,
    title: str | None = None,
    titles: Mapping[str, str] | None = None,
    *,
    with_files: bool = False,
) -> str:
    """The words staff read for a citizen's message.

    Args:
        text: what reached the bot (typed text, or a button's payload).
        title: the title the channel gave for a button pressed, if any.
        titles: payload → title of the buttons the assistant had shown.
        with_files: the message carries photos or files (a photo without caption arrives as
            ``/inform``: it shows no text).

    Returns:
        The typed text; for a payload its title, or "" for a file's bare ``/inform``.
    """
    if not text.startswith("/"):
        return text
    if title and title.strip():
        return title.strip()
    if titles and titles.get(text):
        return titles[text]
    if with_files:
        return ""
    match = _INTENT.match(text)
    return PAYLOAD_LABELS.get(match.group(1) if match else "", PRESSED)
