"""Fixed Vietnamese phrases and labels of the dialogue (procedure facts come from the catalog)."""

from __future__ import annotations

from bot.actions.settings import HOTLINE

__all__ = [
    "ASPECT_LABELS",
    "CONFIRM_WITH_BHXH",
    "HOTLINE_SENTENCE",
    "INTENT_LABELS",
    "MAIN_MENU",
    "NOT_IN_CATALOG",
    "UNVERIFIED",
]

CONFIRM_WITH_BHXH = (
    f"Thông tin này ông/bà nên hỏi lại cơ quan BHXH để chắc chắn ({HOTLINE})."
)
"""Said once, at the end of an answer, when a fact in it is unverified or past its review date.

Citizens never read "(chưa được xác minh)" nor the catalog's internal notes (issue 13)."""
UNVERIFIED = CONFIRM_WITH_BHXH
"""Deprecated alias of :data:`CONFIRM_WITH_BHXH`; append it once per answer, never inline."""
HOTLINE_SENTENCE = f"Tổng đài BHXH Việt Nam {HOTLINE}"
NOT_IN_CATALOG = (
    "Xin lỗi, thông tin về thủ tục này đang được cập nhật. "
    f"Ông/bà vui lòng gọi {HOTLINE_SENTENCE} để được hướng dẫn."
)

# The menu of the most common needs: (label, payload). The greeting in domain.yml shows the same
# buttons (a test keeps them equal).
MAIN_MENU = (
    ("Rút BHXH một lần", "/proc_huong_bhxh_mot_lan"),
    ("Chuyển lương hưu sang ATM", "/proc_doi_hinh_thuc_nhan_luong_huu"),
    ("Chế độ tử tuất", "/proc_che_do_tu_tuat"),
    ("Thẻ BHYT", '/ask_capabilities{"answer":"bhyt"}'),
    ("Khác", "/ask_capabilities"),
)

# Button labels of what a citizen can ask about a procedure.
ASPECT_LABELS = {
    "ask_eligibility": "Điều kiện",
    "ask_documents": "Giấy tờ cần chuẩn bị",
    "ask_where_to_submit": "Nộp ở đâu, nộp thế nào",
    "ask_processing_time": "Thời gian giải quyết",
    "ask_amount": "Ước tính số tiền",
    "ask_legal_basis": "Căn cứ pháp lý",
    "start_submission": "Nộp hồ sơ ngay",
    "request_human": "Gặp nhân viên",
}

# Labels of the intents a "did you mean …?" question may offer (procedure intents use the
# catalog's short names). Intents missing here are never offered.
INTENT_LABELS = {
    **ASPECT_LABELS,
    "ask_eligibility": "Điều kiện hưởng",
    "check_status": "Tra cứu hồ sơ",
    "ask_capabilities": "Trợ lý giúp được gì",
    "complain": "Phản ánh, góp ý",
}
