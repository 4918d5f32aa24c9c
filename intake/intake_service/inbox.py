"""The console's "Hộp thư hỗ trợ": the human handoff inbox, call backs and codes for callers.

Staff see the queue of waiting conversations, claim one, read the live transcript (the page
polls a small JSON endpoint), reply with the help of short templates, correct the collected
data with the shared validators, and hand the conversation back to the assistant at a chosen
point or close it. Every action is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from intake_service import handoff_codes
from intake_service.catalog_fields import FieldInfo
from intake_service.context import Services, services
from intake_service.dossiers import LOCAL_TZ, DossierFilter, SubmissionRejected
from intake_service.forms import (
    MAX_VALUE_LENGTH,
    chosen_procedure,
    field_errors,
    masked_person,
    typed_values,
)
from intake_service.handoffs import (
    CALLBACK_OUTCOMES,
    CLAIMED,
    NOTE,
    OPEN_STATUSES,
    RESUME_LABELS,
    STATUS_LABELS,
    WAITING,
    WITHDRAWN,
    HandoffConflict,
    HandoffError,
    HandoffNotFound,
    reason_label,
    staff_name,
    withdrawal_note,
)
from intake_service.models import Dossier, Handoff, HandoffMessage, User, WebhookDelivery
from intake_service.pages import (
    AdminDep,
    CsrfDep,
    DbId,
    StaffDep,
    flash,
    record,
    redirect,
    render,
)
from intake_service.pii import mask_text
from intake_service.templating import channel_label

__all__ = ["router"]

router = APIRouter(prefix="/console", include_in_schema=False)

DELIVERY_LABELS = {
    "pending": "Đang gửi…",
    "delivered": "Đã gửi tới người dân",
    "failed": "Gửi không được",
}
AUTHOR_LABELS = {
    "citizen": "Người dân",
    "bot": "Trợ lý",
    "staff": "Cán bộ",
    "system": "Hệ thống",
    NOTE: "Ghi chú nội bộ (người dân không thấy)",
}
NOTICE_LABELS = {
    "handoff_claimed": "Báo người dân có cán bộ hỗ trợ",
    "handoff_returned": "Báo người dân trợ lý tiếp tục",
    "handoff_closed": "Báo người dân cuộc trò chuyện đã kết thúc",
    "handoff_expired": "Báo người dân chưa có cán bộ rảnh",
}
PREVIEW_LENGTH = 90


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _minutes_since(moment: datetime, now: datetime) -> int:
    return max(0, int((now - moment).total_seconds() // 60))


def _local_time(moment: datetime, now: datetime) -> str:
    local, today = moment.astimezone(LOCAL_TZ), now.astimezone(LOCAL_TZ)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")


def _preview(words: str) -> str:
    """The citizen's last words, with personal numbers hidden (for lists)."""
    text = mask_text(" ".join(words.split()))
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"


def _queue_item(svc: Services, handoff: Handoff, now: datetime, words: str) -> dict[str, Any]:
    name, identifier = masked_person(svc.catalog, handoff.procedure_id or "", handoff.collected)
    return {
        "id": handoff.id,
        "url": f"/console/handoffs/{handoff.id}",
        "status": handoff.status,
        "channel": channel_label(handoff.channel),
        "procedure": svc.catalog.short_name(handoff.procedure_id)
        if handoff.procedure_id
        else "Chưa rõ thủ tục",
        "province": handoff.province or "—",
        "reason": reason_label(handoff.reason),
        "since": handoff.created_at.isoformat(),
        "waited": _minutes_since(handoff.created_at, now),
        "name": name,
        "identifier": identifier,
        "preview": _preview(words),
        "staff": handoff.staff_name or handoff.claimed_by or "",
        "claimed_by": handoff.claimed_by or "",
    }


def _queue(svc: Services, user: User) -> dict[str, Any]:
    now = svc.handoffs.clock()
    handoffs = svc.handoffs.open_handoffs()
    words = svc.handoffs.last_citizen_words([h.id for h in handoffs])
    items = [_queue_item(svc, h, now, words.get(h.id, "")) for h in handoffs]
    return {
        "waiting": [i for i in items if i["status"] == WAITING],
        "mine": [i for i in items if i["status"] == CLAIMED and i["claimed_by"] == user.username],
        "others": [
            i for i in items if i["status"] == CLAIMED and i["claimed_by"] != user.username
        ],
        "callbacks": svc.handoffs.open_callbacks(),
        "now": now.isoformat(),
    }


def _safe_url(url: object) -> str | None:
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else None


def _message_json(
    message: HandoffMessage, now: datetime, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """One message for the page; a staff reply shows the name the citizen reads."""
    user = message.staff_user or ""
    return {
        "id": message.id,
        "author": message.author,
        "author_label": AUTHOR_LABELS.get(message.author, message.author),
        "staff": (names or {}).get(user, user),
        "text": message.text,
        "at": _local_time(message.at, now),
        "delivery": message.delivery or "",
        "delivery_label": DELIVERY_LABELS.get(message.delivery or "", ""),
        "reason": message.delivery_reason or "",
        "attachments": [
            {
                "type": str(a.get("type", "")),
                "name": str(a.get("name") or a.get("type") or "tệp"),
                "url": _safe_url(a.get("url")),
            }
            for a in message.attachments
            if isinstance(a, dict)
        ],
    }


def _names(svc: Services, messages: list[HandoffMessage]) -> dict[str, str]:
    return svc.handoffs.staff_names({m.staff_user for m in messages if m.staff_user})


def notice_json(delivery: WebhookDelivery) -> dict[str, Any]:
    """Whether the citizen was told of a claim, hand-back, end or expiry (never assumed)."""
    if delivery.state == "pending":
        state, text = "pending", "đang gửi…"
    elif delivery.state == "delivered" and delivery.citizen_notified:
        state, text = "told", "đã báo"
    else:
        state, text = "not_told", "chưa báo được"
    reason = delivery.citizen_reason or ("" if state != "not_told" else delivery.last_error or "")
    return {
        "id": delivery.id,
        "event": delivery.event,
        "label": NOTICE_LABELS.get(delivery.event, delivery.event),
        "state": state,
        "text": text,
        "reason": reason,
    }


def _can_act(handoff: Handoff, user: User) -> bool:
    return handoff.status == CLAIMED and (
        handoff.claimed_by == user.username or user.role == "admin"
    )


def _ended_note(handoff: Handoff) -> str:
    """Why the reply box is closed, when the citizen cancelled (empty otherwise)."""
    if handoff.status == WITHDRAWN and handoff.closed_at is not None:
        return withdrawal_note(handoff.closed_at)
    return ""


def _refused(
    request: Request, handoff_id: int, exc: HandoffError | SubmissionRejected
) -> Response:
    """A staff action that could not be done: 404 for an unknown conversation, else the
    reason shown on the conversation's page."""
    if isinstance(exc, HandoffNotFound):
        raise HTTPException(404, exc.message) from None
    flash(request, _problem(exc), "error")
    return redirect(f"/console/handoffs/{handoff_id}")


def _problem(exc: HandoffError | SubmissionRejected) -> str:
    return exc.message if isinstance(exc, HandoffError) else exc.errors[0][1]


def _load(svc: Services, handoff_id: int) -> Handoff:
    try:
        return svc.handoffs.get(handoff_id)
    except HandoffNotFound as exc:
        raise HTTPException(404, exc.message) from None


# -------------------------------------------------------------------- queue
@router.get("/inbox")
def inbox(request: Request, user: StaffDep, q: str = "") -> Response:
    """The queue of waiting conversations, the ones being answered, and recent ones; with
    ``q``, the past conversations whose messages contain it (or whose sender id it is)."""
    svc = services(request)
    query = q.replace("\x00", "").strip()[:100]
    if query:
        record(request, user.username, "search_handoffs", detail=query)
    context = {
        "active": "inbox",
        "queue": _queue(svc, user),
        "recent": svc.handoffs.recent(),
        "query": query,
        "found": svc.handoffs.search(query) if query else [],
    }
    return render(request, "inbox.html", context)


@router.get("/inbox/queue.json")
def inbox_queue(request: Request, user: StaffDep) -> Response:
    """The queue for the page's live refresh (masked like the page)."""
    return JSONResponse(_queue(services(request), user))


# ------------------------------------------------------------- conversation
def _field_rows(svc: Services, handoff: Handoff) -> tuple[list[tuple[FieldInfo, Any]], list[Any]]:
    infos = svc.catalog.field_infos(handoff.procedure_id or "")
    known = {info.id for info in infos}
    rows = [(info, handoff.collected.get(info.id)) for info in infos]
    extra = [(k, v) for k, v in handoff.collected.items() if k not in known]
    return rows, extra


def _conversation_context(
    svc: Services,
    handoff: Handoff,
    user: User,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> dict[str, Any]:
    now = svc.handoffs.clock()
    rows, extra = _field_rows(svc, handoff)
    names = _names(svc, handoff.messages)
    return {
        "active": "inbox",
        "h": handoff,
        "handoff_label": STATUS_LABELS.get(handoff.status, handoff.status),
        "messages": [_message_json(m, now, names) for m in handoff.messages],
        "notices": [notice_json(d) for d in svc.handoffs.notices(handoff.id)],
        "last_id": handoff.messages[-1].id if handoff.messages else 0,
        "can_act": _can_act(handoff, user),
        "ended": _ended_note(handoff),
        "is_open": handoff.status in OPEN_STATUSES,
        "waited": _minutes_since(handoff.created_at, now),
        "field_rows": rows,
        "extra_fields": extra,
        "answers": [
            svc.catalog.describe_answer(handoff.procedure_id or "", key, value)
            for key, value in handoff.answers.items()
        ],
        "display": lambda fid, value: svc.catalog.display(handoff.procedure_id or "", fid, value),
        "templates": svc.reply_templates.all(),
        "procedure_choices": svc.catalog.procedures(),
        "resume_labels": RESUME_LABELS,
        "errors": errors or {},
        "typed": typed or {},
        "callbacks": [c for c in svc.handoffs.callbacks("open") if c.handoff_id == handoff.id],
        "colleagues": svc.handoffs.colleagues(user) if _can_act(handoff, user) else [],
        "earlier": svc.handoffs.earlier(handoff),
        "citizen_dossiers": _citizen_dossiers(svc, handoff),
    }


def _citizen_dossiers(svc: Services, handoff: Handoff) -> list[Dossier]:
    """The citizen's dossiers: sent from this conversation, or with the same CCCD, mã số
    BHXH or phone number as the data collected (found through the keyed search index)."""
    found: dict[int, Dossier] = {}
    searches = [DossierFilter(channel=handoff.channel, query=handoff.sender_id)]
    for info in svc.catalog.field_infos(handoff.procedure_id or ""):
        value = handoff.collected.get(info.id)
        if info.type in ("cccd", "bhxh_code", "phone") and value:
            searches.append(DossierFilter(query=str(value)))
    for flt in searches:
        rows, _ = svc.dossiers.search(flt, limit=10)
        found.update({d.id: d for d in rows})
    return sorted(found.values(), key=lambda d: d.created_at, reverse=True)[:10]


@router.get("/handoffs/{handoff_id}")
def conversation(handoff_id: DbId, request: Request, user: StaffDep) -> Response:
    """One conversation: transcript, reply box, collected data, hand back."""
    svc = services(request)
    handoff = _load(svc, handoff_id)
    record(request, user.username, "view_handoff", f"handoff:{handoff_id}")
    return render(request, "handoff.html", _conversation_context(svc, handoff, user))


@router.get("/handoffs/{handoff_id}/messages.json")
def conversation_messages(
    handoff_id: DbId, request: Request, user: StaffDep, after: int = 0, pending: str = ""
) -> Response:
    """New messages since ``after`` (and the current state of replies still being sent)."""
    svc = services(request)
    try:
        handoff, messages = svc.handoffs.messages_after(handoff_id, max(0, after))
    except HandoffNotFound as exc:
        raise HTTPException(404, exc.message) from None
    watched = {int(p) for p in pending.split(",")[:50] if p.strip().isdigit()}
    updates: list[HandoffMessage] = []
    if watched:
        updates = [m for m in svc.handoffs.get(handoff_id).messages if m.id in watched]
    now = svc.handoffs.clock()
    names = _names(svc, [*messages, *updates])
    return JSONResponse(
        {
            "status": handoff.status,
            "status_label": STATUS_LABELS.get(handoff.status, handoff.status),
            "staff": handoff.staff_name or "",
            "can_act": _can_act(handoff, user),
            "ended": _ended_note(handoff),
            "messages": [_message_json(m, now, names) for m in messages],
            "updates": [_message_json(m, now, names) for m in updates],
            "notices": [notice_json(d) for d in svc.handoffs.notices(handoff_id)],
        }
    )


@router.post("/handoffs/{handoff_id}/claim")
def claim(handoff_id: DbId, request: Request, user: StaffDep, _csrf: CsrfDep) -> Response:
    """Takes a waiting conversation (only one staff member can)."""
    svc = services(request)
    try:
        svc.handoffs.claim(handoff_id, user)
    except HandoffNotFound as exc:
        raise HTTPException(404, exc.message) from None
    except HandoffConflict as exc:
        record(request, user.username, "claim_handoff_refused", f"handoff:{handoff_id}")
        flash(request, exc.message, "error")
        return redirect("/console/inbox")
    record(request, user.username, "claim_handoff", f"handoff:{handoff_id}")
    flash(request, "Đã nhận cuộc trò chuyện. Trợ lý đang báo người dân có cán bộ hỗ trợ.")
    return redirect(f"/console/handoffs/{handoff_id}")


@router.post("/handoffs/{handoff_id}/reply")
async def reply(
    handoff_id: DbId,
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Sends a reply to the citizen through the bot; the answer says whether it arrived."""
    svc = services(request)
    try:
        message = await svc.handoffs.reply(handoff_id, user, text)
    except (HandoffError, SubmissionRejected) as exc:
        if _wants_json(request) and not isinstance(exc, HandoffNotFound):
            code = 409 if isinstance(exc, HandoffError) else 422
            return JSONResponse({"error": _problem(exc)}, status_code=code)
        return _refused(request, handoff_id, exc)
    detail = f"#{message.id}: {message.delivery} {message.delivery_reason or ''}".strip()
    await run_in_threadpool(
        record, request, user.username, "reply_handoff", f"handoff:{handoff_id}", detail
    )
    if _wants_json(request):
        names = {user.username: staff_name(user)}
        return JSONResponse({"message": _message_json(message, svc.handoffs.clock(), names)})
    if message.delivery == "delivered":
        note = f" {message.delivery_reason}" if message.delivery_reason else ""
        flash(request, f"Đã gửi tin nhắn tới người dân.{note}")
    else:
        flash(request, f"Tin nhắn gửi không được: {message.delivery_reason}", "error")
    return redirect(f"/console/handoffs/{handoff_id}")


@router.post("/handoffs/{handoff_id}/note")
def add_note(
    handoff_id: DbId,
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """An internal note: kept with the conversation, never sent to the citizen."""
    svc = services(request)
    try:
        svc.handoffs.add_note(handoff_id, user, text)
    except (HandoffError, SubmissionRejected) as exc:
        return _refused(request, handoff_id, exc)
    record(request, user.username, "note_handoff", f"handoff:{handoff_id}")
    flash(request, "Đã lưu ghi chú nội bộ (người dân không thấy).")
    return redirect(f"/console/handoffs/{handoff_id}#transcript")


@router.post("/handoffs/{handoff_id}/transfer")
def transfer(
    handoff_id: DbId,
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    to: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Hands the conversation to a colleague (the citizen is told who helps now)."""
    svc = services(request)
    try:
        handoff = svc.handoffs.transfer(handoff_id, user, to)
    except HandoffError as exc:
        return _refused(request, handoff_id, exc)
    record(request, user.username, "transfer_handoff", f"handoff:{handoff_id}", to)
    flash(request, f"Đã chuyển cuộc trò chuyện cho cán bộ {handoff.staff_name}.")
    return redirect("/console/inbox")


@router.post("/handoffs/{handoff_id}/data")
async def correct_data(
    handoff_id: DbId, request: Request, user: StaffDep, _csrf: CsrfDep
) -> Response:
    """Corrects the collected data (shared validators; an empty box removes the value)."""
    svc = services(request)
    typed = typed_values(await request.form(), "f_")
    try:
        changed = await run_in_threadpool(svc.handoffs.correct, handoff_id, user, typed)
    except SubmissionRejected as exc:
        handoff = await run_in_threadpool(_load, svc, handoff_id)
        context = _conversation_context(svc, handoff, user, field_errors(exc), typed)
        return render(request, "handoff.html", context, 422)
    except HandoffError as exc:
        return _refused(request, handoff_id, exc)
    await run_in_threadpool(
        record,
        request,
        user.username,
        "correct_handoff_data",
        f"handoff:{handoff_id}",
        ", ".join(changed),
    )
    flash(request, f"Đã lưu {len(changed)} thông tin." if changed else "Không có gì thay đổi.")
    return redirect(f"/console/handoffs/{handoff_id}#data")


@router.post("/handoffs/{handoff_id}/procedure")
def set_procedure(
    handoff_id: DbId,
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    procedure: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Sets the procedure the conversation is about (its fields then show for correction)."""
    svc = services(request)
    try:
        svc.handoffs.set_procedure(handoff_id, user, procedure)
    except (HandoffError, SubmissionRejected) as exc:
        return _refused(request, handoff_id, exc)
    record(request, user.username, "set_handoff_procedure", f"handoff:{handoff_id}", procedure)
    flash(request, f"Đã chọn thủ tục “{svc.catalog.name(procedure)}”.")
    return redirect(f"/console/handoffs/{handoff_id}#data")


@router.post("/handoffs/{handoff_id}/return")
def hand_back(
    handoff_id: DbId,
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    resume: Annotated[str, Form(max_length=16)] = "",
    procedure: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Hands the conversation back to the assistant at the chosen point."""
    svc = services(request)
    try:
        svc.handoffs.hand_back(handoff_id, user, resume, procedure or None)
    except (HandoffError, SubmissionRejected) as exc:
        return _refused(request, handoff_id, exc)
    record(request, user.username, "return_handoff", f"handoff:{handoff_id}", resume)
    flash(request, f"Đã chuyển lại trợ lý: {RESUME_LABELS[resume].lower()}.")
    return redirect("/console/inbox")


@router.post("/handoffs/{handoff_id}/close")
def close(handoff_id: DbId, request: Request, user: StaffDep, _csrf: CsrfDep) -> Response:
    """Ends the conversation (the assistant is in charge again but says nothing more)."""
    svc = services(request)
    try:
        svc.handoffs.close(handoff_id, user)
    except HandoffError as exc:
        return _refused(request, handoff_id, exc)
    record(request, user.username, "close_handoff", f"handoff:{handoff_id}")
    flash(request, "Đã kết thúc cuộc trò chuyện.")
    return redirect("/console/inbox")


# ---------------------------------------------------------------- callbacks
def _callback_groups(svc: Services) -> list[dict[str, Any]]:
    """The open call backs, one entry per phone number (repeat requests merged), with topics."""
    open_requests = svc.handoffs.callbacks("open")
    topics = svc.handoffs.callback_topics([c.handoff_id for c in open_requests if c.handoff_id])
    groups: dict[str, dict[str, Any]] = {}
    for request in open_requests:
        group = groups.setdefault(
            request.phone,
            {"phone": request.phone, "first": request, "requests": [], "topics": []},
        )
        group["requests"].append(request)
        procedure, reason = topics.get(request.handoff_id or 0, (None, ""))
        topic = svc.catalog.short_name(procedure) if procedure else reason_label(reason or "")
        if topic and topic not in group["topics"]:
            group["topics"].append(topic)
    return list(groups.values())


@router.get("/callbacks")
def callbacks(request: Request, user: StaffDep) -> Response:
    """The phone numbers left for a call back (one line per number), and those already called."""
    svc = services(request)
    record(request, user.username, "view_callbacks")
    context = {
        "active": "inbox",
        "groups": _callback_groups(svc),
        "outcomes": CALLBACK_OUTCOMES,
        "done": svc.handoffs.callbacks("done", limit=50),
    }
    return render(request, "callbacks.html", context)


@router.post("/callbacks/{callback_id}/done")
def callback_done(
    callback_id: DbId,
    request: Request,
    user: StaffDep,
    _csrf: CsrfDep,
    note: Annotated[str, Form(max_length=2000)] = "",
    outcome: Annotated[str, Form(max_length=16)] = "reached",
) -> Response:
    """Marks a number as called, with the outcome (every open request of that number)."""
    svc = services(request)
    try:
        done = svc.handoffs.complete_callback(callback_id, user, note, outcome)
    except HandoffError as exc:
        if "Không tìm thấy" in exc.message:
            raise HTTPException(404, exc.message) from None
        flash(request, exc.message, "error")
        return redirect("/console/callbacks")
    detail = f"{CALLBACK_OUTCOMES[outcome]} ({len(done)} yêu cầu) {note}".strip()
    record(request, user.username, "complete_callback", f"callback:{callback_id}", detail)
    flash(request, f"Đã ghi kết quả cuộc gọi: {CALLBACK_OUTCOMES[outcome].lower()}.")
    return redirect("/console/callbacks")


# ------------------------------------------------------------ caller codes
def _code_form(
    svc: Services,
    procedure: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    chosen = chosen_procedure(svc.catalog, procedure)
    return {
        "active": "inbox",
        "procedure_choices": svc.catalog.procedures(),
        "procedure": chosen,
        "infos": svc.catalog.field_infos(chosen) if chosen else [],
        "questions": svc.catalog.question_infos(chosen) if chosen else [],
        "values": values or {},
        "errors": errors or {},
        "recent": svc.codes.recent(),
        "issued": None,
        "links": {},
        "display_code": handoff_codes.display,
        "now": svc.codes.clock(),
    }


@router.get("/handoff-codes")
def code_form(request: Request, user: StaffDep, procedure: str = "") -> Response:
    """ "Tạo mã cho người gọi điện": choose the procedure, type what the caller said."""
    return render(request, "handoff_codes.html", _code_form(services(request), procedure[:64]))


@router.post("/handoff-codes")
async def issue_code(request: Request, user: StaffDep, _csrf: CsrfDep) -> Response:
    """Checks the values with the shared validators and gives the code to read to the caller."""
    svc = services(request)
    form = await request.form()
    procedure = str(form.get("procedure", ""))[:64]
    fields, answers = typed_values(form, "f_"), typed_values(form, "q_")
    note = str(form.get("note", ""))[:MAX_VALUE_LENGTH]
    try:
        code = await run_in_threadpool(svc.codes.issue, user, procedure, fields, answers, note)
    except SubmissionRejected as exc:
        values = {f"f_{k}": v for k, v in fields.items()}
        values.update({f"q_{k}": v for k, v in answers.items()})
        values["note"] = note
        context = _code_form(svc, procedure, values, field_errors(exc))
        return render(request, "handoff_codes.html", context, 422)
    await run_in_threadpool(
        record, request, user.username, "create_handoff_code", code.code, procedure
    )
    context = _code_form(svc, "")
    context.update({"issued": code, "links": svc.codes.links(code.code)})
    return render(request, "handoff_codes.html", context)


# ---------------------------------------------------------- reply templates
def _templates_page(
    request: Request, svc: Services, rejected: SubmissionRejected | None = None
) -> Response:
    """The templates page, with the reason a title or text was refused (422) if any."""
    context = {
        "active": "inbox",
        "templates": svc.reply_templates.all(),
        "error": _problem(rejected) if rejected else None,
    }
    return render(request, "reply_templates.html", context, 422 if rejected else 200)


@router.get("/reply-templates")
def reply_templates(request: Request, user: AdminDep) -> Response:
    """The short replies of the inbox (administrators edit them)."""
    return _templates_page(request, services(request))


@router.post("/reply-templates")
def add_reply_template(
    request: Request,
    user: AdminDep,
    _csrf: CsrfDep,
    title: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Adds a template."""
    svc = services(request)
    try:
        template = svc.reply_templates.add(title, text, user.username)
    except SubmissionRejected as exc:
        return _templates_page(request, svc, exc)
    record(request, user.username, "add_reply_template", f"template:{template.id}", title)
    flash(request, f"Đã thêm mẫu “{template.title}”.")
    return redirect("/console/reply-templates")


@router.post("/reply-templates/{template_id}")
def change_reply_template(
    template_id: DbId,
    request: Request,
    user: AdminDep,
    _csrf: CsrfDep,
    action: Annotated[str, Form(max_length=16)] = "save",
    title: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Saves or deletes a template."""
    svc = services(request)
    target = f"template:{template_id}"
    if action == "delete":
        removed = svc.reply_templates.delete(template_id)
        if removed is None:
            raise HTTPException(404, "Không tìm thấy mẫu trả lời.")
        record(request, user.username, "delete_reply_template", target, removed.title)
        flash(request, f"Đã xóa mẫu “{removed.title}”.")
        return redirect("/console/reply-templates")
    try:
        svc.reply_templates.update(template_id, title, text, user.username)
    except SubmissionRejected as exc:
        return _templates_page(request, svc, exc)
    record(request, user.username, "edit_reply_template", target, title)
    flash(request, "Đã lưu mẫu trả lời.")
    return redirect("/console/reply-templates")
