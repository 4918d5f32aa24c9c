"""The bot's client of the intake API: typed, retried, idempotent, with a durable outbox.

Also the human handoff calls (create, relay a citizen message, call back, active, withdraw,
redeem a caller code): see :mod:`backend_client.handoffs`.
"""

from backend_client.client import IntakeClient
from backend_client.config import IntakeSettings
from backend_client.exceptions import (
    CodeNotFound,
    CodeUnavailable,
    DossierNotFound,
    FieldError,
    HandoffNotFound,
    HandoffNotOpen,
    IntakeConflict,
    IntakeError,
    IntakeProtocolError,
    IntakeRejected,
    IntakeUnavailable,
)
from backend_client.handoffs import (
    Attachment,
    CallbackReceipt,
    CallerCode,
    HandoffRequest,
    HandoffTicket,
    HandoffView,
    RelayedMessage,
    TranscriptLine,
    WithdrawReason,
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
    "Attachment",
    "CallbackReceipt",
    "CallerCode",
    "CodeNotFound",
    "CodeUnavailable",
    "Delivered",
    "DossierNotFound",
    "DossierStatus",
    "DossierSubmission",
    "FieldError",
    "HandoffNotFound",
    "HandoffNotOpen",
    "HandoffRequest",
    "HandoffTicket",
    "HandoffView",
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
    "RelayedMessage",
    "StatusChange",
    "TranscriptLine",
    "WithdrawReason",
    "submit_durably",
]
