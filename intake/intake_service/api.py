"""The HTTP API used by the bot (and by offices' own systems); see docs/contracts.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Depends,
    File,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from intake_service import privacy, statuses
from intake_service.attachments import RejectedFile
from intake_service.auth import Principal, api_principal, client_ip, staff_principal
from intake_service.catalog_fields import CatalogFields
from intake_service.context import services
from intake_service.dossiers import IdempotencyConflict, NotFound, SubmissionRejected
from intake_service.models import Attachment, Dossier
from intake_service.pages import file_response, record
from intake_service.schemas import (
    NO_NUL,
    AttachmentOut,
    DossierCreate,
    DossierCreated,
    DossierList,
    DossierOut,
    DossierSummary,
    ErasureOut,
    ErasureRequest,
    ErrorOut,
    HistoryEntry,
    RatingCreate,
    RatingOut,
    StatusChange,
    ValidationErrorOut,
)

__all__ = [
    "attachment_out",
    "build_router",
    "created_responses",
    "dossier_out",
    "error_responses",
    "healthz",
]


NOT_FOUND = "Không tìm thấy hồ sơ có mã này."
MAX_ID = 2**31 - 1  # database integer ids fit in 32 bits
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Khóa do bên gửi tạo, giữ nguyên khi gửi lại cùng một hồ sơ.",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
]
CallerDep = Annotated[Principal, Depends(api_principal)]


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of an operation (401, 413, 422 always; others as given)."""
    responses: dict[int | str, dict[str, Any]] = {
        401: {"model": ErrorOut, "description": "Chưa xác thực"},
        413: {"model": ErrorOut, "description": "Nội dung quá lớn"},
        422: {"model": ValidationErrorOut, "description": "Thông tin cần sửa"},
    }
    descriptions = {
        403: "Không có quyền",
        404: "Không tìm thấy",
        409: "Xung đột",
        410: "Không còn hiệu lực",
        429: "Quá nhiều lần thử",
    }
    for code in codes:
        responses[code] = {"model": ErrorOut, "description": descriptions[code]}
    return responses


def created_responses(
    model: type[BaseModel], existing: str, *codes: int
) -> dict[int | str, dict[str, Any]]:
    """The answers of a call that creates (201): 200 with what ``existing`` describes, errors."""
    return {200: {"model": model, "description": existing}, **error_responses(*codes)}


def attachment_out(receipt_code: str, attachment: Attachment) -> AttachmentOut:
    """The API view of an attachment, with the address of its bytes."""
    return AttachmentOut(
        id=attachment.id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_at=attachment.uploaded_at,
        url=f"/api/v1/dossiers/{receipt_code}/attachments/{attachment.id}",
    )


def _summary(catalog: CatalogFields, dossier: Dossier) -> DossierSummary:
    return DossierSummary(
        receipt_code=dossier.receipt_code,
        procedure_id=dossier.procedure_id,
        procedure_name=catalog.name(dossier.procedure_id),
        status=dossier.status,  # type: ignore[arg-type]
        status_label=statuses.label(dossier.status),
        created_at=dossier.created_at,
        updated_at=dossier.updated_at,
    )


def dossier_out(catalog: CatalogFields, dossier: Dossier, masked: bool) -> DossierOut:
    """The API view of a dossier; sensitive fields partly hidden when ``masked``."""
    infos = {info.id: info for info in catalog.field_infos(dossier.procedure_id)}
    fields: dict[str, Any] = {}
    for name, value in dossier.fields.items():
        info = infos.get(name)
        hide = masked and info is not None and info.sensitive and value is not None
        fields[name] = catalog.mask(info.type, value) if hide and info else value
    code = dossier.receipt_code
    return DossierOut(
        receipt_code=code,
        procedure_id=dossier.procedure_id,
        procedure_name=catalog.name(dossier.procedure_id),
        status=dossier.status,  # type: ignore[arg-type]
        status_label=statuses.label(dossier.status),
        channel=dossier.channel,
        sender_id=dossier.sender_id,
        province=dossier.province,
        office=dossier.office,
        created_at=dossier.created_at,
        updated_at=dossier.updated_at,
        processing_time=catalog.processing_time(dossier.procedure_id),
        history=[
            HistoryEntry(
                status=event.status,  # type: ignore[arg-type]
                status_label=statuses.label(event.status),
                at=event.at,
                actor=event.actor,
                note=event.note,
            )
            for event in dossier.history
        ],
        fields=fields,
        answers=dict(dossier.answers),
        attachments=[attachment_out(code, a) for a in dossier.attachments],
        consent=dossier.consent,
    )


def healthz() -> dict[str, str]:
    """Liveness check: ``{"status": "ok"}``."""
    return {"status": "ok"}


def submit_dossier(
    payload: DossierCreate,
    idempotency_key: IdempotencyKey,
    request: Request,
    response: Response,
    caller: CallerDep,
) -> DossierCreated:
    """Submits a dossier. The same Idempotency-Key and body give the same receipt code."""
    svc = services(request)
    try:
        dossier, created = svc.dossiers.submit(payload, idempotency_key, caller.name)
    except IdempotencyConflict:
        raise HTTPException(
            409, "Khóa Idempotency-Key này đã được dùng cho một hồ sơ có nội dung khác."
        ) from None
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return DossierCreated(
        receipt_code=dossier.receipt_code,
        status=dossier.status,  # type: ignore[arg-type]
        status_label=statuses.label(dossier.status),
        procedure_id=dossier.procedure_id,
        created_at=dossier.created_at,
        processing_time=svc.catalog.processing_time(dossier.procedure_id),
        province=dossier.province,
        office=dossier.office,
    )


def list_dossiers(
    request: Request,
    caller: CallerDep,
    sender_id: Annotated[str, Query(min_length=1, max_length=128, pattern=NO_NUL)],
    channel: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
) -> DossierList:
    """The dossiers of one conversation (newest first, at most 50)."""
    svc = services(request)
    rows = [d for d in svc.dossiers.for_conversation(sender_id, channel or None)
            if caller.sees(d.province)]
    return DossierList(items=[_summary(svc.catalog, d) for d in rows])


def get_dossier(
    receipt_code: Annotated[str, Path(max_length=32)],
    request: Request,
    caller: CallerDep,
    view: Literal["full", "masked"] = "full",
) -> DossierOut:
    """A dossier with status history, fields and attachments.

    The bot's key and staff read full values; ``view=masked`` hides sensitive values partly
    (for showing to a citizen).
    """
    svc = services(request)
    try:
        dossier = svc.dossiers.get(receipt_code)
    except NotFound:
        raise HTTPException(404, NOT_FOUND) from None
    if not caller.sees(dossier.province):
        raise HTTPException(404, NOT_FOUND)
    if caller.kind == "staff":
        record(request, caller.name, "view_dossier", dossier.receipt_code, "api")
    return dossier_out(svc.catalog, dossier, masked=view == "masked")


def change_status(
    receipt_code: Annotated[str, Path(max_length=32)],
    change: StatusChange,
    request: Request,
    caller: Annotated[Principal, Depends(staff_principal)],
) -> DossierOut:
    """Changes the status (staff only). A note is required for needs_info and rejected.

    The citizen is notified on their channel through a signed webhook to the bot.
    """
    svc = services(request)
    try:
        if not caller.sees(svc.dossiers.get(receipt_code).province):
            raise NotFound(receipt_code)
        dossier = svc.dossiers.change_status(receipt_code, change.status, change.note, caller.name)
    except NotFound:
        raise HTTPException(404, NOT_FOUND) from None
    except statuses.TransitionError as exc:
        if change.status in statuses.NOTE_REQUIRED and not (change.note or "").strip():
            raise SubmissionRejected([("note", str(exc))]) from None
        raise HTTPException(409, str(exc)) from None
    detail = f"{change.status}: {change.note or ''}"
    record(request, caller.name, "change_status", dossier.receipt_code, detail)
    return dossier_out(svc.catalog, dossier, masked=False)


async def upload_attachment(
    receipt_code: Annotated[str, Path(max_length=32)],
    file: Annotated[UploadFile, File(description="Ảnh (JPG, PNG, WebP, HEIC) hoặc PDF")],
    request: Request,
    response: Response,
    caller: CallerDep,
) -> AttachmentOut:
    """Attaches a photo or PDF (type checked from the content, size limited, SHA-256 kept)."""
    svc = services(request)
    data = await file.read(svc.settings.max_upload_bytes + 1)
    try:
        attachment, created = await run_in_threadpool(
            svc.dossiers.attach, receipt_code, file.filename, data, caller.name
        )
    except NotFound:
        raise HTTPException(404, NOT_FOUND) from None
    except RejectedFile as exc:
        raise SubmissionRejected([("file", str(exc))]) from None
    if not created:
        response.status_code = 200
    code = (await run_in_threadpool(svc.dossiers.get, receipt_code)).receipt_code
    return attachment_out(code, attachment).model_copy(update={"already_attached": not created})


def download_attachment(
    receipt_code: Annotated[str, Path(max_length=32)],
    attachment_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    request: Request,
    caller: CallerDep,
) -> Response:
    """The bytes of an attachment (the bot's key or staff only)."""
    svc = services(request)
    try:
        attachment, code = svc.dossiers.attachment(attachment_id)
        if code != svc.dossiers.get(receipt_code).receipt_code:
            raise NotFound(receipt_code)
    except NotFound:
        raise HTTPException(404, "Không tìm thấy tệp đính kèm.") from None
    content = svc.dossiers.store.read(attachment.sha256)
    if content is None:
        raise HTTPException(404, "Tệp đính kèm không còn trên máy chủ.")
    if caller.kind == "staff":
        record(request, caller.name, "download_attachment", code, attachment.filename)
    return file_response(content, attachment.content_type, attachment.filename)


def submit_rating(
    payload: RatingCreate,
    request: Request,
    caller: CallerDep,
    idempotency_key: OptionalIdempotencyKey = None,
) -> RatingOut:
    """Stores a citizen's 1–5 rating (shown as a satisfaction index on the statistics page)."""
    rating = services(request).dossiers.rate(payload, idempotency_key)
    return RatingOut(
        id=rating.id,
        receipt_code=rating.receipt_code,
        score=rating.score,
        created_at=rating.created_at,
    )


def erase_conversation_data(
    payload: ErasureRequest, request: Request, caller: CallerDep
) -> ErasureOut:
    """Erases what the service keeps of one conversation ("xóa dữ liệu của tôi"; the bot's key).

    Filed dossiers stay with the office: their receipt codes are returned. The erasure is
    written to the audit log. Staff erase from the console (which also tells the bot).
    """
    if caller.kind != "bot":
        raise HTTPException(403, "Cán bộ xóa dữ liệu của người dân trong bàn làm việc.")
    with services(request).db.transaction() as session:
        done = privacy.erase_conversation(
            session, payload.channel, payload.sender_id, caller.name, client_ip(request)
        )
    return ErasureOut(
        kept_dossiers=done.kept_dossiers,
        handoffs=done.handoffs,
        callbacks=done.callbacks,
        ratings=done.ratings,
        notifications=done.notifications,
    )


def build_router() -> APIRouter:
    """The API routes (``/healthz`` and ``/api/v1/…``)."""
    router = APIRouter()
    router.add_api_route("/healthz", healthz, methods=["GET"], tags=["health"])
    v1 = "/api/v1"
    router.add_api_route(
        f"{v1}/dossiers",
        submit_dossier,
        methods=["POST"],
        status_code=201,
        response_model=DossierCreated,
        responses=created_responses(DossierCreated, "Đã có (gửi lại)", 409),
        tags=["dossiers"],
    )
    router.add_api_route(
        f"{v1}/dossiers",
        list_dossiers,
        methods=["GET"],
        response_model=DossierList,
        responses=error_responses(),
        tags=["dossiers"],
    )
    router.add_api_route(
        f"{v1}/dossiers/{{receipt_code}}",
        get_dossier,
        methods=["GET"],
        response_model=DossierOut,
        responses=error_responses(404),
        tags=["dossiers"],
    )
    router.add_api_route(
        f"{v1}/dossiers/{{receipt_code}}/status",
        change_status,
        methods=["POST"],
        response_model=DossierOut,
        responses=error_responses(403, 404, 409, 429),
        tags=["dossiers"],
    )
    router.add_api_route(
        f"{v1}/dossiers/{{receipt_code}}/attachments",
        upload_attachment,
        methods=["POST"],
        status_code=201,
        response_model=AttachmentOut,
        responses=created_responses(AttachmentOut, "Tệp đã có", 404),
        tags=["attachments"],
    )
    router.add_api_route(
        f"{v1}/dossiers/{{receipt_code}}/attachments/{{attachment_id}}",
        download_attachment,
        methods=["GET"],
        response_class=FileResponse,
        responses={200: {"content": {"application/octet-stream": {}}}, **error_responses(404)},
        tags=["attachments"],
    )
    router.add_api_route(
        f"{v1}/privacy/erasures",
        erase_conversation_data,
        methods=["POST"],
        response_model=ErasureOut,
        responses=error_responses(403),
        tags=["privacy"],
    )
    router.add_api_route(
        f"{v1}/ratings",
        submit_rating,
        methods=["POST"],
        status_code=201,
        response_model=RatingOut,
        responses=error_responses(),
        tags=["ratings"],
    )
    return router
