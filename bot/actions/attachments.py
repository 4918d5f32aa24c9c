"""Photos and files the citizen sends: collected with the dossier, attached after submission.

Channels put what was sent in the message metadata (``attachments``; connectors/README.md):
Zalo and Messenger as ``{"type", "payload": {"url", …}}``, Telegram as ``{"type", "file_id"}``,
the REST channel and the web chat as ``{"type", "url", "name", "mime_type"}``. They are kept in
the slot ``submission_attachments`` as ``{"kind", "url", "name", "mime_type", "document"}``
(``document``: the catalog document the citizen said it shows) and uploaded to the intake service
once the dossier has a receipt code. A file without a URL (Telegram keeps files behind the bot
token) cannot be fetched here: the citizen is asked to bring the paper.

Only ``http``/``https`` URLs are fetched, at most :data:`MAX_BYTES` each.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bot.actions import intake_access

__all__ = [
    "MAX_BYTES",
    "Uploaded",
    "from_metadata",
    "upload_all",
]

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
DOWNLOAD_TIMEOUT = 20.0
_KINDS = frozenset({"image", "photo", "file", "document"})


@dataclass(frozen=True)
class Uploaded:
    """How many files were attached to a dossier, how many could not be, and how many the
    dossier had already (the same photo sent twice is kept once: the citizen is told so)."""

    attached: int
    failed: int
    already: int = 0


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _one(item: Mapping[str, Any]) -> dict[str, object] | None:
    kind = _text(item.get("type")) or "file"
    if kind not in _KINDS:
        return None
    inner = item.get("payload")
    details: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
    url = _text(item.get("url")) or _text(details.get("url"))
    name = _text(item.get("name")) or _text(details.get("name"))
    mime = _text(item.get("mime_type")) or _text(details.get("type"))
    return {"kind": kind, "url": url, "name": name, "mime_type": mime, "document": None}


def from_metadata(metadata: object) -> list[dict[str, object]]:
    """The photos and files of one message, from its metadata (empty when none)."""
    if not isinstance(metadata, Mapping):
        return []
    items = metadata.get("attachments")
    if not isinstance(items, list):
        return []
    found = [_one(item) for item in items if isinstance(item, Mapping)]
    return [item for item in found if item is not None]


async def _download(client: httpx.AsyncClient, url: str) -> tuple[bytes, str | None]:
    if not url.startswith(("http://", "https://")):
        raise ValueError("only http(s) URLs are fetched")
    async with client.stream("GET", url) as response:
        response.raise_for_status()
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_BYTES:
                raise ValueError("file too large")
            chunks.append(chunk)
        return b"".join(chunks), response.headers.get("content-type")


def _filename(attachment: Mapping[str, object], number: int, content_type: str) -> str:
    name = attachment.get("name")
    if isinstance(name, str) and "." in name:
        extension = "." + name.rsplit(".", 1)[1][:8]
    else:
        extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    label = str(attachment.get("document") or "giay-to")
    return f"{label}-{number}{extension}"


async def upload_all(receipt_code: str, attachments: Sequence[Mapping[str, object]]) -> Uploaded:
    """Fetches each attachment and attaches it to the dossier; failures are counted, not raised."""
    attached = failed = already = 0
    async with httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT, follow_redirects=True) as client:
        for number, attachment in enumerate(attachments, 1):
            url = attachment.get("url")
            if not isinstance(url, str):
                failed += 1
                continue
            try:
                content, header_type = await _download(client, url)
                content_type = str(
                    attachment.get("mime_type") or header_type or "application/octet-stream"
                )
                stored = await intake_access.attach(
                    receipt_code,
                    _filename(attachment, number, content_type),
                    content,
                    content_type,
                )
            except (httpx.HTTPError, ValueError, intake_access.IntakeError) as error:
                logger.warning(
                    "attachment %d of %s not attached: %s",
                    number,
                    receipt_code,
                    type(error).__name__,
                )
                failed += 1
                continue
            if stored.get("already_attached") is True:
                already += 1
            else:
                attached += 1
    return Uploaded(attached, failed, already)
