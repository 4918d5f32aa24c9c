"""The staff console (server-rendered, Vietnamese): sign-in, dossiers, statistics, accounts.

Every form carries the session's CSRF token; every page needs a signed-in staff member; viewing
a dossier, changing a status, downloading a file and exporting are written to the audit log.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from intake_service import audit, charts, statuses
from intake_service.auth import (
    LoginThrottled,
    authenticate,
    client_ip,
    end_session,
    session_user,
    start_session,
)
from intake_service.baseline import Baseline, load_baseline
from intake_service.context import Services, services
from intake_service.dossiers import (
    LOCAL_TZ,
    DossierFilter,
    IdempotencyConflict,
    NotFound,
    SubmissionRejected,
)
from intake_service.forms import (
    chosen_procedure,
    field_errors,
    full_name,
    masked_person,
    phone_number,
)
from intake_service.models import AuditEntry, Dossier, User, WebhookDelivery, utcnow
from intake_service.pages import (
    AdminDep,
    CsrfDep,
    DbId,
    StaffDep,
    file_response,
    flash,
    record,
    redirect,
    render,
)
from intake_service.schemas import DossierCreate
from intake_service.security import (
    hash_password,
    new_password,
    new_token,
    password_problem,
    verify_password,
)
from intake_service.stats import compute
from intake_service.templating import channel_label

__all__ = ["router"]

router = APIRouter(prefix="/console", include_in_schema=False)

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
NOT_NOTIFIED = "no"  # ?notified=no: the dossiers whose citizen was not told the latest status


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _param(request: Request, name: str, limit: int) -> str:
    """A query parameter, shortened and without NUL characters (PostgreSQL refuses them)."""
    return request.query_params.get(name, "").replace("\x00", "")[:limit]


def scope_of(user: User) -> str | None:
    """The province a staff account is limited to (issue 17); None: every province (admins,
    and staff accounts without a province)."""
    return None if user.role == "admin" or not user.province else user.province


def visible_to(user: User, dossier: Dossier) -> bool:
    """Whether the account may see the dossier (its province, or every one)."""
    scope = scope_of(user)
    return scope is None or dossier.province == scope


def _visible_or_404(user: User, dossier: Dossier) -> Dossier:
    if not visible_to(user, dossier):
        raise HTTPException(404, "Không tìm thấy hồ sơ có mã này.")
    return dossier


def _filter_from(request: Request, user: User | None = None) -> DossierFilter:
    params = request.query_params
    status = params.get("status", "")
    scope = scope_of(user) if user is not None else None
    return DossierFilter(
        procedure=_param(request, "procedure", 64),
        status=status if status in statuses.STATUSES else "",
        province=scope or _param(request, "province", 64),
        channel=_param(request, "channel", 32),
        date_from=_parse_day(params.get("date_from")),
        date_to=_parse_day(params.get("date_to")),
        query=_param(request, "q", 64),
        not_notified=params.get("notified") == NOT_NOTIFIED,
        overdue=params.get("overdue") == "1",
        new_documents=params.get("new_docs") == "1",
    )


def _filter_query(flt: DossierFilter, **extra: object) -> str:
    values: dict[str, object] = {
        "procedure": flt.procedure,
        "status": flt.status,
        "province": flt.province,
        "channel": flt.channel,
        "date_from": flt.date_from.isoformat() if flt.date_from else "",
        "date_to": flt.date_to.isoformat() if flt.date_to else "",
        "q": flt.query,
        "notified": NOT_NOTIFIED if flt.not_notified else "",
        "overdue": "1" if flt.overdue else "",
        "new_docs": "1" if flt.new_documents else "",
        **extra,
    }
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _choices(svc: Services) -> dict[str, Any]:
    """``(value, label)`` pairs of the filter lists (dossiers and statistics)."""
    with svc.db.session() as session:
        provinces = [
            p for p in session.scalars(select(Dossier.province).distinct()) if p is not None
        ]
        channels = list(session.scalars(select(Dossier.channel).distinct()))
    known = svc.catalog.provinces()
    return {
        "procedure_choices": svc.catalog.procedures(),
        "status_choices": [(status, statuses.label(status)) for status in statuses.STATUSES],
        "province_choices": [(p, p) for p in sorted(set(provinces) | set(known))],
        "channel_choices": [(c, channel_label(c)) for c in sorted(set(channels))],
        "notified_choices": [(NOT_NOTIFIED, "Chưa báo được cho người dân")],
    }


# ------------------------------------------------------------------ sign-in
@router.get("/")
def home() -> Response:
    """The console opens on the dossier list."""
    return redirect("/console/dossiers")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return "/console/dossiers"


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    """The sign-in form."""
    if session_user(request) is not None:
        return redirect(_safe_next(next))
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    _csrf: CsrfDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Checks the credentials (rate limited) and opens a session."""
    svc = services(request)
    context = {"next": _safe_next(next), "username": username}
    try:
        user = authenticate(svc, username, password, client_ip(request))
    except LoginThrottled as exc:
        minutes = max(1, round(exc.retry_after / 60))
        error = f"Đăng nhập sai quá nhiều lần. Xin thử lại sau khoảng {minutes} phút."
        response = render(request, "login.html", {**context, "error": error}, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        error = "Tên đăng nhập hoặc mật khẩu không đúng."
        return render(request, "login.html", {**context, "error": error}, 401)
    start_session(request, user)
    return redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, _csrf: CsrfDep) -> Response:
    """Ends the session."""
    user = session_user(request)
    if user is not None:
        record(request, user.username, "logout")
    end_session(request)
    return redirect("/console/login")


# ----------------------------------------------------------------- dossiers
@router.get("/dossiers")
def dossier_list(request: Request, user: StaffDep, page: int = 1) -> Response:
    """The dossier list with filters, search and pages (a scoped account: its province only)."""
    svc = services(request)
    flt = _filter_from(request, user)
    page = max(1, min(page, 10_000))
    rows, total = svc.dossiers.search(flt, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if flt.query:
        record(request, user.username, "search", detail=flt.query)
    new_docs = svc.dossiers.with_new_documents([d.id for d in rows])
    items = [
        {
            "d": d,
            "name": name,
            "identifier": identifier,
            "due": svc.dossiers.due(d),
            "overdue": svc.dossiers.is_overdue(d),
            "new_documents": d.id in new_docs,
        }
        for d in rows
        for name, identifier in [masked_person(svc.catalog, d.procedure_id, d.fields)]
    ]
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "dossiers.html",
        {
            "active": "dossiers",
            "flt": flt,
            "items": items,
            "total": total,
            "page": page,
            "pages": pages,
            "query_for_page": lambda n: _filter_query(flt, page=n),
            "export_query": _filter_query(flt),
            "notified_selected": NOT_NOTIFIED if flt.not_notified else "",
            **_choices(svc),
        },
    )


@router.get("/dossiers.csv")
def export_csv(request: Request, user: StaffDep) -> Response:
    """The filtered list as CSV (UTF-8 with BOM for spreadsheet programs): the citizen's name
    and the due date, no personal numbers (the export is audited)."""
    svc = services(request)
    flt = _filter_from(request, user)
    rows, total = svc.dossiers.search(flt, limit=EXPORT_LIMIT)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "Mã hồ sơ",
            "Người nộp",
            "Thủ tục",
            "Trạng thái",
            "Kênh",
            "Điện tử",
            "Tỉnh/thành phố",
            "Cơ quan xử lý",
            "Ngày nộp",
            "Hạn giải quyết",
            "Quá hạn",
            "Cập nhật",
        ]
    )
    for d in rows:
        due = svc.dossiers.due(d)
        writer.writerow(
            [
                d.receipt_code,
                full_name(svc.catalog, d.procedure_id, d.fields),
                svc.catalog.name(d.procedure_id),
                statuses.label(d.status),
                channel_label(d.channel),
                "có" if d.electronic else "không",
                d.province or "",
                d.office or "",
                d.created_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M"),
                due.strftime("%d/%m/%Y") if due else "",
                "có" if svc.dossiers.is_overdue(d) else "",
                d.updated_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M"),
            ]
        )
    record(
        request, user.username, "export_csv", detail=f"{len(rows)}/{total} {_filter_query(flt)}"
    )
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="ho-so-{stamp}.csv"'},
    )


def _detail_context(svc: Services, dossier: Dossier) -> dict[str, Any]:
    infos = svc.catalog.field_infos(dossier.procedure_id)
    known = {info.id for info in infos}
    fields = [
        (info, svc.catalog.display(dossier.procedure_id, info.id, dossier.fields[info.id]))
        for info in infos
        if info.id in dossier.fields
    ]
    extra = [(name, value) for name, value in dossier.fields.items() if name not in known]
    with svc.db.session() as session:
        deliveries = list(
            session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.dossier_id == dossier.id)
                .order_by(WebhookDelivery.id.desc())
            )
        )
    return {
        "active": "dossiers",
        "d": dossier,
        "notices": {n.status_event_id: n for n in deliveries if n.status_event_id is not None},
        "phone": phone_number(svc.catalog, dossier.procedure_id, dossier.fields),
        "fields": fields,
        "extra_fields": extra,
        "answers": [
            svc.catalog.describe_answer(dossier.procedure_id, key, value)
            for key, value in dossier.answers.items()
        ],
        "next_statuses": statuses.TRANSITIONS.get(dossier.status, ()),
        "chosen_status": "",
        "note_required": sorted(statuses.NOTE_REQUIRED),
        "deliveries": deliveries,
        "processing_time": svc.catalog.processing_time(dossier.procedure_id),
        "due": svc.dossiers.due(dossier),
        "overdue": svc.dossiers.is_overdue(dossier),
        "new_documents": bool(svc.dossiers.with_new_documents([dossier.id])),
    }


@router.get("/dossiers/{code}")
def dossier_detail(code: str, request: Request, user: StaffDep) -> Response:
    """A dossier: fields, attachments, history, notifications and the status form."""
    svc = services(request)
    try:
        dossier = _visible_or_404(user, svc.dossiers.get(code))
    except NotFound:
        raise HTTPException(404, "Không tìm thấy hồ sơ có mã này.") from None
    record(request, user.username, "view_dossier", dossier.receipt_code)
    return render(request, "dossier.html", {**_detail_context(svc, dossier), "error": None})


@router.post("/dossiers/{code}/status")
def dossier_status(
    code: str,
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    status: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Changes the status; the citizen is notified through the bot."""
    svc = services(request)
    try:
        _visible_or_404(user, svc.dossiers.get(code))
        dossier = svc.dossiers.change_status(code, status, note, user.username)
    except NotFound:
        raise HTTPException(404, "Không tìm thấy hồ sơ có mã này.") from None
    except statuses.TransitionError as exc:
        dossier = svc.dossiers.get(code)
        # the choice and the note typed stay as they were: staff only add what was missing
        context = {**_detail_context(svc, dossier), "error": str(exc), "note": note}
        context["chosen_status"] = status
        return render(request, "dossier.html", context, 422)
    record(request, user.username, "change_status", dossier.receipt_code, f"{status}: {note}")
    flash(request, f"Đã chuyển hồ sơ sang “{statuses.label(status)}”.")
    return redirect(f"/console/dossiers/{dossier.receipt_code}")


@router.post("/notifications/{delivery_id}/retry")
def retry_notification(
    delivery_id: DbId, request: Request, user: AdminDep, _csrf: CsrfDep
) -> Response:
    """Sends a failed notification again (administrators)."""
    svc = services(request)
    with svc.db.transaction() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            raise HTTPException(404, "Không tìm thấy thông báo.")
        delivery.state = "pending"
        delivery.attempts = 0
        delivery.next_attempt_at = utcnow()
        delivery.locked_until = None
        delivery.citizen_notified = None
        delivery.citizen_reason = None
        dossier = session.get(Dossier, delivery.dossier_id) if delivery.dossier_id else None
        code = dossier.receipt_code if dossier else ""
        audit.record(session, user.username, "retry_notification", code, delivery.event_id)
    if svc.worker is not None:
        svc.worker.wake()
    flash(request, "Đã xếp thông báo vào hàng đợi gửi lại.")
    return redirect(f"/console/dossiers/{code}" if code else "/console/dossiers")


@router.get("/attachments/{attachment_id}")
def attachment_file(attachment_id: DbId, request: Request, user: StaffDep) -> Response:
    """An attachment's bytes (signed-in staff only)."""
    svc = services(request)
    try:
        attachment, code = svc.dossiers.attachment(attachment_id)
        _visible_or_404(user, svc.dossiers.get(code))
    except NotFound:
        raise HTTPException(404, "Không tìm thấy tệp đính kèm.") from None
    content = svc.dossiers.store.read(attachment.sha256)
    if content is None:
        raise HTTPException(404, "Tệp đính kèm không còn trên máy chủ.")
    record(request, user.username, "download_attachment", code, attachment.filename)
    disposition = "inline" if request.query_params.get("inline") else "attachment"
    return file_response(content, attachment.content_type, attachment.filename, disposition)


# --------------------------------------------------------------- statistics
def _baseline(request: Request) -> Baseline:
    cached: Baseline | None = getattr(request.app.state, "baseline", None)
    if cached is None:
        cached = load_baseline(services(request).catalog.current_province)
        request.app.state.baseline = cached
    return cached


@router.get("/stats")
def statistics(request: Request, user: StaffDep) -> Response:
    """Dossiers per day, procedure, province and channel; electronic share; satisfaction."""
    svc = services(request)
    flt = _filter_from(request)
    today = datetime.now(LOCAL_TZ).date()
    date_to = flt.date_to or today
    date_from = flt.date_from or date_to - timedelta(days=29)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    date_from = max(date_from, date_to - timedelta(days=366))
    flt = DossierFilter(
        procedure=flt.procedure,
        province=flt.province,
        channel=flt.channel,
        status=flt.status,
        date_from=date_from,
        date_to=date_to,
    )
    baseline = _baseline(request)
    stats = compute(svc.dossiers, flt, baseline)
    daily = charts.daily_bars(
        [d.strftime("%d/%m") for d, _, _ in stats.per_day],
        [(e, p) for _, e, p in stats.per_day],
        [charts.Series("Điện tử", "#1f6feb"), charts.Series("Giấy", "#f0a500")],
        "Số hồ sơ mỗi ngày",
    )
    share_chart = charts.horizontal_bars(
        [
            charts.HBar(
                row.province or "Chưa xác định",
                row.share,
                f"{row.share:.1f}%".replace(".", ","),
                row.baseline,
                f"Năm 2019: {row.baseline:.1f}%".replace(".", ",") if row.baseline else "",
            )
            for row in stats.per_province
        ],
        "Tỷ lệ hồ sơ điện tử theo tỉnh (vạch đỏ: năm 2019)",
        maximum=100.0,
    )
    procedure_chart = charts.horizontal_bars(
        [
            charts.HBar(svc.catalog.short_name(pid), total, str(total))
            for pid, total, _ in stats.per_procedure
        ],
        "Số hồ sơ theo thủ tục",
    )
    rating_chart = charts.horizontal_bars(
        [
            charts.HBar(f"{score} sao", count, str(count))
            for score, count in zip(
                range(5, 0, -1), reversed(stats.ratings.distribution), strict=True
            )
        ],
        "Phân bố điểm đánh giá",
        color="#2da44e",
    )
    return render(
        request,
        "stats.html",
        {
            "active": "stats",
            "flt": flt,
            "stats": stats,
            "daily_chart": daily,
            "share_chart": share_chart,
            "procedure_chart": procedure_chart,
            "rating_chart": rating_chart,
            "unmapped": baseline.unmapped,
            "not_notified_query": _filter_query(replace(flt, not_notified=True)),
            **_choices(svc),
        },
    )


# ----------------------------------------------------------------- accounts
@router.get("/users")
def users_page(request: Request, user: AdminDep) -> Response:
    """The staff accounts (administrators)."""
    with services(request).db.session() as session:
        users = list(session.scalars(select(User).order_by(User.username)))
    return render(request, "users.html", {"active": "users", "users": users, "error": None})


@router.post("/users")
def create_user(
    request: Request,
    user: AdminDep,
    _csrf: CsrfDep,
    username: Annotated[str, Form(max_length=64)] = "",
    full_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=16)] = "staff",
    password: Annotated[str, Form(max_length=256)] = "",
    province: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Creates a staff account; an empty password generates one, shown once."""
    svc = services(request)
    username = username.strip()
    generated = not password
    password = password or new_password()
    problem = None
    if not username or not username.replace(".", "").replace("_", "").isalnum():
        problem = "Tên đăng nhập chỉ gồm chữ, số, dấu chấm, gạch dưới."
    elif role not in {"staff", "admin"}:
        problem = "Vai trò không hợp lệ."
    else:
        problem = password_problem(password, username)
    with svc.db.transaction() as session:
        if problem is None and session.scalar(select(User).where(User.username == username)):
            problem = f"Tên đăng nhập “{username}” đã có."
        if problem is None:
            session.add(
                User(
                    username=username,
                    full_name=full_name.strip(),
                    role=role,
                    password_hash=hash_password(password),
                    must_change_password=generated,
                    province=province.strip() or None,
                )
            )
            audit.record(session, user.username, "create_user", username, role, client_ip(request))
    if problem is not None:
        with svc.db.session() as session:
            users = list(session.scalars(select(User).order_by(User.username)))
        context = {"active": "users", "users": users, "error": problem}
        return render(request, "users.html", context, 422)
    message = f"Đã tạo tài khoản {username}."
    if not generated:
        flash(request, message)
        return redirect("/console/users")
    # a temporary password is shown in this answer only, never kept in the session cookie
    message += f" Mật khẩu tạm thời: {password} (chỉ hiện một lần; đổi ở lần đăng nhập đầu)."
    return _users_page_once(request, message)


def _users_page_once(request: Request, message: str) -> Response:
    """The accounts page with a message shown in this answer only (not stored anywhere)."""
    with services(request).db.session() as session:
        users = list(session.scalars(select(User).order_by(User.username)))
    context = {"active": "users", "users": users, "error": None, "once": message}
    response = render(request, "users.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/users/{user_id}")
def update_user(
    user_id: DbId,
    request: Request,
    user: AdminDep,
    _csrf: CsrfDep,
    action: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Disables, enables or resets the password of an account (administrators)."""
    svc = services(request)
    message = once = ""
    with svc.db.transaction() as session:
        target = session.get(User, user_id)
        if target is None:
            raise HTTPException(404, "Không tìm thấy tài khoản.")
        if target.id == user.id and action != "reset_password":
            raise HTTPException(409, "Không thể tự khóa tài khoản của mình.")
        if action == "disable":
            target.active = False
            target.session_epoch += 1
            message = f"Đã khóa tài khoản {target.username}."
        elif action == "enable":
            target.active = True
            message = f"Đã mở khóa tài khoản {target.username}."
        elif action == "reset_password":
            password = new_password()
            target.password_hash = hash_password(password)
            target.session_epoch += 1
            target.must_change_password = True
            once = (
                f"Mật khẩu mới của {target.username}: {password} "
                "(chỉ hiện một lần; đổi ở lần đăng nhập đầu)."
            )
        else:
            raise HTTPException(422, "Thao tác không hợp lệ.")
        audit.record(session, user.username, action, target.username, "", client_ip(request))
    if once and target.id != user.id:
        return _users_page_once(request, once)
    if once:  # an administrator reset their own password: shown once, then signed in again
        return render(request, "login.html", {"next": "/console/dossiers", "error": None,
                                              "once": once})
    flash(request, message)
    return redirect("/console/users")


@router.get("/account")
def account_page(request: Request, user: StaffDep) -> Response:
    """The signed-in user's password form (the only page of an account that must change it)."""
    return render(request, "account.html", {"active": "", "error": None})


@router.post("/account")
def change_password(
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    current: Annotated[str, Form(max_length=256)] = "",
    new: Annotated[str, Form(max_length=256)] = "",
    confirm: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Changes the signed-in user's password (other sessions end)."""
    svc = services(request)
    problem = None
    if not verify_password(user.password_hash, current):
        problem = "Mật khẩu hiện tại không đúng."
    elif new != confirm:
        problem = "Hai lần nhập mật khẩu mới không giống nhau."
    elif new == current:
        problem = "Mật khẩu mới phải khác mật khẩu hiện tại."
    else:
        problem = password_problem(new, user.username)
    if problem is not None:
        return render(request, "account.html", {"active": "", "error": problem}, 422)
    with svc.db.transaction() as session:
        target = session.get(User, user.id)
        assert target is not None
        target.password_hash = hash_password(new)
        target.session_epoch += 1
        target.must_change_password = False
        audit.record(
            session, user.username, "change_password", user.username, "", client_ip(request)
        )
        session.flush()
        start_session(request, target)
    flash(request, "Đã đổi mật khẩu.")
    return redirect("/console/dossiers")


@router.get("/audit")
def audit_page(request: Request, user: AdminDep, page: int = 1) -> Response:
    """The audit log, newest first (administrators)."""
    svc = services(request)
    page = max(1, min(page, 10_000))
    with svc.db.session() as session:
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        entries = list(
            session.scalars(
                select(AuditEntry)
                .order_by(AuditEntry.id.desc())
                .offset((page - 1) * 100)
                .limit(100)
            )
        )
    pages = max(1, -(-total // 100))
    context = {"active": "audit", "entries": entries, "page": page, "pages": pages}
    return render(request, "audit.html", context)


# ------------------------------------------------------------- paper dossiers
@router.get("/paper")
def paper_form(request: Request, user: StaffDep, procedure: str = "") -> Response:
    """The form to record a dossier handed in on paper (at the counter or by post)."""
    svc = services(request)
    chosen = chosen_procedure(svc.catalog, procedure)
    return render(request, "paper.html", _paper_context(svc, chosen, {}, {}, new_token(16)))


@router.post("/paper")
async def paper_submit(request: Request, user: StaffDep, _csrf: CsrfDep) -> Response:
    """Stores a paper dossier through the same checks as the API (channel counter/post)."""
    svc = services(request)
    form = await request.form()
    procedure = str(form.get("procedure", ""))[:64]
    channel = "post" if form.get("channel") == "post" else "counter"
    infos = svc.catalog.field_infos(procedure)
    values = {info.id: str(form.get(f"f_{info.id}", "")).strip()[:500] for info in infos}
    province = str(form.get("province", ""))[:100]
    payload = {
        "procedure_id": procedure or "_",
        "channel": channel,
        "sender_id": f"staff:{user.username}",
        "fields": {k: v for k, v in values.items() if v},
        "answers": {},
        "province": province or None,
    }
    key = f"paper:{str(form.get('form_key', ''))[:64]}"
    try:
        dossier, _ = await run_in_threadpool(
            svc.dossiers.submit, DossierCreate.model_validate(payload), key, user.username
        )
    except (SubmissionRejected, ValidationError, IdempotencyConflict) as exc:
        typed = {**values, "province": province, "channel": channel}
        form_key = str(form.get("form_key", "")) or new_token(16)
        context = _paper_context(svc, procedure, typed, _paper_errors(exc), form_key)
        return render(request, "paper.html", context, 422)
    await run_in_threadpool(
        record, request, user.username, "record_paper_dossier", dossier.receipt_code, channel
    )
    flash(request, f"Đã ghi nhận hồ sơ giấy {dossier.receipt_code}.")
    return redirect(f"/console/dossiers/{dossier.receipt_code}")


def _paper_context(
    svc: Services, procedure: str, values: dict[str, str], errors: dict[str, str], form_key: str
) -> dict[str, Any]:
    return {
        "active": "paper",
        "procedure_choices": svc.catalog.procedures(),
        "procedure": procedure,
        "infos": svc.catalog.field_infos(procedure) if procedure else [],
        "provinces": svc.catalog.provinces(),
        "values": values,
        "errors": errors,
        "form_key": form_key,
    }


def _paper_errors(exc: Exception) -> dict[str, str]:
    if isinstance(exc, SubmissionRejected):
        return field_errors(exc)
    if isinstance(exc, IdempotencyConflict):
        return {"form": "Biểu mẫu này đã được gửi với nội dung khác; xin mở lại biểu mẫu mới."}
    assert isinstance(exc, ValidationError)
    return {"form": "Thông tin chưa đúng định dạng; xin kiểm tra lại."}
