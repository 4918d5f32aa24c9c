"""One whole conversation through each messaging channel, end to end.

Real processes started through :mod:`stack` (intake service, action server, ``python -m
bot.server run`` with the trained model) and the fake Zalo OA API, Meta Graph API and Telegram
Bot API on 127.0.0.1. The citizen's messages and button clicks are webhooks in each platform's
wire format with valid signatures; the bot's replies are read from what the fake platform
received. The dossier must then be in the intake service under
the channel's conversation id, and a status change made by staff must reach the citizen on the
same platform.
"""

from __future__ import annotations

import httpx
import pytest

from stack import RunningStack
from tests.connectors.e2e.citizens import (
    Citizen,
    MessengerCitizen,
    TelegramCitizen,
    ZaloCitizen,
    new_citizen,
)
from tests.connectors.e2e.system import Platforms
from tests.e2e.harness import change_status, intake_dossier, intake_dossiers, receipt_code

pytestmark = pytest.mark.slow

CHANNELS = ("zalo", "messenger", "telegram")
NOTE = "Ông/bà gửi thêm ảnh CCCD mặt sau."


def sent_texts(platforms: Platforms) -> dict[str, str]:
    """Everything each fake platform received, as one text per channel."""
    return {
        "zalo": repr(platforms.zalo.sent),
        "messenger": repr(platforms.graph.sent),
        "telegram": repr(platforms.telegram.sent),
    }


def ask_and_check_eligibility(citizen: Citizen) -> None:
    """A question about the procedure, then the eligibility check answered with buttons."""
    overview = citizen.say("Tôi bị mất thẻ BHYT thì làm lại thế nào?")
    assert "Cấp lại, đổi thẻ bảo hiểm y tế" in overview
    assert "Nộp hồ sơ ngay" in citizen.buttons()
    reason = citizen.say("Tôi có đủ điều kiện không?")
    assert "vì lý do nào" in reason
    assert "còn hạn sử dụng" in citizen.press("Thẻ bị mất hoặc hỏng")
    verdict = citizen.press("Có")
    assert "Đủ điều kiện" in verdict
    assert "Nộp hồ sơ ngay" in citizen.buttons()


def fill_the_dossier(citizen: Citizen) -> str:
    """Every field of cap_lai_the_bhyt, one of them wrong first; returns the summary."""
    notice = citizen.press("Nộp hồ sơ ngay")  # the privacy notice comes first (issue 17)
    assert "dữ liệu cá nhân" in notice and "Đồng ý" in citizen.buttons()
    assert "họ và tên" in citizen.press("Đồng ý")
    assert "sinh ngày nào" in citizen.say("Lê Văn Hùng")
    assert "mã số BHXH" in citizen.say("12/02/1970")
    assert "căn cước công dân" in citizen.say("0212345678")
    wrong = citizen.say("00107000123")
    assert "12 chữ số" in wrong
    assert wrong.count("Ví dụ") == 1, wrong
    assert "Ông/bà cho biết số căn cước công dân" not in wrong
    assert "số điện thoại" in citizen.say("001070001234")
    assert "tỉnh/thành phố nào" in citizen.say("0912345678")
    assert "nhận thẻ ở đâu" in citizen.say("Hải Phòng")
    return citizen.press("Nhận tại cơ quan BHXH")


def check_the_platform_rendering(citizen: Citizen) -> None:
    """What only the platform sees: tokens, button kinds and limits, answered callbacks."""
    if isinstance(citizen, ZaloCitizen):
        assert citizen.platforms.zalo.refresh_calls  # the seeded refresh token was exchanged
        for reply in citizen.received():
            assert len(reply.buttons) <= 5
            assert {b.kind for b in reply.buttons} <= {"oa.query.hide", "oa.query.show"}
    if isinstance(citizen, MessengerCitizen):
        for reply in citizen.received():
            assert all(len(b.title) <= 20 for b in reply.buttons)
            assert {b.kind for b in reply.buttons} <= {"postback", "quick_reply"}
    if isinstance(citizen, TelegramCitizen):
        assert citizen.callback_ids
        assert set(citizen.callback_ids) <= citizen.answered()  # no endless spinner


def test_the_channels_are_enabled_and_refuse_forged_requests(channel_system: RunningStack):
    for channel in CHANNELS:
        health = httpx.get(f"{channel_system.rasa_url}/webhooks/{channel}/", timeout=10)
        assert health.json() == {"status": "ok"}, channel
    body = b'{"event_name": "user_send_text", "app_id": "4321", "timestamp": "1"}'
    forged = {
        "zalo": {"X-ZEvent-Signature": "mac=" + "0" * 64},
        "messenger": {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        "telegram": {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"},
    }
    for channel, headers in forged.items():
        answer = httpx.post(
            f"{channel_system.rasa_url}/webhooks/{channel}/webhook",
            content=body,
            headers={**headers, "Content-Type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 403, channel


@pytest.mark.parametrize("channel", CHANNELS)
def test_question_eligibility_submission_receipt_and_a_status_change(
    channel: str, channel_system: RunningStack, platforms: Platforms
):
    citizen = new_citizen(channel, channel_system, platforms)
    ask_and_check_eligibility(citizen)

    summary = fill_the_dossier(citizen)
    assert "• Họ và tên: Lê Văn Hùng" in summary
    assert "• Số CCCD: 001 070 001 234" in summary
    assert "0912345678" not in summary
    assert {"Gửi hồ sơ", "Hủy"} <= set(citizen.buttons())

    receipt = citizen.press("Gửi hồ sơ")
    code = receipt_code(receipt)
    assert "đã được tiếp nhận" in receipt

    listed = intake_dossiers(channel_system, citizen.sender_id, channel)
    assert [item["receipt_code"] for item in listed] == [code]
    stored = intake_dossier(channel_system, code)
    assert (stored["channel"], stored["sender_id"]) == (channel, f"{channel}:{citizen.user_id}")
    assert stored["procedure_id"] == "cap_lai_the_bhyt"
    assert stored["fields"]["so_cccd"] == "001070001234"
    assert stored["fields"]["noi_nhan_the"] == "tai_bhxh"
    assert stored["answers"] == {"ly_do": "mat_hong", "the_con_han": True}
    check_the_platform_rendering(citizen)

    # a staff member asks for more information: the citizen reads it on the same platform
    already = len(citizen.received())
    change_status(channel_system, code, "needs_info", NOTE)
    notice = citizen.wait_for_message(code, after=already)
    assert "Cần bổ sung thông tin" in notice
    assert NOTE in notice
    elsewhere = {name: text for name, text in sent_texts(platforms).items() if name != channel}
    assert all(code not in text for text in elsewhere.values())


def test_messenger_quick_replies_stay_clickable(
    channel_system: RunningStack, platforms: Platforms
):
    citizen = new_citizen("messenger", channel_system, platforms)
    citizen.say("Tôi bị mất thẻ BHYT thì làm lại thế nào?")
    shown = [b.title for reply in citizen.last for b in reply.buttons]
    assert set(shown) <= set(citizen.buttons()), f"hidden: {set(shown) - set(citizen.buttons())}"
