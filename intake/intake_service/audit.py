"""The audit log of staff actions (who did what, to which dossier, from where)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from intake_service.models import AuditEntry
from intake_service.pii import mask_text

__all__ = ["record"]


def record(
    session: Session, actor: str, action: str, target: str = "", detail: str = "", ip: str = ""
) -> None:
    """Adds one entry to the audit log (in the caller's transaction).

    Args:
        session: the open session; the entry is committed with the caller's work.
        actor: the user name (or ``bot`` / ``anonymous``).
        action: a short verb such as ``login``, ``view_dossier``, ``change_status``.
        target: what the action concerned (a receipt code, a user name…).
        detail: free text; identifiers in it are masked.
        ip: the client address.
    """
    session.add(
        AuditEntry(
            actor=actor[:64],
            action=action[:48],
            target=target[:128],
            detail=mask_text(detail)[:2000],
            ip=ip[:64],
        )
    )
