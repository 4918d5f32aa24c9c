"""Personal data never reaches the logs."""

from __future__ import annotations

import logging

import pytest

from intake_service.logging_setup import configure_logging
from intake_service.pii import PiiLogFilter, mask_text


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("CCCD 056175001234 nộp hồ sơ", "056175001234"),
        ("cccd 056 175 001 234", "056 175 001 234"),
        ("mã số BHXH 7912345678", "7912345678"),
        ("gọi 0912.345.678 hoặc +84912345678", "0912.345.678"),
        ("thẻ GD4797912345678", "GD4797912345678"),
        ("email nguyenvanan@gmail.com", "nguyenvanan@gmail.com"),
        ("GET /console/dossiers?q=056175001234 HTTP/1.1", "056175001234"),
    ],
)
def test_mask_text_hides_identifiers(text: str, hidden: str) -> None:
    masked = mask_text(text)
    assert hidden not in masked
    assert "•" in masked


def test_short_numbers_stay_readable() -> None:
    assert mask_text("hồ sơ HS-7K3M-9Q2P, 12 tháng, năm 2025") == (
        "hồ sơ HS-7K3M-9Q2P, 12 tháng, năm 2025"
    )


def test_filter_masks_arguments_and_tracebacks() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "submitted %s", ("056175001234",), None
    )
    try:
        raise ValueError("bad phone 0912345678")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    PiiLogFilter().filter(record)
    assert "056175001234" not in record.getMessage()
    assert "0912345678" not in (record.exc_text or "")


@pytest.fixture
def restore_logging():
    """Puts the logging configuration back (the test below replaces the handlers)."""
    names = ["", "intake_service", "uvicorn", "uvicorn.error", "uvicorn.access"]
    saved = {
        name: (list(logging.getLogger(name).handlers), logging.getLogger(name).propagate)
        for name in names
    }
    yield
    for name, (handlers, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.propagate = propagate


@pytest.mark.usefixtures("restore_logging")
def test_service_logging_masks_every_logger(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    logging.getLogger("intake_service.test").info("CCCD %s", "056175001234")
    logging.getLogger("uvicorn.access").info('127.0.0.1 "GET /x?q=7912345678 HTTP/1.1" 200')
    logging.getLogger("some.library").warning("phone 0912345678")
    err = capsys.readouterr().err
    assert "056175001234" not in err
    assert "7912345678" not in err
    assert "0912345678" not in err
    assert err.count("•") >= 3


def test_glued_and_url_encoded_numbers_and_receipt_codes_leave_no_trace():
    """Issue 17: masking gaps found by the review."""
    from intake_service.pii import mask_log_line

    line = mask_log_line(
        'GET /api/v1/dossiers/HS-7K3M-9Q2P?sender_id=zalo%3A4821337712 cccd001088012345'
    )
    assert "HS-7K3M-9Q2P" not in line and "HS-••••-••2P" in line
    assert "4821337712" not in line and "001088012345" not in line
