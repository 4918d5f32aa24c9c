"""The handoff part of the HTTP API (bot → office), see docs/contracts.md "Human handoff"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Query, Request, Response

from intake_service.api import MAX_ID, created_responses, error_responses
from intake_service.auth import Principal, api_principal
from intake_service.context import services
from intake_service.handoff_codes import CodeNotFound, CodeUnavailable
from intake_service.handoffs import STATUS_LABELS, HandoffConflict, HandoffNotFound
from intake_service.models import Handoff, HandoffMessage
from intake_service.pages import record
from intake_service.schemas import (
    NO_NUL,
    CallbackCreate,
    CallbackOut,
    HandoffCodeOut,
    HandoffCreate,
    HandoffCreated,
    HandoffMessageIn,
    HandoffMessageOut,
    HandoffOut,
    HandoffWithdraw,
)

__all__ = ["build_router", "handoff_out", "message_out"]

CallerDep = Annotated[Principal, Depends(api_principal)]
HandoffId = Annotated[int, Path(ge=1, le=MAX_ID)]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Gửi lại cùng khóa khi thử lại: tin nhắn chỉ được lưu một lần.",
    ),
]
NOT_FOUND = "Không tìm thấy cuộc trò chuyện này."


@contextmanager
def _answered_as_http() -> Iterator[None]:
    """Unknown handoff → 404; a handoff in a state that does not allow the call → 409."""
    try:
        yield
    except HandoffNotFound:
        raise HTTPException(404, NOT_FOUND) from None
    except HandoffConflict as exc:
        raise HTTPException(409, exc.message) from None


def handoff_out(handoff: Handoff) -> HandoffOut:
    """The API view of a handoff."""
    return HandoffOut(
        handoff_id=handoff.id,
        status=handoff.status,  # type: ignore[arg-type]
        status_label=STATUS_LABELS.get(handoff.status, handoff.status),
        channel=handoff.channel,
        sender_id=handoff.sender_id,
        reason=handoff.reason,
        procedure_id=handoff.procedure_id,
        province=handoff.province,
        staff_name=handoff.staff_name,
        resume=handoff.resume,
        created_at=handoff.created_at,
        expires_at=handoff.expires_at,
        claimed_at=handoff.claimed_at,
        closed_at=handoff.closed_at,
        collected=dict(handoff.collected),
        answers=dict(handoff.answers),
        corrected=[str(name) for name in handoff.corrected],
    )


def message_out(message: HandoffMessage) -> HandoffMessageOut:
    """The API view of a message."""
    return HandoffMessageOut.model_validate(
        {
            "message_id": message.id,
            "handoff_id": message.handoff_id,
            "from": message.author,
            "text": message.text,
            "at": message.at,
            "attachments": list(message.attachments),
            "delivery": message.delivery,
            "delivery_reason": message.delivery_reason,
        }
    )


def create_handoff(
    payload: HandoffCreate, request: Request, response: Response, caller: CallerDep
) -> HandoffCreated:
    """Hands a conversation to the office (transcript, procedure, data collected so far).

    One open handoff per conversation: while one is waiting or claimed, the same call answers
    200 with it. ``message`` is what the assistant tells the citizen (the expected wait, or
    that the office is closed and a call back is possible).
    """
    svc = services(request)
    handoff, created = svc.handoffs.create(payload)
    if not created:
        response.status_code = 200
    answer = svc.handoffs.office_answer(handoff)
    return HandoffCreated(
        handoff_id=handoff.id,
        status=handoff.status,  # type: ignore[arg-type]
        office_open=answer.office_open,
        expected_wait_minutes=answer.expected_wait_minutes,
        message=answer.message,
        created_at=handoff.created_at,
        expires_at=handoff.expires_at,
    )


def active_handoff(
    request: Request,
    caller: CallerDep,
    channel: Annotated[str, Query(min_length=1, max_length=32, pattern=NO_NUL)],
    sender_id: Annotated[str, Query(min_length=1, max_length=128, pattern=NO_NUL)],
) -> HandoffOut:
    """The conversation's waiting or claimed handoff (404 when the assistant is in charge)."""
    handoff = services(request).handoffs.active(channel, sender_id)
    if handoff is None:
        raise HTTPException(404, "Cuộc trò chuyện này không có cán bộ phụ trách.")
    return handoff_out(handoff)


def get_handoff(handoff_id: HandoffId, request: Request, caller: CallerDep) -> HandoffOut:
    """A handoff with its status and the data as corrected by staff."""
    with _answered_as_http():
        return handoff_out(services(request).handoffs.get(handoff_id))


def post_message(
    handoff_id: HandoffId,
    message: HandoffMessageIn,
    request: Request,
    response: Response,
    caller: CallerDep,
    idempotency_key: OptionalIdempotencyKey = None,
) -> HandoffMessageOut:
    """A message the citizen wrote while a person owns the conversation.

    409 when the conversation is back with the assistant (the bot answers it itself). The same
    Idempotency-Key stores the message once (200 on a replay).
    """
    with _answered_as_http():
        stored, created = services(request).handoffs.add_message(
            handoff_id, message, idempotency_key
        )
    if not created:
        response.status_code = 200
    return message_out(stored)


def post_callback(
    handoff_id: HandoffId, payload: CallbackCreate, request: Request, caller: CallerDep
) -> CallbackOut:
    """The citizen leaves a phone number for a call back (usually outside office hours).

    A handoff still waiting is closed by it (the assistant is in charge again); one that a
    staff member owns stays open.
    """
    with _answered_as_http():
        callback, handoff, message = services(request).handoffs.add_callback(
            handoff_id, payload.phone, payload.note
        )
    return CallbackOut(
        callback_id=callback.id,
        handoff_id=handoff.id,
        handoff_status=handoff.status,  # type: ignore[arg-type]
        phone=callback.phone,
        message=message,
    )


def withdraw_handoff(
    handoff_id: HandoffId,
    request: Request,
    caller: CallerDep,
    payload: Annotated[HandoffWithdraw | None, Body()] = None,
) -> HandoffOut:
    """The citizen cancelled (“hủy”, “bắt đầu lại”): the handoff leaves the staff queue.

    A waiting or claimed handoff becomes ``withdrawn``; the staff member who owns it reads
    that the citizen cancelled and can no longer reply. Repeating the call answers the same
    state (200). 409 when the handoff had ended otherwise (returned, closed, expired). No event
    is sent back to the bot.
    """
    body = payload or HandoffWithdraw()
    with _answered_as_http():
        handoff, withdrawn = services(request).handoffs.withdraw(handoff_id, body.at)
    if withdrawn:
        record(request, caller.name, "withdraw_handoff", f"handoff:{handoff_id}", body.reason)
    return handoff_out(handoff)


def redeem_code(
    code: Annotated[str, Path(max_length=32)],
    request: Request,
    caller: CallerDep,
    channel: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
    sender_id: Annotated[str | None, Query(max_length=128, pattern=NO_NUL)] = None,
) -> HandoffCodeOut:
    """What a staff member prepared on the phone for this code; the code is then used.

    Pass ``channel`` and ``sender_id``: the same conversation may fetch it again (a retry);
    another one gets 410, as does an expired code. 404: no such code (or mistyped).
    """
    svc = services(request)
    try:
        row = svc.codes.redeem(code, channel or None, sender_id or None)
    except CodeNotFound:
        raise HTTPException(404, "Mã không đúng. Xin kiểm tra lại 6 ký tự của mã.") from None
    except CodeUnavailable as exc:
        raise HTTPException(410, exc.message) from None
    return HandoffCodeOut(
        code=row.code,
        procedure_id=row.procedure_id,
        procedure_name=svc.catalog.name(row.procedure_id),
        fields=dict(row.fields),
        answers=dict(row.answers),
        note=row.note,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


def build_router() -> APIRouter:
    """The handoff routes (``/api/v1/handoffs…``, ``/api/v1/handoff-codes/…``)."""
    router = APIRouter(prefix="/api/v1", tags=["handoffs"])
    router.add_api_route(
        "/handoffs",
        create_handoff,
        methods=["POST"],
        status_code=201,
        response_model=HandoffCreated,
        responses=created_responses(HandoffCreated, "Đã có cuộc trò chuyện đang mở"),
    )
    # Registered before /handoffs/{handoff_id} so that "active" is not read as an id.
    router.add_api_route(
        "/handoffs/active",
        active_handoff,
        methods=["GET"],
        response_model=HandoffOut,
        responses=error_responses(404),
    )
    router.add_api_route(
        "/handoffs/{handoff_id}",
        get_handoff,
        methods=["GET"],
        response_model=HandoffOut,
        responses=error_responses(404),
    )
    router.add_api_route(
        "/handoffs/{handoff_id}/messages",
        post_message,
        methods=["POST"],
        status_code=201,
        response_model=HandoffMessageOut,
        responses=created_responses(HandoffMessageOut, "Đã có (gửi lại)", 404, 409),
    )
    router.add_api_route(
        "/handoffs/{handoff_id}/callback",
        post_callback,
        methods=["POST"],
        status_code=201,
        response_model=CallbackOut,
        responses=error_responses(404),
    )
    router.add_api_route(
        "/handoffs/{handoff_id}/withdraw",
        withdraw_handoff,
        methods=["POST"],
        response_model=HandoffOut,
        responses=error_responses(404, 409),
    )
    router.add_api_route(
        "/handoff-codes/{code}",
        redeem_code,
        methods=["GET"],
        response_model=HandoffCodeOut,
        responses=error_responses(404, 410),
    )
    return router
