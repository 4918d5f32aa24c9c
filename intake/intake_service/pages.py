"""What every console page shares: rendering, flashes, redirects, CSRF and the audit log."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from intake_service import audit
from intake_service.auth import check_csrf, client_ip, csrf_token, require_admin, require_staff
from intake_service.context import services
from intake_service.models import User

__all__ = [
    "AdminDep",
    "CsrfDep",
    "DbId",
    "StaffDep",
    "file_response",
    "flash",
    "record",
    "redirect",
    "render",
    "verify_csrf",
]

DbId = Annotated[int, Path(ge=1, le=2**31 - 1)]
StaffDep = Annotated[User, Depends(require_staff)]
AdminDep = Annotated[User, Depends(require_admin)]


def verify_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Dependency of every console form: 403 when the CSRF token is missing or wrong."""
    if not check_csrf(request, csrf_token):
        raise HTTPException(
            403, "Biểu mẫu đã hết hạn hoặc không hợp lệ. Xin tải lại trang rồi thử lại."
        )


CsrfDep = Annotated[None, Depends(verify_csrf)]


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message shown once on the next page."""
    request.session.setdefault("flash", []).append([kind, message])


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A console page with the signed-in user, the CSRF token and the pending flashes."""
    svc = services(request)
    user = getattr(request.state, "user", None)
    base = {
        "user": user,
        "csrf_token": csrf_token(request),
        "flashes": request.session.pop("flash", []),
    }
    return svc.templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def file_response(
    content: bytes, media_type: str, filename: str, disposition: str = "attachment"
) -> Response:
    """An attachment's bytes (decrypted in memory; never cached, never sniffed)."""
    quoted = quote(filename, safe="")
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=utf-8''{quoted}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def redirect(url: str) -> RedirectResponse:
    """A 303 redirect (after a form)."""
    return RedirectResponse(url, status_code=303)


def record(request: Request, actor: str, action: str, target: str = "", detail: str = "") -> None:
    """Writes one audit log entry for a console action."""
    with services(request).db.transaction() as session:
        audit.record(session, actor, action, target, detail, client_ip(request))
