"""Encryption at rest of the dossiers' personal data and of the attachment files (issue 17).

What is encrypted: a dossier's ``fields`` (name, birth date, CCCD, mã số BHXH, phone, address,
bank account …) and ``consent`` columns, and every attachment file under ``var/attachments``.
Search by identifier keeps working through the keyed digests of :mod:`intake_service.pii`; the
status, procedure, province, dates stay in clear for lists and statistics.

How: Fernet (AES-128-CBC + HMAC-SHA256, ``cryptography``) with the keys of
``INTAKE_DATA_KEYS``: a comma-separated list of Fernet keys, the first encrypts, every one
decrypts. Bootstrap generates one key into ``var/secrets.env``.

**Key rotation** (docs in intake/README.md): put a new key first (``INTAKE_DATA_KEYS=new,old``),
restart, run ``python -m intake_service reencrypt`` (every row and file is rewritten with the new
key), then drop the old key. Values written before encryption existed (plain JSON, plain files)
are read as they are and encrypted by ``reencrypt``.

The cipher is installed once per process by ``create_app`` and the commands
(:func:`install_cipher`); the column type :class:`EncryptedJSON` uses it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = [
    "DataCipher",
    "EncryptedJSON",
    "KeyProblem",
    "cipher",
    "install_cipher",
    "new_data_key",
]

ENVELOPE = "enc"
VERSION = "fernet1"
_FILE_MAGIC = b"BHXHENC1"


class KeyProblem(ValueError):
    """``INTAKE_DATA_KEYS`` is missing or holds something that is not a Fernet key."""


def new_data_key() -> str:
    """A new random key (what bootstrap writes into ``INTAKE_DATA_KEYS``)."""
    return Fernet.generate_key().decode("ascii")


class DataCipher:
    """Encrypts with the first key, decrypts with any.

    Args:
        keys: Fernet keys (URL-safe base64 of 32 bytes), newest first.

    Raises:
        KeyProblem: no key, or a malformed one.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        cleaned = [key.strip() for key in keys if key.strip()]
        if not cleaned:
            raise KeyProblem("INTAKE_DATA_KEYS (missing)")
        try:
            self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in cleaned])
        except (ValueError, TypeError) as error:
            raise KeyProblem("INTAKE_DATA_KEYS holds a value that is not a Fernet key") from error

    @classmethod
    def from_setting(cls, text: str) -> DataCipher:
        """From the comma-separated ``INTAKE_DATA_KEYS``."""
        return cls(text.split(","))

    def encrypt(self, data: bytes) -> bytes:
        """The token of ``data``."""
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """The data of a token made with any of the keys.

        Raises:
            cryptography.fernet.InvalidToken: no key opens it (or it was altered).
        """
        return self._fernet.decrypt(token)

    def encrypt_file(self, data: bytes) -> bytes:
        """What is written to disk for an attachment."""
        return _FILE_MAGIC + self.encrypt(data)

    def decrypt_file(self, stored: bytes) -> bytes:
        """An attachment's bytes from what is on disk (a file from before encryption as is)."""
        if not stored.startswith(_FILE_MAGIC):
            return stored
        return self.decrypt(stored[len(_FILE_MAGIC) :])

    @staticmethod
    def is_encrypted_file(stored: bytes) -> bool:
        """Whether a stored attachment is encrypted (``reencrypt`` rewrites the others)."""
        return stored.startswith(_FILE_MAGIC)

    def rotate(self, token: bytes) -> bytes:
        """The token re-made with the first key."""
        return self._fernet.rotate(token)


_installed: list[DataCipher] = []


def install_cipher(installed: DataCipher) -> None:
    """Makes ``installed`` the cipher of this process (the app and the commands call it)."""
    _installed[:] = [installed]


def cipher() -> DataCipher:
    """The installed cipher.

    Raises:
        KeyProblem: none was installed (``create_app`` or a command does it).
    """
    if not _installed:
        raise KeyProblem("no data key installed (INTAKE_DATA_KEYS)")
    return _installed[0]


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON column whose value is stored as ``{"enc": "fernet1", "data": "<token>"}``.

    A stored value without the envelope (written before encryption) is read as it is.
    """

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Encrypts the value (None stays None)."""
        if value is None:
            return None
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return {ENVELOPE: VERSION, "data": cipher().encrypt(plain).decode("ascii")}

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Decrypts a stored envelope; anything else is returned as stored."""
        if isinstance(value, dict) and value.get(ENVELOPE) == VERSION and "data" in value:
            try:
                return json.loads(cipher().decrypt(str(value["data"]).encode("ascii")))
            except InvalidToken as error:
                raise KeyProblem("a dossier cannot be decrypted with INTAKE_DATA_KEYS") from error
        return value
