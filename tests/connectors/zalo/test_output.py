"""Bot responses sent to the fake Zalo OA API, including its error answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from connectors.common.errors import RateLimited, RecipientUnreachable, WindowClosed
from connectors.zalo import ZaloInput, ZaloOutput
from connectors.zalo.errors import (
    ZaloAuthError,
    ZaloNoStatusTemplate,
    ZaloTemplateRefused,
    ZaloUserNotFollowing,
    ZaloWindowClosed,
)
from connectors.zalo.events import parse_event
from tests.connectors.fakes.server import Reply
from tests.connectors.fakes.zalo import INVALID_TOKEN, RATE_LIMITED
from tests.connectors.zalo import payloads
from tests.connectors.zalo.payloads import USER_ID

SENDER = f"zalo:{USER_ID}"


@pytest.fixture
def channel(zalo_settings, common_settings, closing):
    return closing(ZaloInput(zalo_settings, common_settings))


@pytest.fixture
def output(channel) -> ZaloOutput:
    out = channel.get_output_channel()
    assert out is not None
    return out


async def test_proactive_message_reaches_the_citizen(output, fake_zalo):
    await output.send_response(SENDER, {"text": "Hồ sơ của bạn đã được tiếp nhận."})

    [sent] = fake_zalo.sent
    assert sent == {"user_id": USER_ID, "message": {"text": "Hồ sơ của bạn đã được tiếp nhận."}}
    [call] = fake_zalo.calls("/v3.0/oa/message/cs")
    assert call.header("access_token")  # token in the header …
    assert "access_token" not in call.query  # … never in the URL


async def test_bare_platform_id_is_accepted_too(output, fake_zalo):
    await output.send_text_message(USER_ID, "Xin chào")
    assert fake_zalo.sent[0]["user_id"] == USER_ID


async def test_long_text_is_split_at_sentence_boundaries(output, fake_zalo):
    sentence = "Người lao động cần nộp sổ BHXH và căn cước công dân tại cơ quan BHXH. "
    text = sentence * 60  # about 4300 characters, one paragraph

    await output.send_text_message(SENDER, text)

    texts = [sent["message"]["text"] for sent in fake_zalo.sent]
    assert len(texts) == 3
    assert all(len(piece) <= 2000 for piece in texts)
    assert all(piece.endswith("BHXH.") for piece in texts)
    assert " ".join(texts) == text.strip()


async def test_more_than_five_buttons_go_in_groups_of_five(output, fake_zalo):
    buttons = [
        {"title": f"Tỉnh {n}", "payload": f'/inform{{"province": "{n}"}}'} for n in range(7)
    ]

    await output.send_response(SENDER, {"text": "Bạn ở tỉnh nào?", "buttons": buttons})

    first, second = (sent["message"] for sent in fake_zalo.sent)
    assert first["text"] == "Bạn ở tỉnh nào?"
    assert len(first["attachment"]["payload"]["buttons"]) == 5
    assert second["text"] == "Các lựa chọn khác:"
    assert [b["title"] for b in second["attachment"]["payload"]["buttons"]] == ["Tỉnh 5", "Tỉnh 6"]


async def test_button_kinds_map_to_zalo_actions(output, fake_zalo):
    buttons = [
        {"title": "Gặp tổng đài viên", "payload": "Gặp tổng đài viên"},
        {"title": "Cổng dịch vụ công", "url": "https://dichvucong.gov.vn"},
        {"title": "Gọi 1900 9068", "payload": "tel:1900 9068"},
    ]

    await output.send_response(SENDER, {"text": "Bạn muốn làm gì?", "buttons": buttons})

    zalo_buttons = fake_zalo.sent[0]["message"]["attachment"]["payload"]["buttons"]
    assert zalo_buttons == [
        {"title": "Gặp tổng đài viên", "type": "oa.query.show", "payload": "Gặp tổng đài viên"},
        {
            "title": "Cổng dịch vụ công",
            "type": "oa.open.url",
            "payload": {"url": "https://dichvucong.gov.vn"},
        },
        {"title": "Gọi 1900 9068", "type": "oa.open.phone", "payload": {"phone_code": "19009068"}},
    ]


async def test_quick_replies_become_buttons(output, fake_zalo):
    await output.send_response(
        SENDER,
        {"text": "Tiếp tục?", "quick_replies": [{"title": "Có", "payload": "/affirm"}]},
    )
    [button] = fake_zalo.sent[0]["message"]["attachment"]["payload"]["buttons"]
    assert button == {"title": "Có", "type": "oa.query.hide", "payload": "/affirm"}


async def test_image_uses_the_media_template(output, fake_zalo):
    await output.send_response(SENDER, {"image": "https://bhxh.example/mau-so-1.png"})

    attachment = fake_zalo.sent[0]["message"]["attachment"]
    assert attachment == {
        "type": "template",
        "payload": {
            "template_type": "media",
            "elements": [{"media_type": "image", "url": "https://bhxh.example/mau-so-1.png"}],
        },
    }


async def test_custom_zalo_payload_is_sent_as_is(output, fake_zalo):
    request_info = {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "request_user_info",
                "elements": [{"title": "BHXH tỉnh", "subtitle": "Xin số điện thoại của bạn"}],
            },
        }
    }
    await output.send_response(SENDER, {"custom": {"zalo": request_info}})
    await output.send_response(SENDER, {"custom": {"telegram": {"text": "x"}}})

    assert [sent["message"] for sent in fake_zalo.sent] == [request_info]


async def test_expired_token_is_refreshed_and_the_message_sent_once(output, fake_zalo):
    await output.send_text_message(SENDER, "lần 1")
    fake_zalo.expire_all_access_tokens()

    await output.send_text_message(SENDER, "lần 2")

    assert [sent["message"]["text"] for sent in fake_zalo.sent] == ["lần 1", "lần 2"]
    assert len(fake_zalo.refresh_calls) == 2  # the first use, then the expiry
    first_try, retry = fake_zalo.calls("/v3.0/oa/message/cs")[-2:]
    assert first_try.header("access_token") != retry.header("access_token")


async def test_token_still_refused_after_refresh_raises_auth_error(output, fake_zalo):
    await output.send_text_message(SENDER, "lần 1")
    fake_zalo.script("/message/cs", Reply(body=INVALID_TOKEN), Reply(body=INVALID_TOKEN))

    with pytest.raises(ZaloAuthError):
        await output.send_text_message(SENDER, "lần 2")
    assert len(fake_zalo.refresh_calls) == 2  # one refresh for the retry, no loop


async def test_user_not_following_is_a_typed_error(output, fake_zalo):
    fake_zalo.not_following.add(USER_ID)

    with pytest.raises(ZaloUserNotFollowing) as caught:
        await output.send_text_message(SENDER, "Xin chào")

    assert isinstance(caught.value, RecipientUnreachable)
    assert caught.value.code == -213


async def test_closed_window_is_reported_to_the_sender(output, fake_zalo):
    fake_zalo.window_closed.add(USER_ID)

    with pytest.raises(WindowClosed) as caught:
        await output.send_text_message(SENDER, "Cán bộ trả lời: hồ sơ đã duyệt.")

    assert isinstance(caught.value, ZaloWindowClosed)
    assert caught.value.code == -230
    assert "7 ngày" in caught.value.reason_vi
    assert fake_zalo.sent == []


async def test_never_interacted_is_a_closed_window_too(output, fake_zalo):
    fake_zalo.script(
        "/message/cs",
        Reply(body={"error": -232, "message": "user has not interacted with the OA"}),
    )
    with pytest.raises(ZaloWindowClosed):
        await output.send_text_message(SENDER, "Xin chào")


async def test_rate_limit_is_a_typed_error(output, fake_zalo):
    fake_zalo.script("/message/cs", Reply(body=RATE_LIMITED))

    with pytest.raises(RateLimited) as caught:
        await output.send_text_message(SENDER, "Xin chào")

    assert caught.value.code == -32


async def test_reply_can_address_the_citizens_message(
    zalo_settings, common_settings, fake_zalo, closing
):
    settings = replace(zalo_settings, reply_with_message_id=True)
    channel = closing(ZaloInput(settings, common_settings))
    fake_zalo.user_of_message["msg-9"] = USER_ID
    event_payload = payloads.user_text(zalo_settings.app_id, "hi", msg_id="msg-9")

    message = channel.user_message(parse_event(event_payload))
    await message.output_channel.send_text_message(message.sender_id, "Chào bạn")

    [call] = fake_zalo.calls("/v3.0/oa/message/cs")
    assert call.json()["recipient"] == {"message_id": "msg-9"}
    assert fake_zalo.sent[0]["user_id"] == USER_ID


async def test_user_detail_and_upload(channel, fake_zalo):
    client = channel.client
    detail = await client.user_detail(USER_ID)
    attachment_id = await client.upload_image(b"\x89PNG", "a.png", "image/png")

    assert detail["display_name"] == "Nguyễn Văn A"
    assert attachment_id == "up-1"
    [upload] = fake_zalo.calls("/upload/image")
    assert upload.header("content-type").startswith("multipart/form-data")


# ------------------------------------------------ status notifications after the 7-day window
STATUS = {
    "event": "status_changed",
    "receipt_code": "HS-7K3M-9Q2P",
    "status": "needs_info",
    "status_label": "Cần bổ sung thông tin",
    "note": "Thiếu ảnh CCCD mặt sau",
    "at": "2026-03-01T20:30:00+00:00",  # 2 March in Vietnam
}
NOTICE = {
    "text": "Hồ sơ HS-7K3M-9Q2P vừa được cập nhật: Cần bổ sung thông tin.",
    "buttons": [{"title": "Gặp nhân viên", "payload": "/request_human"}],
}
TEMPLATE_ID = "412345"


def status_channel(zalo_settings, common_settings, closing, **changes):
    return closing(ZaloInput(replace(zalo_settings, **changes), common_settings))


async def test_a_status_notice_in_the_window_goes_out_as_before(
    zalo_settings, common_settings, closing, fake_zalo
):
    fake_zalo.approved_templates[TEMPLATE_ID] = {"ma_ho_so", "trang_thai", "ngay_cap_nhat"}
    channel = status_channel(
        zalo_settings, common_settings, closing, status_template_id=TEMPLATE_ID
    )
    output = channel.status_output(STATUS)

    await output.send_response(SENDER, dict(NOTICE))

    [sent] = fake_zalo.sent
    assert sent["message"]["text"] == NOTICE["text"]
    assert fake_zalo.calls("/message/template") == []
    assert output.delivery_note is None


@pytest.mark.parametrize("code", [-230, -232])
async def test_a_status_notice_after_7_days_goes_out_as_the_zbs_template(
    zalo_settings, common_settings, closing, fake_zalo, code
):
    fake_zalo.approved_templates[TEMPLATE_ID] = {"ma_ho_so", "trang_thai", "ngay_cap_nhat"}
    fake_zalo.script("/message/cs", Reply(body={"error": code, "message": "not interacted"}))
    channel = status_channel(
        zalo_settings, common_settings, closing, status_template_id=TEMPLATE_ID
    )
    output = channel.status_output(STATUS)

    await output.send_response(SENDER, dict(NOTICE))
    await output.send_response(SENDER, {"text": "Ông/bà gửi ảnh tại đây."})

    [call] = fake_zalo.calls("/v3.0/oa/message/template")
    assert call.header("access_token")
    assert call.json() == {
        "user_id": USER_ID,
        "template_id": TEMPLATE_ID,
        "template_data": {
            "ma_ho_so": "HS-7K3M-9Q2P",
            "trang_thai": "Cần bổ sung thông tin",
            "ngay_cap_nhat": "02/03/2026",
        },
    }
    assert len(fake_zalo.calls("/message/cs")) == 1  # the second response is not tried
    assert fake_zalo.sent == []
    assert output.delivery_note is not None
    assert output.delivery_note.startswith("Đã gửi bằng mẫu tin ZBS")


async def test_the_template_parameters_follow_the_configured_fields(
    zalo_settings, common_settings, closing, fake_zalo
):
    fake_zalo.approved_templates[TEMPLATE_ID] = {"code", "note"}
    fake_zalo.window_closed.add(USER_ID)
    channel = status_channel(
        zalo_settings,
        common_settings,
        closing,
        status_template_id=TEMPLATE_ID,
        status_template_fields="code=receipt_code,note=note",
    )

    await channel.status_output(STATUS).send_response(SENDER, dict(NOTICE))

    [sent] = fake_zalo.templates_sent
    assert sent["template_data"] == {"code": "HS-7K3M-9Q2P", "note": "Thiếu ảnh CCCD mặt sau"}


async def test_without_a_template_the_notice_is_reported_with_the_reason(
    zalo_settings, common_settings, closing, fake_zalo
):
    fake_zalo.window_closed.add(USER_ID)
    output = status_channel(zalo_settings, common_settings, closing).status_output(STATUS)

    with pytest.raises(ZaloNoStatusTemplate) as caught:
        await output.send_response(SENDER, dict(NOTICE))

    assert caught.value.reason_vi == (
        "Người dân không nhắn với OA trong 7 ngày; chưa cấu hình mẫu tin ZBS — hãy gọi điện cho "
        "người dân."
    )
    assert fake_zalo.calls("/message/template") == []


async def test_a_template_zalo_refuses_is_reported(
    zalo_settings, common_settings, closing, fake_zalo
):
    fake_zalo.window_closed.add(USER_ID)  # the template was never approved
    channel = status_channel(
        zalo_settings, common_settings, closing, status_template_id=TEMPLATE_ID
    )

    with pytest.raises(ZaloTemplateRefused) as caught:
        await channel.status_output(STATUS).send_response(SENDER, dict(NOTICE))

    assert caught.value.code == -201
    assert "từ chối mẫu tin ZBS" in caught.value.reason_vi


async def test_other_messages_never_use_the_template(
    zalo_settings, common_settings, closing, fake_zalo
):
    fake_zalo.approved_templates[TEMPLATE_ID] = {"ma_ho_so", "trang_thai", "ngay_cap_nhat"}
    fake_zalo.window_closed.add(USER_ID)
    channel = status_channel(
        zalo_settings, common_settings, closing, status_template_id=TEMPLATE_ID
    )

    with pytest.raises(ZaloWindowClosed) as caught:
        await channel.get_output_channel().send_response(SENDER, {"text": "Cán bộ trả lời"})

    assert not isinstance(caught.value, ZaloNoStatusTemplate)
    assert fake_zalo.calls("/message/template") == []
