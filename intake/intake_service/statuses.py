"""The status lifecycle of a dossier, with the Vietnamese labels citizens and staff read.

received → in_review → needs_info → approved / rejected → result_sent. A dossier waiting for
more information goes back to review when the citizen supplies it; the note is required when
asking for more information and when rejecting, because the citizen is told why.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "LABELS",
    "NOTE_REQUIRED",
    "STATUSES",
    "TRANSITIONS",
    "TransitionError",
    "check_transition",
    "label",
]

RECEIVED: Final = "received"
IN_REVIEW: Final = "in_review"
NEEDS_INFO: Final = "needs_info"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
RESULT_SENT: Final = "result_sent"

STATUSES: Final = (RECEIVED, IN_REVIEW, NEEDS_INFO, APPROVED, REJECTED, RESULT_SENT)

LABELS: Final[dict[str, str]] = {
    RECEIVED: "Đã tiếp nhận",
    IN_REVIEW: "Đang xem xét",
    NEEDS_INFO: "Cần bổ sung thông tin",
    APPROVED: "Đã được giải quyết",
    REJECTED: "Không được giải quyết",
    RESULT_SENT: "Đã trả kết quả",
}

TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    RECEIVED: (IN_REVIEW, NEEDS_INFO, REJECTED),
    IN_REVIEW: (NEEDS_INFO, APPROVED, REJECTED),
    NEEDS_INFO: (IN_REVIEW, APPROVED, REJECTED),
    APPROVED: (RESULT_SENT,),
    REJECTED: (RESULT_SENT,),
    RESULT_SENT: (),
}

NOTE_REQUIRED: Final = frozenset({NEEDS_INFO, REJECTED})


class TransitionError(ValueError):
    """A status change that the lifecycle does not allow; the message is Vietnamese."""


def label(status: str) -> str:
    """The Vietnamese label of a status (the raw value if it is unknown)."""
    return LABELS.get(status, status)


def check_transition(current: str, new: str, note: str | None) -> None:
    """Checks that a dossier may go from ``current`` to ``new`` with this note.

    Raises:
        TransitionError: the status is unknown, the move is not allowed, or a required note
            is missing.
    """
    if new not in LABELS:
        raise TransitionError(f"Trạng thái “{new}” không tồn tại.")
    if new not in TRANSITIONS.get(current, ()):
        allowed = ", ".join(f"“{label(s)}”" for s in TRANSITIONS.get(current, ())) or "không có"
        raise TransitionError(
            f"Không thể chuyển hồ sơ từ “{label(current)}” sang “{label(new)}”. "
            f"Trạng thái tiếp theo có thể chọn: {allowed}."
        )
    if new in NOTE_REQUIRED and not (note or "").strip():
        raise TransitionError(
            f"Cần ghi chú khi chuyển sang “{label(new)}”: người dân sẽ nhận được nội dung này."
        )
