"""Webhook signatures of Meta: ``X-Hub-Signature-256`` (and, only if allowed, SHA-1).

``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>``. Rasa's built-in
connector reads only the older ``X-Hub-Signature`` (SHA-1) and compares with ``==``; here the
SHA-256 header is required, compared in constant time, and SHA-1 is accepted only when
``MESSENGER_ALLOW_SHA1`` is set.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER_SHA256 = "X-Hub-Signature-256"
HEADER_SHA1 = "X-Hub-Signature"


def sign(app_secret: str, raw_body: bytes, algorithm: str = "sha256") -> str:
    """The header value Meta sends: ``sha256=<hex>`` (or ``sha1=<hex>``).

    Args:
        app_secret: the Meta app secret.
        raw_body: the request body exactly as sent.
        algorithm: ``sha256`` or ``sha1``.

    Returns:
        The signature header value.
    """
    digest = hmac.new(app_secret.encode(), raw_body, getattr(hashlib, algorithm)).hexdigest()
    return f"{algorithm}={digest}"


def verify(
    app_secret: str,
    raw_body: bytes,
    sha256_header: str | None,
    sha1_header: str | None = None,
    *,
    allow_sha1: bool = False,
) -> bool:
    """Checks a delivery's signature in constant time.

    Args:
        app_secret: the Meta app secret.
        raw_body: the request body exactly as received.
        sha256_header: the ``X-Hub-Signature-256`` value.
        sha1_header: the ``X-Hub-Signature`` value.
        allow_sha1: accept SHA-1 when the SHA-256 header is absent.

    Returns:
        Whether the body was signed with our app secret.
    """
    if sha256_header:
        return _matches(sign(app_secret, raw_body, "sha256"), sha256_header)
    if allow_sha1 and sha1_header:
        return _matches(sign(app_secret, raw_body, "sha1"), sha1_header)
    return False


def _matches(expected: str, supplied: str) -> bool:
    return hmac.compare_digest(expected.encode(), supplied.strip().lower().encode())
