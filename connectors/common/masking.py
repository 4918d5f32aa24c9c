"""Keep personal data and secrets out of the logs.

Citizens write phone numbers, citizen-id (CCCD) numbers, social-insurance codes and e-mail
addresses; platform ids identify a person too. Log lines show only the masked forms produced here.
Single values are masked by the catalog's ``bhxh_catalog.validators.masking`` (same look
everywhere: ``00********67``); this module finds them in free text, masks platform ids, and keeps
tokens out of URLs in log lines. :func:`install_record_masking` applies it to every log record of
a process (Rasa logs the raw text of messages at debug level and on failures).
"""

from __future__ import annotations

import logging
import re

from bhxh_catalog.validators.masking import mask, mask_bhyt_card, mask_email

# six digits or more, also glued to letters ("cccd001088012345") or URL-encoded ("%3A48213377")
_DIGIT_RUN = re.compile(r"(?<!\d)\+?\d(?:[ .-]?\d){5,}(?!\d)")
_RECEIPT = re.compile(r"\b(HS)-([A-Z0-9]{4})-([A-Z0-9]{2})([A-Z0-9]{2})\b", re.IGNORECASE)
_CARD = re.compile(r"\b[A-Z]{2}\d{13}\b")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_SECRET_PARAM = re.compile(r"(access_token|appsecret_proof|secret_key|token)=([^&\s\"']+)")
_BOT_TOKEN_PATH = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")


def mask_id(value: object) -> str:
    """Shows the last four characters of an id: ``…4821``.

    Args:
        value: a platform user id, chat id, sender id …

    Returns:
        The masked id; ``-`` for an empty value.
    """
    text = "" if value is None else str(value)
    if not text:
        return "-"
    return "…" + text[-4:] if len(text) > 4 else "…"


def mask_text(text: str | None) -> str:
    """Masks numbers of six digits or more, BHYT card numbers and e-mail addresses.

    Args:
        text: what a citizen wrote.

    Returns:
        The text with personal data replaced, e.g. ``"SĐT 09******78"``.
    """
    if not text:
        return ""
    masked = _CARD.sub(lambda m: mask_bhyt_card(m.group(0)), text)
    masked = _RECEIPT.sub(lambda m: f"{m.group(1)}-••••-••{m.group(4)}", masked)
    masked = _DIGIT_RUN.sub(lambda m: mask(re.sub(r"\D", "", m.group(0)), 2, 2), masked)
    return _EMAIL.sub(lambda m: mask_email(m.group(0)), masked)


def redact_secrets(text: str) -> str:
    """Removes tokens from URLs and messages (``access_token=…``, ``/bot<token>``)."""
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=•••", text)
    return _BOT_TOKEN_PATH.sub("/bot•••", text)


class SecretRedactingFilter(logging.Filter):
    """Rewrites log records so that tokens in URLs never reach the log files.

    httpx logs every request URL at INFO level (``HTTP Request: POST https://…?access_token=…``);
    the Graph API and the Telegram Bot API carry their tokens in the URL.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redacts the record's message in place; never drops the record."""
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


def mask_log_text(text: str) -> str:
    """What a log line may show: no tokens, no personal numbers, no receipt codes."""
    return mask_text(redact_secrets(text))


_PLAIN_FACTORY = logging.getLogRecordFactory()


def _masking_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _PLAIN_FACTORY(*args, **kwargs)  # type: ignore[arg-type]
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = str(record.msg)
    masked = mask_log_text(message)
    if masked != message:
        record.msg, record.args = masked, None
    return record


def install_record_masking() -> None:
    """Masks every log record of the process when it is created (Rasa's, Sanic's, httpx's and
    ours): ``Received user message 'CCCD 001088012345'`` becomes ``'CCCD 00********45'``, an
    httpx request line shows ``HS-••••-••2P``. Idempotent; the bot's servers call it at start."""
    if logging.getLogRecordFactory() is not _masking_factory:
        logging.setLogRecordFactory(_masking_factory)


def install_log_redaction() -> None:
    """Adds :class:`SecretRedactingFilter` to the HTTP client loggers (idempotent)."""
    for name in ("httpx", "httpcore", "telegram.Bot"):
        target = logging.getLogger(name)
        if not any(isinstance(f, SecretRedactingFilter) for f in target.filters):
            target.addFilter(SecretRedactingFilter())
