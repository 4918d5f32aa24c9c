"""The bot's client of the intake API: typed, retried, idempotent, with a durable outbox."""

from backend_client.client import IntakeClient
from backend_client.config import IntakeSettings
from backend_client.exceptions import (
    DossierNotFound,
    FieldError,
    IntakeConflict,
    IntakeError,
    IntakeProtocolError,
    IntakeRejected,
    IntakeUnavailable,
)
from backend_client.models import DossierStatus, DossierSubmission, Receipt, StatusChange
from backend_client.outbox import (
    Delivered,
    Outbox,
    OutboxItem,
    OutboxWorker,
    Queued,
    Rejected,
    submit_durably,
)

__all__ = [
    "Delivered",
    "DossierNotFound",
    "DossierStatus",
    "DossierSubmission",
    "FieldError",
    "IntakeClient",
    "IntakeConflict",
    "IntakeError",
    "IntakeProtocolError",
    "IntakeRejected",
    "IntakeSettings",
    "IntakeUnavailable",
    "Outbox",
    "OutboxItem",
    "OutboxWorker",
    "Queued",
    "Receipt",
    "Rejected",
    "StatusChange",
    "submit_durably",
]
