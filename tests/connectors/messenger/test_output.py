"""Bot responses and handoff calls against the fake Graph API, including its errors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from connectors.common.errors import (
    ChannelAuthError,
    RateLimited,
    RecipientUnreachable,
    WindowClosed,
)
from connectors.messenger import GraphClient, MessengerInput, MessengerOutput
from connectors.messenger.errors import MessengerStatusUntagged, MessengerTagRefused
from connectors.messenger.output import WRITE_BACK_TEXT
from tests.connectors.fakes import meta
from tests.connectors.messenger.payloads import PSID

SENDER = f"messenger:{PSID}"


@pytest.fixture
def output(messenger_settings, common_settings, closing) -> MessengerOutput:
    out = closing(MessengerInput(messenger_settings, common_settings)).get_output_channel()
    assert out is not None
    return out


async def test_proactive_text_is_sent_with_the_page_token(output, fake_graph):
    await output.send_response(SENDER, {"text": "Hồ sơ của bạn đã được duyệt."})

    [sent] = fake_graph.sent
    assert sent == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Hồ sơ của bạn đã được duyệt."},
    }
    [call] = fake_graph.calls("/me/messages")
    assert call.query["appsecret_proof"][0]


async def test_long_text_is_split_below_2000_characters(output, fake_graph):
    text = "Bạn cần chuẩn bị tờ khai theo mẫu và giấy tờ tùy thân. " * 80

    await output.send_text_message(SENDER, text)

    pieces = [sent["message"]["text"] for sent in fake_graph.sent]
    assert len(pieces) == 3
    assert all(len(piece) <= 2000 and piece.endswith("tùy thân.") for piece in pieces)


async def test_more_than_three_buttons_go_out_as_templates_of_three(output, fake_graph):
    buttons = [{"title": f"Lựa chọn số {n} rất dài", "payload": f"/c{n}"} for n in range(5)]

    await output.send_response(SENDER, {"text": "Chọn một:", "buttons": buttons})

    payloads = [sent["message"]["attachment"]["payload"] for sent in fake_graph.sent]
    assert [p["text"] for p in payloads] == ["Chọn một:", "Các lựa chọn khác:"]
    assert [len(p["buttons"]) for p in payloads] == [3, 2]
    assert all(len(b["title"]) <= 20 for p in payloads for b in p["buttons"])
    assert payloads[0]["buttons"][0]["payload"] == "/c0"
    # Quick replies are not used for buttons: Messenger hides them under a later message.
    assert all("quick_replies" not in sent["message"] for sent in fake_graph.sent)


async def test_quick_replies_are_capped_at_thirteen(output, fake_graph):
    replies = [{"title": f"Tỉnh {n}", "payload": f"/p{n}"} for n in range(20)]
    await output.send_response(SENDER, {"text": "Tỉnh nào?", "quick_replies": replies})
    assert len(fake_graph.sent[0]["message"]["quick_replies"]) == 13


async def test_button_template_text_above_640_characters_is_sent_first(output, fake_graph):
    text = "Điều kiện hưởng trợ cấp. " * 40  # ~1000 characters
    await output.send_text_with_buttons(SENDER, text, [{"title": "Tiếp", "payload": "/continue"}])

    first, template = (sent["message"] for sent in fake_graph.sent)
    assert "text" in first
    assert len(template["attachment"]["payload"]["text"]) <= 640


async def test_image_and_custom_payload(output, fake_graph):
    await output.send_response(SENDER, {"image": "https://bhxh.example/mau.png"})
    await output.send_response(SENDER, {"custom": {"messenger": {"text": "tùy biến"}}})
    await output.send_response(SENDER, {"custom": {"zalo": {"text": "không gửi"}}})

    assert [sent["message"] for sent in fake_graph.sent] == [
        {"attachment": {"type": "image", "payload": {"url": "https://bhxh.example/mau.png"}}},
        {"text": "tùy biến"},
    ]


async def test_outside_the_window_is_a_typed_error_and_human_agent_tag_passes(
    messenger_settings, fake_graph, closing
):
    fake_graph.closed_window.add(PSID)
    client = closing(GraphClient(messenger_settings))

    with pytest.raises(WindowClosed) as caught:
        await MessengerOutput(client).send_text_message(SENDER, "Trả lời muộn")
    await MessengerOutput(client, tag="HUMAN_AGENT").send_text_message(SENDER, "Cán bộ trả lời")

    assert caught.value.code == 10
    assert "24 giờ" in caught.value.reason_vi
    [sent] = fake_graph.sent
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (meta.RATE_LIMITED, RateLimited),
        (meta.UNAVAILABLE, RecipientUnreachable),
        (meta.INVALID_TOKEN, ChannelAuthError),
    ],
    ids=["rate-limit", "unavailable", "token"],
)
async def test_graph_errors_become_typed_errors(output, fake_graph, reply, error):
    fake_graph.script("/me/messages", reply)
    with pytest.raises(error):
        await output.send_text_message(SENDER, "Xin chào")


async def test_thread_control_helpers(messenger_settings, fake_graph, closing):
    client = closing(GraphClient(messenger_settings))

    await client.pass_thread_control(PSID, metadata="cần cán bộ hỗ trợ")
    await client.take_thread_control(PSID, metadata="trợ lý tiếp tục")

    assert fake_graph.thread_control == [
        (
            "pass_thread_control",
            {
                "recipient": {"id": PSID},
                "target_app_id": "263902037430900",
                "metadata": "cần cán bộ hỗ trợ",
            },
        ),
        ("take_thread_control", {"recipient": {"id": PSID}, "metadata": "trợ lý tiếp tục"}),
    ]


# ------------------------------------------ status notifications and staff replies after 24 h
STATUS = {"event": "status_changed", "receipt_code": "HS-7K3M-9Q2P", "status": "approved"}
NOTICE = "Hồ sơ HS-7K3M-9Q2P (Cấp lại thẻ BHYT) vừa được cập nhật: Đã có kết quả."
NOTICE_BUTTONS = [
    {"title": "Tra cứu hồ sơ", "payload": "/check_status"},
    {"title": "Gặp nhân viên", "payload": "/request_human"},
    {"title": "Xem kết quả", "url": "https://dichvucong.example/HS-7K3M-9Q2P", "type": "web_url"},
    {"title": "Trang BHXH", "url": "https://baohiemxahoi.example", "type": "web_url"},
]


def channel_with(messenger_settings, common_settings, closing, **changes) -> MessengerInput:
    settings = replace(messenger_settings, **changes)
    return closing(MessengerInput(settings, common_settings))


async def test_a_status_notice_in_the_window_goes_out_as_before(
    messenger_settings, common_settings, closing, fake_graph
):
    channel = channel_with(messenger_settings, common_settings, closing)
    output = channel.status_output(STATUS)

    await output.send_response(SENDER, {"text": NOTICE, "buttons": NOTICE_BUTTONS[:2]})

    [sent] = fake_graph.sent
    assert sent["messaging_type"] == "RESPONSE" and "tag" not in sent
    assert [b["payload"] for b in sent["message"]["attachment"]["payload"]["buttons"]] == [
        "/check_status",
        "/request_human",
    ]
    assert output.delivery_note is None


async def test_a_status_notice_after_24_hours_is_sent_again_with_account_update(
    messenger_settings, common_settings, closing, fake_graph
):
    fake_graph.closed_window.add(PSID)
    output = channel_with(messenger_settings, common_settings, closing).status_output(STATUS)

    await output.send_response(SENDER, {"text": NOTICE, "buttons": NOTICE_BUTTONS})

    assert len(fake_graph.calls("/me/messages")) == 2  # refused, then tagged
    [sent] = fake_graph.sent
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "ACCOUNT_UPDATE")
    template = sent["message"]["attachment"]["payload"]
    assert template["text"] == f"{NOTICE}\n{WRITE_BACK_TEXT}"
    assert template["buttons"] == [
        {"type": "web_url", "title": "Xem kết quả", "url": "https://dichvucong.example/HS-7K3M-9Q2P"}
    ]
    assert output.delivery_note is not None
    assert output.delivery_note.startswith("Đã gửi bằng thẻ ACCOUNT_UPDATE")


async def test_a_tagged_notice_never_carries_quick_replies_or_postbacks(
    messenger_settings, common_settings, closing, fake_graph
):
    fake_graph.closed_window.add(PSID)
    output = channel_with(messenger_settings, common_settings, closing).status_output(STATUS)
    replies = [{"title": "Tra cứu", "payload": "/check_status"}]

    await output.send_response(SENDER, {"text": NOTICE, "quick_replies": replies})
    await output.send_response(SENDER, {"text": "Cần gì thêm?", "buttons": NOTICE_BUTTONS[:2]})
    await output.send_response(SENDER, {"image": "https://bhxh.example/mau.png"})

    assert [sent["message"] for sent in fake_graph.sent] == [
        {"text": f"{NOTICE}\n{WRITE_BACK_TEXT}"},
        {"text": f"Cần gì thêm?\n{WRITE_BACK_TEXT}"},
    ]
    assert all(sent["tag"] == "ACCOUNT_UPDATE" for sent in fake_graph.sent)
    # once the window is known closed, the later responses go out tagged at once
    assert len(fake_graph.calls("/me/messages")) == 3


async def test_without_a_status_tag_the_notice_is_not_sent_again(
    messenger_settings, common_settings, closing, fake_graph
):
    fake_graph.closed_window.add(PSID)
    channel = channel_with(messenger_settings, common_settings, closing, status_tag=None)

    with pytest.raises(MessengerStatusUntagged) as caught:
        await channel.status_output(STATUS).send_response(SENDER, {"text": NOTICE})

    assert len(fake_graph.calls("/me/messages")) == 1
    assert fake_graph.sent == []
    assert "hãy gọi điện cho người dân" in caught.value.reason_vi


async def test_a_refused_tag_is_reported_with_the_tag(
    messenger_settings, common_settings, closing, fake_graph
):
    fake_graph.closed_window.add(PSID)
    fake_graph.refused_tags.add("ACCOUNT_UPDATE")
    output = channel_with(messenger_settings, common_settings, closing).status_output(STATUS)

    with pytest.raises(MessengerTagRefused) as caught:
        await output.send_response(SENDER, {"text": NOTICE})

    assert "thẻ ACCOUNT_UPDATE" in caught.value.reason_vi
    assert output.delivery_note is None


async def test_bot_replies_are_never_tagged(output, fake_graph):
    fake_graph.closed_window.add(PSID)
    with pytest.raises(WindowClosed):
        await output.send_response(SENDER, {"text": "Xin chào", "buttons": NOTICE_BUTTONS[:1]})
    assert len(fake_graph.calls("/me/messages")) == 1


STAFF_TEXT = "Cán bộ trả lời: đã nhận hồ sơ."


async def test_a_late_staff_reply_is_not_tagged_by_default(
    messenger_settings, common_settings, closing, fake_graph
):
    fake_graph.closed_window.add(PSID)
    output = channel_with(messenger_settings, common_settings, closing).staff_output()

    with pytest.raises(WindowClosed):
        await output.send_response(SENDER, {"text": STAFF_TEXT})

    assert len(fake_graph.calls("/me/messages")) == 1


async def test_a_late_staff_reply_uses_human_agent_when_enabled(
    messenger_settings, common_settings, closing, fake_graph
):
    fake_graph.closed_window.add(PSID)
    channel = channel_with(messenger_settings, common_settings, closing, human_agent=True)
    output = channel.staff_output()

    await output.send_response(SENDER, {"text": STAFF_TEXT})

    [sent] = fake_graph.sent
    assert (sent["tag"], sent["message"]) == ("HUMAN_AGENT", {"text": STAFF_TEXT})
    assert output.delivery_note is not None and "HUMAN_AGENT" in output.delivery_note
