"""Photos and PDF files sent from the web chat page, kept until the dossier takes them.

A file is recognised from its bytes (JPEG, PNG, WebP, PDF; anything else is refused), stored
under an unguessable token and served back at ``/webhooks/webchat/files/<token>`` with its type,
``nosniff`` and no other content type, so an upload can never become a page of this site. The
action server fetches it from there and attaches it to the dossier (bot/actions/attachments.py).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAX_UPLOAD_BYTES", "StoredFile", "UploadRefused", "UploadStore", "kind_of"]

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


class UploadRefused(ValueError):
    """A file the web chat does not take; the message is Vietnamese, for the citizen."""


@dataclass(frozen=True)
class StoredFile:
    """A kept file: its token, type and the name the citizen gave it."""

    token: str
    mime_type: str
    name: str


def kind_of(data: bytes) -> tuple[str, str] | None:
    """``(mime type, extension)`` of a JPEG, PNG, WebP or PDF file, else None."""
    for magic, mime, extension in _TYPES:
        if data.startswith(magic):
            return mime, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


class UploadStore:
    """A folder of uploaded files named by token.

    Args:
        folder: where the files are kept (created on first upload).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save_sync(self, data: bytes, name: str) -> StoredFile:
        """Keeps one file (blocking; prefer :meth:`save`).

        Raises:
            UploadRefused: empty, too large, or not a photo or PDF.
        """
        if not data:
            raise UploadRefused("Tệp trống. Ông/bà vui lòng chọn lại ảnh hoặc tệp PDF.")
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadRefused("Tệp quá lớn (tối đa 10 MB). Ông/bà vui lòng chụp ảnh nhỏ hơn.")
        kind = kind_of(data)
        if kind is None:
            raise UploadRefused("Trợ lý chỉ nhận ảnh (JPG, PNG, WebP) hoặc tệp PDF.")
        mime, extension = kind
        token = secrets.token_urlsafe(24)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{token}{extension}").write_bytes(data)
        return StoredFile(token, mime, Path(name).name[:100] or f"tep{extension}")

    async def save(self, data: bytes, name: str) -> StoredFile:
        """Keeps one file without blocking the event loop."""
        return await asyncio.to_thread(self.save_sync, data, name)

    def forget_sync(self, tokens: Iterable[str]) -> int:
        """Deletes the files of the tokens (erasure on request); returns how many went."""
        deleted = 0
        for token in tokens:
            found = self.find(token)
            if found is not None:
                found[0].unlink(missing_ok=True)
                deleted += 1
        return deleted

    async def forget(self, tokens: Iterable[str]) -> int:
        """Deletes the files of the tokens without blocking the event loop."""
        return await asyncio.to_thread(self.forget_sync, list(tokens))

    def purge_sync(self, before: float) -> int:
        """Deletes the files last written before ``before`` (a UNIX time; retention)."""
        if not self.folder.is_dir():
            return 0
        deleted = 0
        for path in self.folder.iterdir():
            if path.is_file() and path.stat().st_mtime < before:
                path.unlink(missing_ok=True)
                deleted += 1
        return deleted

    def find(self, token: str) -> tuple[Path, str] | None:
        """The file of a token and its type, or None."""
        if not _TOKEN.fullmatch(token):
            return None
        for _, mime, extension in (*_TYPES, (b"", "image/webp", ".webp")):
            path = self.folder / f"{token}{extension}"
            if path.is_file():
                return path, mime
        return None
