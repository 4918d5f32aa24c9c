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


# ------------------------------------------------------------ issue 17: gaps a review found
def test_digits_glued_to_letters_or_url_encoded_are_masked():
    from connectors.common.masking import mask_log_text

    assert "001088012345" not in mask_log_text("cccd001088012345")
    assert "48213377" not in mask_log_text("GET /x?sender=zalo%3A48213377 200")
    masked = mask_log_text('HTTP Request: GET http://i/api/v1/dossiers/HS-7K3M-9Q2P "200 OK"')
    assert "HS-7K3M-9Q2P" not in masked and "HS-••••-••2P" in masked


def test_every_log_record_is_masked_once_installed(caplog):
    import logging

    from connectors.common.masking import install_record_masking

    install_record_masking()
    with caplog.at_level(logging.DEBUG, logger="rasa.core.processor"):
        logging.getLogger("rasa.core.processor").debug(
            "Received user message '%s'", "CCCD 001088012345, sđt 0912345678"
        )
    assert "001088012345" not in caplog.text and "0912345678" not in caplog.text
