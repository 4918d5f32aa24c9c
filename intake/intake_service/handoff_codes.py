"""Codes for callers (person → assistant): ``7K3 M9Q``.

A hotline staff member on the phone chooses the procedure, types what the caller already said
and reads the code to the caller; when the citizen sends the code to the assistant (on any
channel), the assistant fetches the prepared data once and continues from there.

Six characters from the receipt-code alphabet (no 0/O, 1/I/L): five random ones and a check
character (weighted sum modulo 31, as in :mod:`intake_service.receipt`), so a mistyped code is
recognised without a lookup. Codes expire after ``HANDOFF_CODE_TTL_HOURS``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from intake_service.catalog_fields import CatalogFields
from intake_service.db import Database
from intake_service.dossiers import SubmissionRejected
from intake_service.handoffs import HOTLINE
from intake_service.models import HandoffCode, User, utcnow
from intake_service.receipt import ALPHABET

__all__ = [
    "CODE_LENGTH",
    "CodeNotFound",
    "CodeUnavailable",
    "HandoffCodeService",
    "display",
    "new_code",
    "normalize",
]

CODE_LENGTH = 6
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-_.·]+")


class CodeNotFound(LookupError):
    """No code like this was ever made (or it is mistyped)."""


class CodeUnavailable(Exception):
    """The code was used by another conversation or has expired; ``message`` is Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_char(body: str) -> str:
    total = sum((position + 1) * _INDEX[ch] for position, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_code() -> str:
    """A fresh random code (uniqueness is enforced by the database)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH - 1))
    return body + _check_char(body)


def normalize(text: str) -> str | None:
    """The canonical code for what a citizen typed (``7k3 m9q`` → ``7K3M9Q``), or None."""
    compact = _SEPARATORS.sub("", text.strip().upper())
    if len(compact) != CODE_LENGTH or any(ch not in _INDEX for ch in compact):
        return None
    if _check_char(compact[:-1]) != compact[-1]:
        return None
    return compact


def display(code: str) -> str:
    """The code as it is read on the phone: two groups of three (``7K3 M9Q``)."""
    return f"{code[:3]} {code[3:]}"


@dataclass
class HandoffCodeService:
    """Makes and redeems caller codes.

    Args:
        db: the database.
        catalog: the seam to the procedure catalog (validators).
        ttl: how long a code stays valid.
        zalo_oa_id: the Zalo Official Account id; empty when the office has none.
        telegram_bot: the Telegram bot's user name; empty when there is none.
        clock: the current time.
    """

    db: Database
    catalog: CatalogFields
    ttl: timedelta
    zalo_oa_id: str = ""
    telegram_bot: str = ""
    clock: Callable[[], datetime] = utcnow

    def issue(
        self,
        user: User,
        procedure_id: str,
        fields: Mapping[str, str],
        answers: Mapping[str, str],
        note: str = "",
    ) -> HandoffCode:
        """Checks what was learned on the phone and stores it under a new code.

        Raises:
            SubmissionRejected: unknown procedure or invalid values (validators' messages).
        """
        checked = self.catalog.check_values(
            procedure_id,
            {k: v.strip() for k, v in fields.items() if v.strip()},
            {k: v.strip() for k, v in answers.items() if v.strip()},
        )
        if checked.errors:
            raise SubmissionRejected(checked.errors)
        now = self.clock()
        for _ in range(8):
            code = HandoffCode(
                code=new_code(),
                procedure_id=procedure_id,
                fields=checked.fields,
                answers=checked.answers,
                note=note.strip() or None,
                created_by=user.username,
                created_at=now,
                expires_at=now + self.ttl,
            )
            try:
                with self.db.transaction() as session:
                    session.add(code)
                return code
            except IntegrityError:
                continue  # the code collided: draw another one
        raise RuntimeError("could not draw a free handoff code")

    def redeem(self, text: str, channel: str | None, sender_id: str | None) -> HandoffCode:
        """Hands the prepared data to the assistant, once.

        The same conversation may fetch it again (a retried request); any other gets
        :class:`CodeUnavailable`.

        Raises:
            CodeNotFound: not a code, or no such code.
            CodeUnavailable: used by another conversation, or expired.
        """
        code = normalize(text)
        if code is None:
            raise CodeNotFound(text)
        now = self.clock()
        with self.db.transaction() as session:
            result = session.execute(
                update(HandoffCode)
                .where(
                    HandoffCode.code == code,
                    HandoffCode.used_at.is_(None),
                    HandoffCode.expires_at > now,
                )
                .values(used_at=now, used_channel=channel, used_sender_id=sender_id)
            )
            row = session.scalar(select(HandoffCode).where(HandoffCode.code == code))
        if row is None:
            raise CodeNotFound(text)
        if getattr(result, "rowcount", 0) == 1:
            return row
        same = sender_id is not None and (row.used_channel, row.used_sender_id) == (
            channel,
            sender_id,
        )
        if row.used_at is not None and same:
            return row
        if row.used_at is not None:
            raise CodeUnavailable(
                f"Mã này đã được dùng. Nếu cần, xin gọi tổng đài {HOTLINE} để cán bộ cấp mã mới."
            )
        raise CodeUnavailable(
            f"Mã này đã hết hạn. Xin gọi tổng đài {HOTLINE} để cán bộ cấp mã mới."
        )

    def links(self, code: str) -> dict[str, str]:
        """Links that open the assistant with the code (only for the channels configured).

        Zalo: ``https://zalo.me/<OA id>?code=<code>`` opens the Official Account's chat; the
        citizen still sends the code (whether Zalo forwards the parameter is not verified).
        Telegram: ``https://t.me/<bot>?start=<code>`` sends ``/start <code>`` to the bot.
        """
        links: dict[str, str] = {}
        if self.zalo_oa_id:
            links["zalo"] = f"https://zalo.me/{quote(self.zalo_oa_id)}?code={code}"
        if self.telegram_bot:
            links["telegram"] = f"https://t.me/{quote(self.telegram_bot)}?start={code}"
        return links

    def recent(self, limit: int = 20) -> list[HandoffCode]:
        """The codes made most recently."""
        with self.db.session() as session:
            return list(
                session.scalars(select(HandoffCode).order_by(HandoffCode.id.desc()).limit(limit))
            )
