"""Attachment files: type sniffing, size limits, checksums and content-addressed storage.

The declared content type is not trusted: the first bytes decide (JPEG, PNG, WebP, HEIC or
PDF). Files are stored once per SHA-256 (of the plain bytes) under ``var/attachments/ab/abcdef…``,
encrypted with the data key (``intake_service.crypto``), mode 0600.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from intake_service.crypto import DataCipher

__all__ = ["ALLOWED_TYPES", "AttachmentStore", "RejectedFile", "clean_filename", "sniff_type"]

ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


class RejectedFile(ValueError):
    """A file that cannot be attached; the message is Vietnamese."""


def sniff_type(head: bytes) -> str | None:
    """The content type recognised from the first bytes of a file, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1"}:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_filename(name: str | None, content_type: str) -> str:
    """A safe display name: no path, no control characters, NFC, at most 120 characters."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", base).strip(" ._")[:120]
    return base or f"tep-dinh-kem{ALLOWED_TYPES.get(content_type, '')}"


class AttachmentStore:
    """Stores attachment bytes under a directory, one file per checksum.

    Args:
        root: the directory (created when needed).
        max_bytes: the largest accepted file.
    """

    def __init__(self, root: Path, max_bytes: int, cipher: DataCipher | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.cipher = cipher

    def check(self, data: bytes) -> str:
        """Checks size and type; returns the sniffed content type.

        Raises:
            RejectedFile: empty, too large, or not an image/PDF.
        """
        if not data:
            raise RejectedFile("Tệp trống, xin gửi lại ảnh chụp hoặc tệp PDF.")
        if len(data) > self.max_bytes:
            limit = self.max_bytes // (1024 * 1024)
            raise RejectedFile(f"Tệp lớn hơn {limit} MB. Xin chụp lại ảnh nhỏ hơn hoặc gửi PDF.")
        content_type = sniff_type(data[:16])
        if content_type is None:
            raise RejectedFile("Chỉ nhận ảnh (JPG, PNG, WebP, HEIC) hoặc tệp PDF.")
        return content_type

    def path_for(self, sha256: str) -> Path:
        """Where the bytes with this checksum are (or would be) stored."""
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256

    def read(self, sha256: str) -> bytes | None:
        """The bytes of a stored file (decrypted), or None when it is not on disk.

        Raises:
            cryptography.fernet.InvalidToken: no key of ``INTAKE_DATA_KEYS`` opens it.
        """
        path = self.path_for(sha256)
        if not path.is_file():
            return None
        stored = path.read_bytes()
        return self.cipher.decrypt_file(stored) if self.cipher is not None else stored

    def save(self, data: bytes) -> str:
        """Writes the bytes (atomically, once per content) and returns their SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        stored = self.cipher.encrypt_file(data) if self.cipher is not None else data
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(stored)
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return digest
