"""An OTP, password or PIN typed in the chat is masked before Rasa, and the citizen warned."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from connectors.common.scam_guard import WARNING, handler, scrub


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("mã OTP của tôi là 483920", "483920"),
        ("otp 4839 20", "4839 20"),
        ("Mã xác thực: 772019", "772019"),
        ("ma xac nhan la 123456 nhe", "123456"),
        ("mật khẩu VssID của tôi là Lan@1975", "Lan@1975"),
        ("mat khau: abc12345", "abc12345"),
        ("mã pin thẻ 1234", "1234"),
    ],
)
def test_secrets_after_their_keyword_are_masked(text, hidden):
    masked, found = scrub(text)
    assert found and hidden not in masked and "••••" in masked


@pytest.mark.parametrize(
    "text", ["số tiền 500000", "CCCD 001088012345", "tôi sinh năm 1975", "mã hồ sơ HS-7K3M-9Q2P"]
)
def test_ordinary_answers_stay(text):
    assert scrub(text) == (text, False)


async def test_the_citizen_is_warned_and_rasa_never_sees_the_code():
    seen: list[UserMessage] = []

    async def rasa(message: UserMessage) -> None:
        seen.append(message)

    output = CollectingOutputChannel()
    await handler(rasa)(UserMessage("đây là mã OTP 483920", output, "zalo:1"))
    assert "483920" not in (seen[0].text or "")
    assert seen[0].metadata == {"scam_warning": True}
    assert output.messages[0]["text"] == WARNING
    assert "1900 9068" in WARNING
