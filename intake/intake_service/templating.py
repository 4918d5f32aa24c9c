"""Jinja2 set-up of the staff console: filters for Vietnamese dates and numbers, navigation."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from starlette.templating import Jinja2Templates

from intake_service import audit, handoffs, statuses
from intake_service.catalog_fields import CatalogFields
from intake_service.dossiers import LOCAL_TZ, PAPER_CHANNELS

__all__ = ["CHANNEL_LABELS", "NAV", "NavItem", "build_templates", "channel_label"]


class NavItem(NamedTuple):
    """One entry of the console's navigation bar."""

    key: str
    label: str
    url: str
    admin_only: bool = False


NAV = (
    NavItem("dossiers", "Hồ sơ", "/console/dossiers"),
    NavItem("paper", "Hồ sơ giấy", "/console/paper"),
    NavItem("inbox", "Hộp thư hỗ trợ", "/console/inbox"),
    NavItem("stats", "Thống kê", "/console/stats"),
    NavItem("privacy", "Xóa dữ liệu", "/console/privacy"),
    NavItem("users", "Tài khoản", "/console/users", admin_only=True),
    NavItem("audit", "Nhật ký", "/console/audit", admin_only=True),
)

CHANNEL_LABELS = {
    "zalo": "Zalo",
    "messenger": "Messenger",
    "telegram": "Telegram",
    "webchat": "Trang web",
    "rest": "API thử nghiệm",
    "counter": "Tại quầy (giấy)",
    "post": "Bưu điện (giấy)",
}


def channel_label(channel: str) -> str:
    """The Vietnamese name of a channel."""
    return CHANNEL_LABELS.get(channel, channel)


def local_datetime(value: datetime | None) -> str:
    """``21/11/2026 14:05`` in Vietnam time."""
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") if value else ""


def local_date(value: date | datetime | None) -> str:
    """``21/11/2026`` (Vietnam time for datetimes)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return value.strftime("%d/%m/%Y")


FORMAT_HINTS = {
    "date": "ngày/tháng/năm",
    "cccd": "12 chữ số",
    "cmnd": "9 chữ số",
    "bhxh_code": "10 chữ số",
    "bhyt_card": "2 chữ cái và 13 chữ số",
    "phone": "10 chữ số, bắt đầu bằng 0",
    "bank_account": "chỉ gồm chữ số",
    "money": "số tiền, đơn vị đồng",
    "number": "một số",
    "integer": "một số",
    "province": "tên tỉnh/thành phố",
    "full_name": "họ và tên đầy đủ",
}


def format_hint(field_type: str) -> str:
    """What a box expects, in words (never a made-up value that looks like collected data)."""
    return FORMAT_HINTS.get(field_type, "")


def thousands(value: int | float) -> str:
    """``12345 → 12.345``; floats get one decimal with a comma: ``12,5``."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def build_templates(directory: Path, catalog: CatalogFields) -> Jinja2Templates:
    """The console templates with the project's filters and globals."""
    templates = Jinja2Templates(directory=str(directory))
    env = templates.env
    env.filters["local_dt"] = local_datetime
    env.filters["local_date"] = local_date
    env.filters["thousands"] = thousands
    env.globals.update(
        status_label=statuses.label,
        statuses=statuses.STATUSES,
        procedure_name=catalog.name,
        short_name=catalog.short_name,
        channel_label=channel_label,
        paper_channels=sorted(PAPER_CHANNELS),
        nav_items=NAV,
        handoff_status_label=lambda status: handoffs.STATUS_LABELS.get(status, status),
        reason_label=handoffs.reason_label,
        resume_label=lambda resume: handoffs.RESUME_LABELS.get(resume or "", resume or ""),
        action_label=audit.action_label,
        format_hint=format_hint,
        detail_label=audit.detail_label,
    )
    return templates
