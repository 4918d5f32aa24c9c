"""Exception handlers: every error is a clear Vietnamese answer, never a bare 500.

API paths answer JSON (``{"detail": "…"}``, or for 422 ``{"detail": [{"field", "message"}]}``);
console paths answer an HTML page or a redirect to the login.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from intake_service.auth import LoginRequired, LoginThrottled, PasswordChangeRequired
from intake_service.dossiers import SubmissionRejected

__all__ = ["install_exception_handlers", "vietnamese_errors"]

log = logging.getLogger(__name__)

_MESSAGES = {
    "missing": "Thiếu thông tin bắt buộc.",
    "string_type": "Giá trị phải là chuỗi ký tự.",
    "string_pattern_mismatch": "Giá trị không đúng định dạng.",
    "int_type": "Giá trị phải là số nguyên.",
    "int_parsing": "Giá trị phải là số nguyên.",
    "int_from_float": "Giá trị phải là số nguyên.",
    "bool_type": "Giá trị phải là true hoặc false.",
    "dict_type": "Dữ liệu phải là một đối tượng JSON.",
    "model_type": "Dữ liệu phải là một đối tượng JSON.",
    "model_attributes_type": "Dữ liệu phải là một đối tượng JSON.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
    "json_type": "Nội dung JSON không hợp lệ.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "float_type": "Giá trị phải là số.",
    "float_parsing": "Giá trị phải là số.",
    "finite_number": "Giá trị phải là số hữu hạn.",
    "union_tag_invalid": "Giá trị không hợp lệ.",
    "value_error": "Giá trị không hợp lệ.",
}

_DEFAULT_DETAIL = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần xác thực.",
    403: "Không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    409: "Xung đột dữ liệu.",
    413: "Nội dung gửi lên quá lớn.",
    415: "Kiểu nội dung không được hỗ trợ.",
    429: "Quá nhiều yêu cầu, xin thử lại sau.",
}


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "Không được để trống."
        return f"Cần ít nhất {ctx.get('min_length')} ký tự."
    if kind == "string_too_long":
        return f"Dài quá {ctx.get('max_length')} ký tự."
    if kind == "too_long":
        return f"Quá nhiều mục (tối đa {ctx.get('max_length')})."
    if kind in {"greater_than_equal", "greater_than"}:
        return f"Giá trị phải từ {ctx.get('ge', ctx.get('gt'))} trở lên."
    if kind in {"less_than_equal", "less_than"}:
        return f"Giá trị phải từ {ctx.get('le', ctx.get('lt'))} trở xuống."
    if kind in {"literal_error", "enum"} and ctx.get("expected"):
        return f"Giá trị phải là một trong: {ctx['expected']}."
    return _MESSAGES.get(kind, "Giá trị không hợp lệ.")


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        source = parts.pop(0)
        if source == "header" and parts:
            return "-".join(word.capitalize() for word in parts[0].split("-"))
    return ".".join(parts) or "body"


def vietnamese_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Turns pydantic/FastAPI validation errors into ``[{"field", "message"}]`` (Vietnamese)."""
    out: list[dict[str, str]] = []
    for error in errors:
        item = {"field": _field(error.get("loc", ())), "message": _message(error)}
        if item not in out:
            out.append(item)
    return out


def _wants_html(request: Request) -> bool:
    return request.url.path.startswith("/console")


def _html_error(request: Request, status: int, detail: str) -> Response:
    templates: Jinja2Templates = request.app.state.services.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "detail": detail}, status_code=status
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    detail = vietnamese_errors(exc.errors())
    if _wants_html(request):
        text = "; ".join(f"{d['field']}: {d['message']}" for d in detail)
        return _html_error(request, 422, f"Thông tin gửi lên chưa đúng ({text}).")
    return JSONResponse({"detail": detail}, status_code=422)


async def _rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SubmissionRejected)
    detail = [{"field": name, "message": message} for name, message in exc.errors]
    return JSONResponse({"detail": detail}, status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and not _wants_html(request):
        # FastAPI's answer to a body it cannot even decode (bad bytes, broken multipart):
        # report it like any other invalid input.
        body = [{"field": "body", "message": "Nội dung gửi lên không đọc được (cần JSON UTF-8)."}]
        return JSONResponse({"detail": body}, status_code=422)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else None
    if detail is None or detail in {"Not Found", "Method Not Allowed", "Unauthorized"}:
        detail = _DEFAULT_DETAIL.get(exc.status_code, "Yêu cầu không thực hiện được.")
    headers = dict(exc.headers or {})
    if _wants_html(request):
        response = _html_error(request, exc.status_code, detail)
        response.headers.update(headers)
        return response
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/console/login?next={quote(exc.next_url)}", status_code=303)


async def _password_change_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/console/account", status_code=303)


async def _throttled(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginThrottled)
    detail = "Đăng nhập sai quá nhiều lần, xin thử lại sau."
    headers = {"Retry-After": str(exc.retry_after)}
    if _wants_html(request):
        response = _html_error(request, 429, detail)
        response.headers.update(headers)
        return response
    return JSONResponse({"detail": detail}, status_code=429, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    detail = "Máy chủ gặp lỗi ngoài dự kiến; xin thử lại sau hoặc gọi 1900 9068."
    if _wants_html(request):
        return HTMLResponse(f"<h1>500</h1><p>{detail}</p>", status_code=500)
    return JSONResponse({"detail": detail}, status_code=500)


def install_exception_handlers(app: FastAPI) -> None:
    """Registers the handlers on the application."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(SubmissionRejected, _rejected)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(LoginThrottled, _throttled)
    app.add_exception_handler(PasswordChangeRequired, _password_change_required)
    app.add_exception_handler(Exception, _unexpected)
