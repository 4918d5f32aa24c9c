"""Logs never show a citizen's numbers, e-mail or a platform token."""

from __future__ import annotations

import logging

from connectors.common.masking import (
    SecretRedactingFilter,
    mask_id,
    mask_text,
    redact_secrets,
)


def test_ids_show_only_their_end():
    assert mask_id("6142494823716485925") == "…5925"
    assert mask_id(None) == "-"
    assert mask_id("12") == "…"


def test_identifiers_phones_and_emails_are_masked():
    text = "CCCD 001203004567, SĐT 0912 345 678, thẻ DN4010123456789, mail an.nguyen@gmail.com"
    masked = mask_text(text)
    assert "001203004567" not in masked and masked.count("67") >= 1
    assert "345 678" not in masked
    assert "DN4010123456789" not in masked
    assert "an.nguyen@" not in masked and "@gmail.com" in masked
    assert mask_text("Tôi 60 tuổi") == "Tôi 60 tuổi"


def test_tokens_are_removed_from_urls():
    url = (
        "POST https://graph.facebook.com/v25.0/me/messages?access_token=EAAB123&appsecret_proof=ab"
    )
    assert "EAAB123" not in redact_secrets(url)
    path = "https://api.telegram.org/bot7000001:AAHfake-token/sendMessage"
    assert "AAHfake" not in redact_secrets(path)


def test_log_filter_rewrites_httpx_lines():
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "HTTP Request: %s", ("GET /x?access_token=abc",), None
    )
    assert SecretRedactingFilter().filter(record)
    assert "abc" not in record.getMessage()
