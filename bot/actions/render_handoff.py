"""What the citizen reads around a handoff to a person (pure functions → :class:`Reply`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.actions import render_procedure
from bot.actions.catalog_access import Procedure
from bot.actions.replies import Button, Reply, payload
from bot.actions.texts import HOTLINE_SENTENCE

__all__ = [
    "CALLBACK_FAILED",
    "CODE_LOOKUP_FAILED",
    "DECLINE",
    "PHONE_QUESTION",
    "callback_declined",
    "callback_noted",
    "code_not_found",
    "code_ready",
    "code_unavailable",
    "expired",
    "hand_back_to_form",
    "handed_back_at_the_end",
    "offer",
    "office_closed",
    "waiting",
]

DECLINE = "khong_can"
PHONE_QUESTION = (
    "Ông/bà vui lòng nhập số điện thoại để cán bộ gọi lại (ví dụ: 0912 345 678), hoặc bấm "
    "“Không cần”."
)
LEAVE_HINT = "Nếu muốn dừng chờ và quay lại trợ lý, ông/bà nhắn “hủy”."
CALLBACK_FAILED = (
    "Xin lỗi, tôi chưa ghi nhận được số điện thoại do hệ thống đang gián đoạn. Ông/bà vui lòng "
    f"gọi {HOTLINE_SENTENCE} trong giờ hành chính."
)
CODE_LOOKUP_FAILED = (
    "Xin lỗi, tôi chưa tra được mã này do hệ thống đang gián đoạn. Ông/bà vui lòng gửi lại mã "
    f"sau ít phút, hoặc gọi {HOTLINE_SENTENCE}."
)
_OFFERS = {
    "needs_staff": (
        "Trường hợp của ông/bà cần cán bộ BHXH xem xét. Ông/bà có muốn chuyển cuộc trò chuyện "
        "cho cán bộ không?"
    ),
    "misunderstood": "Ông/bà có muốn trao đổi trực tiếp với cán bộ BHXH không?",
}


def offer(reason: str) -> list[Reply]:
    """Offers a person (not forced): "Gặp cán bộ" or "Không, cảm ơn"."""
    text = _OFFERS.get(reason, _OFFERS["misunderstood"])
    buttons = (
        Button("Gặp cán bộ", payload("request_human")),
        Button("Không, cảm ơn", payload("deny")),
    )
    return [Reply(text, buttons)]


def waiting(message: str) -> list[Reply]:
    """Inside office hours: the intake's message (expected wait), and how to stop waiting."""
    return [Reply(f"{message.strip()}\n{LEAVE_HINT}")]


def office_closed(message: str) -> list[Reply]:
    """Outside office hours: the intake's message (hours, call back, hotline)."""
    return [Reply(message.strip())]


def phone_question() -> list[Reply]:
    """Asks a phone number for the call back."""
    return [Reply(PHONE_QUESTION, (Button("Không cần", payload("deny", answer=DECLINE)),))]


def callback_noted(message: str) -> list[Reply]:
    """The intake noted the phone number (its message says when staff call)."""
    return render_procedure.featured(
        f"{message.strip()}\nTrong lúc chờ, ông/bà vẫn có thể hỏi trợ lý."
    )


def callback_declined() -> list[Reply]:
    """The citizen does not want a call back."""
    return render_procedure.featured(
        f"Vâng. Khi cần, ông/bà gọi {HOTLINE_SENTENCE} trong giờ hành chính. Tôi vẫn sẵn sàng "
        "hỗ trợ ông/bà."
    )


def _staff(name: str | None) -> str:
    name = (name or "").strip()
    return f"Cán bộ {name}" if name else "Cán bộ BHXH"


def hand_back_to_form(
    proc: Procedure, staff_name: str | None, corrected: Sequence[str]
) -> list[Reply]:
    """A staff member hands back to go on with the dossier (what they corrected, if anything)."""
    lines = [
        f"{_staff(staff_name)} đã chuyển lại cho trợ lý để tiếp tục hồ sơ “{proc.short_name}”."
    ]
    if corrected:
        lines.append(f"Cán bộ đã cập nhật: {', '.join(corrected)}.")
    return [Reply(" ".join(lines))]


def handed_back_at_the_end(staff_name: str | None) -> list[Reply]:
    """A staff member ended the conversation: thanks, and the menu (the rating follows)."""
    return render_procedure.featured(
        f"{_staff(staff_name)} đã hoàn tất hỗ trợ. Cảm ơn ông/bà đã liên hệ. Khi cần, ông/bà "
        "chọn một mục dưới đây hoặc nhắn cho tôi."
    )


def expired() -> list[Reply]:
    """Nobody was free: the hotline and the menu."""
    return render_procedure.featured(
        "Xin lỗi, hiện chưa có cán bộ nào rảnh để trả lời ông/bà. Ông/bà vui lòng gọi "
        f"{HOTLINE_SENTENCE}, hoặc tiếp tục hỏi trợ lý."
    )


def code_ready(proc: Procedure, note: str | None) -> list[Reply]:
    """A caller's code: the dossier prepared on the phone continues here."""
    text = f"Cán bộ đã chuẩn bị sẵn hồ sơ “{proc.short_name}” cho ông/bà. Chúng ta tiếp tục nhé."
    if note and note.strip():
        text += f"\nLời nhắn của cán bộ: {note.strip()}"
    return [Reply(text)]


def code_unavailable(message: str) -> list[Reply]:
    """The code was used by someone else, or it expired (the intake's message says what to do)."""
    text = message.strip() or "Mã này không còn dùng được."
    if "1900" not in text:
        text += f" Ông/bà vui lòng gọi {HOTLINE_SENTENCE} để được cấp mã mới."
    return [Reply(text)]


def code_not_found(code: str) -> list[Reply]:
    """No code like the one typed."""
    shown = f"{code[:3]} {code[3:]}"
    return [
        Reply(
            f"Tôi không tìm thấy mã {shown}. Ông/bà kiểm tra lại 6 ký tự của mã cán bộ đã đọc, "
            f"hoặc gọi {HOTLINE_SENTENCE}."
        )
    ]
