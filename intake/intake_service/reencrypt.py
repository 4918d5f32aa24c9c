"""``python -m intake_service reencrypt``: every dossier and attachment with the newest key.

Used after a key rotation (``INTAKE_DATA_KEYS=new,old``) and once after upgrading a database
whose dossiers were stored before encryption: each dossier's ``fields`` and ``consent`` are read
(with any key, or in clear) and written again (with the first key); each attachment file is
rewritten the same way. Safe to run again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from intake_service.crypto import DataCipher
from intake_service.db import Database
from intake_service.models import Dossier

__all__ = ["reencrypt_all"]

BATCH = 200


def reencrypt_all(db: Database, attachments_dir: Path, cipher: DataCipher) -> tuple[int, int]:
    """Rewrites every dossier and attachment file; returns ``(dossiers, files)``."""
    rows = 0
    last = 0
    while True:
        with db.transaction() as session:
            batch = list(
                session.scalars(
                    select(Dossier).where(Dossier.id > last).order_by(Dossier.id).limit(BATCH)
                )
            )
            for dossier in batch:
                flag_modified(dossier, "fields")
                flag_modified(dossier, "consent")
            rows += len(batch)
        if not batch:
            break
        last = batch[-1].id
    files = 0
    for path in sorted(attachments_dir.glob("*/*")) if attachments_dir.is_dir() else []:
        if not path.is_file() or path.name.startswith("."):
            continue
        plain = cipher.decrypt_file(path.read_bytes())
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".reencrypt-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(cipher.encrypt_file(plain))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        files += 1
    return rows, files
