"""Pages about personal data: the public notice (``/privacy``) and the staff's erasure form.

``GET /privacy`` — the full privacy notice (``catalog/data/privacy.yaml``), public, linked from
the notice the assistant shows before a dossier (``PRIVACY_NOTICE_URL``).

``/console/privacy`` — a staff member erases one citizen's conversation data (the citizen asked
by phone or at the counter): the conversation is named by its channel and id, or found from a
receipt code. The intake's part is erased at once (:func:`intake_service.privacy
.erase_conversation`, audited) and the Rasa server is told with the signed event
``erase_conversation`` (it erases the tracker, the web chat's messages and files). Filed
dossiers stay; the page lists them.
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from bhxh_catalog.privacy import load_privacy_notice
from intake_service import privacy
from intake_service.auth import client_ip
from intake_service.context import services
from intake_service.models import Dossier
from intake_service.pages import CsrfDep, StaffDep, render
from intake_service.webhooks import enqueue_event

__all__ = ["router"]

router = APIRouter()
CHANNELS = ("zalo", "messenger", "telegram", "webchat", "rest")


@router.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
def privacy_notice(request: Request) -> Response:
    """The full notice, public (no sign-in)."""
    notice = load_privacy_notice(os.environ)
    url = str(request.url)
    return services(request).templates.TemplateResponse(
        request,
        "privacy_notice.html",
        {"notice": notice, "sections": notice.full_sections(url), "hotline": "1900 9068"},
    )


@router.get("/console/privacy", include_in_schema=False)
def erasure_form(request: Request, user: StaffDep, code: str = "") -> Response:
    """The form; ``?code=HS-…`` fills in the conversation of that dossier."""
    channel = sender = ""
    if code:
        with services(request).db.session() as session:
            found = session.scalar(select(Dossier).where(Dossier.receipt_code == code.strip()))
        if found is not None:
            channel, sender = found.channel, found.sender_id
    context = {"active": "privacy", "channels": CHANNELS, "channel": channel, "sender": sender,
               "done": None, "error": None}
    return render(request, "privacy.html", context)


@router.post("/console/privacy", include_in_schema=False)
def erase(
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    channel: Annotated[str, Form(max_length=32)] = "",
    sender_id: Annotated[str, Form(max_length=128)] = "",
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Erases the conversation's data here and tells the Rasa server to erase its own."""
    context: dict[str, object] = {"active": "privacy", "channels": CHANNELS,
                                  "channel": channel, "sender": sender_id, "done": None,
                                  "error": None}
    if channel not in CHANNELS or not sender_id.strip():
        context["error"] = "Chọn kênh và nhập mã cuộc trò chuyện."
        return render(request, "privacy.html", context, 422)
    if confirm != "yes":
        context["error"] = "Đánh dấu ô xác nhận: việc xóa không hoàn tác được."
        return render(request, "privacy.html", context, 422)
    svc = services(request)
    with svc.db.transaction() as session:
        done = privacy.erase_conversation(
            session, channel, sender_id.strip(), user.username, client_ip(request)
        )
        enqueue_event(
            session, "erase_conversation", {"channel": channel, "sender_id": sender_id.strip()}
        )
    if svc.worker is not None:
        svc.worker.wake()
    context["done"] = done
    return render(request, "privacy.html", context)
