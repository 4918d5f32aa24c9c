"""The handoff calls of the intake client: bodies, answers, typed errors, retries."""

import json

import httpx
import pytest

from backend_client import (
    Attachment,
    CodeNotFound,
    CodeUnavailable,
    HandoffNotFound,
    HandoffNotOpen,
    HandoffRequest,
    IntakeProtocolError,
    IntakeRejected,
    IntakeUnavailable,
    TranscriptLine,
)
from tests.backend_client.conftest import Recorder

CREATED = {
    "handoff_id": 7,
    "status": "waiting",
    "office_open": True,
    "expected_wait_minutes": 5,
    "message": "Cán bộ sẽ trả lời ông/bà trong khoảng 5 phút.",
    "created_at": "2026-03-01T01:00:00Z",
    "expires_at": "2026-03-01T01:10:00Z",
}
VIEW = {
    "handoff_id": 7,
    "status": "claimed",
    "status_label": "Cán bộ đang hỗ trợ",
    "channel": "zalo",
    "sender_id": "zalo:1",
    "reason": "asked",
    "procedure_id": "huong_bhxh_mot_lan",
    "province": None,
    "staff_name": "Nguyễn Thị Lan",
    "resume": None,
    "created_at": "2026-03-01T01:00:00Z",
    "expires_at": "2026-03-01T01:10:00Z",
    "claimed_at": "2026-03-01T01:02:00Z",
    "closed_at": None,
    "collected": {"ho_ten": "Nguyễn Văn An"},
    "answers": {},
    "corrected": ["ho_ten"],
}


def request() -> HandoffRequest:
    return HandoffRequest(
        channel="zalo",
        sender_id="zalo:1",
        reason="asked",
        procedure_id="huong_bhxh_mot_lan",
        transcript=(
            TranscriptLine("citizen", "cho tôi gặp nhân viên", "2026-03-01T01:00:00+00:00"),
            TranscriptLine("bot", "Vâng.", attachments=(Attachment("image", "http://x/a.png"),)),
        ),
        collected={"ho_ten": "Nguyễn Văn An"},
    )


async def test_a_handoff_sends_the_transcript_and_reads_what_to_tell_the_citizen():
    rec = Recorder(httpx.Response(201, json=CREATED))
    async with rec.client() as intake:
        ticket = await intake.create_handoff(request())
    assert ticket.handoff_id == 7 and ticket.office_open and ticket.created
    assert ticket.expected_wait_minutes == 5
    assert ticket.message.startswith("Cán bộ sẽ trả lời")
    body = json.loads(rec.requests[0].content)
    assert body["reason"] == "asked"
    assert body["transcript"][0] == {
        "from": "citizen",
        "text": "cho tôi gặp nhân viên",
        "at": "2026-03-01T01:00:00+00:00",
    }
    assert body["transcript"][1]["attachments"] == [{"type": "image", "url": "http://x/a.png"}]
    assert body["collected"] == {"ho_ten": "Nguyễn Văn An"}
    assert rec.requests[0].headers["X-API-Key"] == "key-123"


async def test_the_open_handoff_of_the_conversation_is_not_a_new_one_and_retries_are_safe():
    rec = Recorder(httpx.Response(503), httpx.Response(200, json={**CREATED, "status": "claimed"}))
    async with rec.client() as intake:
        ticket = await intake.create_handoff(request())
    assert not ticket.created and ticket.status == "claimed"
    assert len(rec.requests) == 2


async def test_a_citizen_message_is_relayed_once_with_its_key_and_409_means_back_to_the_bot():
    stored = {"message_id": 3, "handoff_id": 7, "from": "citizen", "text": "alo"}
    rec = Recorder(httpx.ReadTimeout("slow"), httpx.Response(201, json=stored))
    async with rec.client() as intake:
        relayed = await intake.post_handoff_message(
            7,
            "alo",
            attachments=(Attachment("image", "http://x/p.jpg", "p.jpg"),),
            idempotency_key="rest:m-1",
        )
    assert relayed.message_id == 3
    assert {r.headers["Idempotency-Key"] for r in rec.requests} == {"rest:m-1"}
    body = json.loads(rec.requests[-1].content)
    assert body == {
        "from": "citizen",
        "text": "alo",
        "attachments": [{"type": "image", "url": "http://x/p.jpg", "name": "p.jpg"}],
    }
    rec = Recorder(
        httpx.Response(409, json={"detail": "…"}), httpx.Response(404), httpx.Response(422)
    )
    async with rec.client() as intake:
        with pytest.raises(HandoffNotOpen):
            await intake.post_handoff_message(7, "alo")
        with pytest.raises(HandoffNotFound):
            await intake.post_handoff_message(8, "alo")
        with pytest.raises(IntakeRejected):
            await intake.post_handoff_message(7, "")


async def test_a_call_back_gives_the_message_or_the_phone_validators_error():
    done = {
        "callback_id": 1,
        "handoff_id": 7,
        "handoff_status": "closed",
        "phone": "0912345678",
        "message": "Cán bộ sẽ gọi lại.",
    }
    refused = {"detail": [{"field": "phone", "message": "Số điện thoại cần 10 chữ số."}]}
    rec = Recorder(httpx.Response(201, json=done), httpx.Response(422, json=refused))
    async with rec.client() as intake:
        receipt = await intake.request_callback(7, "0912 345 678")
        assert receipt.handoff_status == "closed" and receipt.phone == "0912345678"
        with pytest.raises(IntakeRejected) as error:
            await intake.request_callback(7, "12")
    assert error.value.errors[0].field == "phone"
    assert json.loads(rec.requests[0].content) == {"phone": "0912 345 678", "note": ""}


async def test_active_and_one_handoff():
    rec = Recorder(httpx.Response(200, json=VIEW), httpx.Response(404), httpx.Response(404))
    async with rec.client() as intake:
        view = await intake.active_handoff("zalo", "zalo:1")
        assert view is not None and view.is_open and view.staff_name == "Nguyễn Thị Lan"
        assert view.corrected == ("ho_ten",)
        assert await intake.active_handoff("zalo", "zalo:2") is None
        with pytest.raises(HandoffNotFound):
            await intake.get_handoff(99)
    assert dict(rec.requests[0].url.params) == {"channel": "zalo", "sender_id": "zalo:1"}


async def test_a_withdrawal_is_retried_and_a_handoff_already_over_is_no_error():
    withdrawn = {**VIEW, "status": "withdrawn", "closed_at": "2026-03-01T01:03:00Z"}
    rec = Recorder(
        httpx.ConnectError("down"),
        httpx.Response(200, json=withdrawn),
        httpx.Response(409, json={"detail": "Cuộc trò chuyện đã trở lại với trợ lý."}),
        httpx.Response(404, json={"detail": "Không tìm thấy cuộc trò chuyện này."}),
    )
    async with rec.client() as intake:
        view = await intake.withdraw_handoff(7, "restart", "2026-03-01T01:03:00+00:00")
        assert view is not None and view.status == "withdrawn" and not view.is_open
        assert await intake.withdraw_handoff(7) is None  # returned by staff meanwhile
        assert await intake.withdraw_handoff(8) is None  # unknown: nothing to withdraw
    assert rec.requests[0].url.path == "/api/v1/handoffs/7/withdraw"
    assert json.loads(rec.requests[1].content) == {
        "reason": "restart",
        "at": "2026-03-01T01:03:00+00:00",
    }
    assert json.loads(rec.requests[2].content) == {"reason": "cancel"}
    assert len(rec.delays) == 1


async def test_a_withdrawal_the_intake_refuses_is_an_error():
    rec = Recorder(
        httpx.Response(422, json={"detail": [{"field": "at", "message": "Cần múi giờ."}]}),
        httpx.Response(401, json={"detail": "Khóa API không đúng."}),
        httpx.Response(503),
        httpx.Response(503),
    )
    async with rec.client(retries=1) as intake:
        with pytest.raises(IntakeRejected):
            await intake.withdraw_handoff(7, at="2026-03-01T01:03:00")
        with pytest.raises(IntakeProtocolError):
            await intake.withdraw_handoff(7)
        with pytest.raises(IntakeUnavailable):
            await intake.withdraw_handoff(7)


async def test_a_caller_code_is_redeemed_for_this_conversation():
    prepared = {
        "code": "7K3M9Q",
        "procedure_id": "huong_bhxh_mot_lan",
        "procedure_name": "Hưởng BHXH một lần",
        "fields": {"ho_ten": "Nguyễn Văn An"},
        "answers": {"da_nghi_viec": True},
        "note": "Anh nhớ chụp sổ BHXH.",
        "created_at": "2026-03-01T01:00:00Z",
        "expires_at": "2026-03-02T01:00:00Z",
    }
    rec = Recorder(
        httpx.Response(200, json=prepared),
        httpx.Response(404, json={"detail": "Mã không đúng."}),
        httpx.Response(410, json={"detail": "Mã này đã được dùng."}),
        httpx.Response(401, json={"detail": "Khóa API không đúng."}),
    )
    async with rec.client() as intake:
        code = await intake.redeem_code("7K3M9Q", "telegram", "telegram:5")
        assert code.fields == {"ho_ten": "Nguyễn Văn An"} and code.note
        with pytest.raises(CodeNotFound):
            await intake.redeem_code("7K3M9R", "telegram", "telegram:5")
        with pytest.raises(CodeUnavailable) as used:
            await intake.redeem_code("7K3M9Q", "zalo", "zalo:9")
        with pytest.raises(IntakeProtocolError):
            await intake.redeem_code("7K3M9Q", "zalo", "zalo:9")
    assert used.value.message == "Mã này đã được dùng."
    assert rec.requests[0].url.path == "/api/v1/handoff-codes/7K3M9Q"
    assert dict(rec.requests[0].url.params) == {"channel": "telegram", "sender_id": "telegram:5"}


def test_a_caller_code_is_known_by_its_check_character():
    from backend_client.caller_codes import bare_caller_code, caller_code_in, check_character

    code = "7K3M9" + check_character("7K3M9")
    assert caller_code_in(f"mã của tôi là {code[:3].lower()} {code[3:]}") == code
    assert bare_caller_code(f"Mã: {code[:3]}-{code[3:]}.") == code
    assert bare_caller_code(f"mã của tôi là {code}") is None  # more than a code
    other = "A" if code[5] != "A" else "B"
    assert caller_code_in("7K3M9" + other) is None  # one character wrong
    assert caller_code_in("gọi 0912 345 678") is None  # digits only: never a code
