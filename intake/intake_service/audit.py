"""The audit log of staff actions (who did what, to which dossier, from where)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from intake_service import statuses
from intake_service.models import AuditEntry
from intake_service.pii import mask_text

__all__ = ["ACTION_LABELS", "action_label", "detail_label", "record"]

ACTION_LABELS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "logout": "Đăng xuất",
    "search": "Tìm kiếm",
    "view_dossier": "Xem hồ sơ",
    "change_status": "Đổi trạng thái hồ sơ",
    "download_attachment": "Tải tệp đính kèm",
    "export_csv": "Xuất CSV",
    "retry_notification": "Gửi lại thông báo",
    "record_paper_dossier": "Ghi hồ sơ giấy",
    "create_user": "Tạo tài khoản",
    "disable": "Khóa tài khoản",
    "enable": "Mở khóa tài khoản",
    "reset_password": "Đặt lại mật khẩu",
    "change_password": "Đổi mật khẩu",
    "view_handoff": "Xem cuộc trò chuyện",
    "claim_handoff": "Nhận cuộc trò chuyện",
    "claim_handoff_refused": "Nhận cuộc trò chuyện (không được)",
    "reply_handoff": "Trả lời người dân",
    "note_handoff": "Ghi chú nội bộ",
    "transfer_handoff": "Chuyển cho cán bộ khác",
    "correct_handoff_data": "Sửa thông tin hồ sơ trong trò chuyện",
    "set_handoff_procedure": "Chọn thủ tục cho cuộc trò chuyện",
    "return_handoff": "Chuyển lại trợ lý",
    "close_handoff": "Kết thúc cuộc trò chuyện",
    "withdraw_handoff": "Người dân hủy yêu cầu hỗ trợ",
    "view_callbacks": "Xem yêu cầu gọi lại",
    "complete_callback": "Đánh dấu đã gọi lại",
    "create_handoff_code": "Tạo mã cho người gọi điện",
    "search_handoffs": "Tìm cuộc trò chuyện",
    "add_reply_template": "Thêm mẫu trả lời",
    "edit_reply_template": "Sửa mẫu trả lời",
    "delete_reply_template": "Xóa mẫu trả lời",
    "api": "Gọi API",
}
"""The audit log's actions in Vietnamese (the stored codes stay as they are)."""
_CODE = re.compile(r"(?<![\w/=.-])[a-z]+(?:_[a-z]+)*(?![\w/])")
_WORDS = {
    "continue_form": "tiếp tục thu thập hồ sơ",
    "end": "kết thúc cuộc trò chuyện",
    "delivered": "đã gửi tới người dân",
    "failed": "gửi không được",
    "pending": "đang gửi",
}


def action_label(action: str) -> str:
    """What an audit entry's action means, in Vietnamese (the code itself when unknown)."""
    return ACTION_LABELS.get(action, action)


def detail_label(detail: str) -> str:
    """An entry's detail with the status, hand-back and delivery codes in words ("needs_info" →
    "Cần bổ sung thông tin", "end" → "kết thúc cuộc trò chuyện"); other words stay."""
    words = {**{s: statuses.label(s) for s in statuses.STATUSES}, **_WORDS}
    return _CODE.sub(lambda m: words.get(m.group(0), m.group(0)), detail)


def record(
    session: Session, actor: str, action: str, target: str = "", detail: str = "", ip: str = ""
) -> None:
    """Adds one entry to the audit log (in the caller's transaction).

    Args:
        session: the open session; the entry is committed with the caller's work.
        actor: the user name (or ``bot`` / ``anonymous``).
        action: a short verb such as ``login``, ``view_dossier``, ``change_status``.
        target: what the action concerned (a receipt code, a user name…).
        detail: free text; identifiers in it are masked.
        ip: the client address.
    """
    session.add(
        AuditEntry(
            actor=actor[:64],
            action=action[:48],
            target=target[:128],
            detail=mask_text(detail)[:2000],
            ip=ip[:64],
        )
    )
