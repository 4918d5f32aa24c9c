"""What the citizen reads about dossiers already sent: status, changes, later receipts.

Status labels come from the intake service (Vietnamese); procedure names from the catalog.
Times are shown in Vietnam time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone

from bot.actions import catalog_access
from bot.actions.intake_access import DossierStatus
from bot.actions.render_procedure import human_button
from bot.actions.replies import Button, Reply, payload
from bot.actions.texts import HOTLINE_SENTENCE

__all__ = [
    "MAX_LISTED",
    "changed",
    "dossier_list",
    "lookup_failed",
    "not_found",
    "one_dossier",
    "receipt_code_in",
    "rejected_later",
]

MAX_LISTED = 5
VIETNAM = timezone(timedelta(hours=7))
_CODE = re.compile(
    r"(?<![a-z0-9])hs[\s\-_.]*([a-z0-9]{4})[\s\-_.]*([a-z0-9]{4})(?![a-z0-9])", re.IGNORECASE
)
_NEXT_STEP = {
    "needs_info": (
        "Ông/bà có thể gửi ảnh giấy tờ bổ sung ngay tại đây, hoặc gặp nhân viên để được hướng dẫn."
    ),
    "rejected": f"Nếu cần giải thích thêm, ông/bà gặp nhân viên hoặc gọi {HOTLINE_SENTENCE}.",
}


def receipt_code_in(text: str) -> str | None:
    """A receipt code typed in a message, normalised (``"hs 7k3m 9q2p"`` → ``"HS-7K3M-9Q2P"``)."""
    match = _CODE.search(text)
    if match is None:
        return None
    return f"HS-{match.group(1).upper()}-{match.group(2).upper()}"


def _when(at: str) -> str | None:
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")


def _procedure_name(procedure_id: str) -> str:
    proc = catalog_access.procedure(procedure_id)
    return proc.short_name if proc is not None else procedure_id


def _buttons(status: str) -> tuple[Button, ...]:
    check = Button("Tra cứu hồ sơ", payload("check_status"))
    if status in _NEXT_STEP:
        return (check, human_button())
    return (check,)


def one_dossier(item: DossierStatus) -> list[Reply]:
    """One dossier: its status, when it changed, the officer's note, what to do next."""
    lines = [
        f"Hồ sơ {item.receipt_code} ({_procedure_name(item.procedure_id)}): {item.status_label}."
    ]
    last = item.history[-1] if item.history else None
    if last is not None:
        when = _when(last.at)
        if when:
            lines.append(f"Cập nhật lúc {when}.")
        if last.note:
            lines.append(f"Ghi chú của cán bộ: {last.note}")
    if item.status in _NEXT_STEP:
        lines.append(_NEXT_STEP[item.status])
    return [Reply("\n".join(lines), _buttons(item.status))]


def dossier_list(
    items: Sequence[DossierStatus], queued: Sequence[Mapping[str, object]]
) -> list[Reply]:
    """The conversation's dossiers (newest first), and those still waiting to be sent."""
    if not items and not queued:
        return [
            Reply(
                "Tôi chưa thấy hồ sơ nào ông/bà nộp qua trợ lý trong cuộc trò chuyện này. "
                "Nếu có mã hồ sơ (dạng HS-XXXX-XXXX), ông/bà gửi mã để tôi tra cứu. "
                f"Hồ sơ nộp ở nơi khác, ông/bà gọi {HOTLINE_SENTENCE} để được tra cứu."
            )
        ]
    if len(items) == 1 and not queued:
        return one_dossier(items[0])
    lines = ["Các hồ sơ ông/bà đã nộp qua trợ lý:"]
    lines.extend(
        f"• {item.receipt_code} – {_procedure_name(item.procedure_id)}: {item.status_label}"
        for item in items[:MAX_LISTED]
    )
    lines.extend(
        f"• {_procedure_name(str(entry.get('procedure_id', '')))}: đang chờ gửi đến hệ thống "
        "tiếp nhận (tôi sẽ báo mã hồ sơ khi gửi xong)"
        for entry in queued
    )
    if items:
        lines.append("Để xem chi tiết một hồ sơ, ông/bà gửi mã hồ sơ cho tôi.")
    return [Reply("\n".join(lines))]


def status_only(item: DossierStatus) -> list[Reply]:
    """A dossier another conversation filed: its status, nothing of its history or notes."""
    return [
        Reply(
            f"Hồ sơ {item.receipt_code} ({_procedure_name(item.procedure_id)}): "
            f"{item.status_label}. Ghi chú của cán bộ chỉ hiện trong cuộc trò chuyện đã nộp "
            f"hồ sơ; ông/bà cũng có thể gọi {HOTLINE_SENTENCE} để được tra cứu."
        )
    ]


def too_many_lookups() -> list[Reply]:
    """The conversation typed too many codes of other people's dossiers."""
    return [
        Reply(
            "Ông/bà đã tra cứu nhiều mã hồ sơ không nộp trong cuộc trò chuyện này. Để bảo vệ "
            "thông tin của người dân, trợ lý tạm dừng tra cứu mã khác trong một giờ; ông/bà "
            f"vui lòng gọi {HOTLINE_SENTENCE} để được tra cứu."
        )
    ]


def not_found(code: str) -> list[Reply]:
    """No dossier has the code typed."""
    return [
        Reply(
            f"Tôi không tìm thấy hồ sơ có mã {code}. Ông/bà kiểm tra lại mã (dạng HS-XXXX-XXXX), "
            f"hoặc gọi {HOTLINE_SENTENCE} để được tra cứu."
        )
    ]


def lookup_failed() -> list[Reply]:
    """The intake cannot answer now."""
    return [
        Reply(
            "Hệ thống tra cứu hồ sơ đang tạm gián đoạn. Ông/bà vui lòng thử lại sau ít phút, "
            f"hoặc gọi {HOTLINE_SENTENCE}."
        )
    ]


def changed(
    code: str, procedure_id: str, status: str, status_label: str, note: str | None
) -> list[Reply]:
    """The office changed a dossier's status (pushed by the intake service)."""
    lines = [f"Hồ sơ {code} ({_procedure_name(procedure_id)}) vừa được cập nhật: {status_label}."]
    if note:
        lines.append(f"Ghi chú của cán bộ: {note}")
    if status in _NEXT_STEP:
        lines.append(_NEXT_STEP[status])
    return [Reply("\n".join(lines), _buttons(status))]


def rejected_later(procedure_id: str, reason: str) -> list[Reply]:
    """A queued dossier the intake refused when it was finally sent."""
    proc = catalog_access.procedure(procedure_id)
    text = (
        f"Hồ sơ {_procedure_name(procedure_id)} ông/bà nộp trước đó chưa được tiếp nhận vì "
        f"thông tin cần sửa: {reason} Ông/bà vui lòng nộp lại, hoặc gặp nhân viên để được hỗ trợ."
    )
    buttons = [human_button()]
    if proc is not None:
        buttons.insert(0, Button("Nộp lại hồ sơ", payload("start_submission", procedure=proc.id)))
    return [Reply(text, tuple(buttons))]
