"""Request and response bodies of the HTTP API (pydantic 2), as published in openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "AttachmentOut",
    "DossierCreate",
    "DossierCreated",
    "DossierList",
    "DossierOut",
    "DossierSummary",
    "ErrorOut",
    "FieldError",
    "HistoryEntry",
    "RatingCreate",
    "RatingOut",
    "StatusChange",
    "ValidationErrorOut",
]

Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
]
ChannelName = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
]
# Text never contains NUL characters (PostgreSQL cannot store them).
NO_NUL = r"^[^\x00]*$"


SenderId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=NO_NUL)]
Text32 = Annotated[str, StringConstraints(max_length=32, pattern=NO_NUL)]
Text100 = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Text2000 = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
Value = Text2000 | int | float | bool | None
StatusName = Literal["received", "in_review", "needs_info", "approved", "rejected", "result_sent"]


class DossierCreate(BaseModel):
    """A dossier submitted by the bot (or an office's own system)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "procedure_id": "huong_bhxh_mot_lan",
                "channel": "zalo",
                "sender_id": "zalo:4839201",
                "fields": {"ho_ten": "Nguyễn Văn An", "so_cccd": "056160001234"},
                "answers": {"ly_do": "nghi_viec"},
                "province": "Khánh Hòa",
            }
        }
    )

    procedure_id: Identifier = Field(description="Id of the procedure in the catalog.")
    channel: ChannelName = Field(description="Channel the citizen used: zalo, messenger, …")
    sender_id: SenderId = Field(description="The conversation id on that channel.")
    fields: dict[Identifier, Value] = Field(
        default_factory=dict, max_length=100, description="Data fields by field id."
    )
    answers: dict[Identifier, Value] = Field(
        default_factory=dict, max_length=100, description="Eligibility answers by question id."
    )
    province: Text100 | None = Field(
        default=None, description="Province (old or current name); routes the dossier."
    )


class DossierCreated(BaseModel):
    """The receipt given to the citizen."""

    receipt_code: str
    status: StatusName
    status_label: str
    procedure_id: str
    created_at: datetime
    processing_time: str
    province: str | None
    office: str | None


class HistoryEntry(BaseModel):
    """One status change."""

    status: StatusName
    status_label: str
    at: datetime
    actor: str
    note: str | None


class AttachmentOut(BaseModel):
    """A file attached to a dossier."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    url: str


class DossierOut(BaseModel):
    """A dossier with its data, history and attachments."""

    receipt_code: str
    procedure_id: str
    procedure_name: str
    status: StatusName
    status_label: str
    channel: str
    sender_id: str
    province: str | None
    office: str | None
    created_at: datetime
    updated_at: datetime
    processing_time: str
    history: list[HistoryEntry]
    fields: dict[str, Any]
    answers: dict[str, Any]
    attachments: list[AttachmentOut]


class DossierSummary(BaseModel):
    """A dossier in a list."""

    receipt_code: str
    procedure_id: str
    procedure_name: str
    status: StatusName
    status_label: str
    created_at: datetime
    updated_at: datetime


class DossierList(BaseModel):
    """The dossiers of one conversation, newest first."""

    items: list[DossierSummary]


class StatusChange(BaseModel):
    """A status change made by staff."""

    status: StatusName
    note: Text2000 | None = None


class RatingCreate(BaseModel):
    """A citizen's rating of the help received."""

    receipt_code: Text32 | None = None
    channel: ChannelName
    sender_id: SenderId
    score: int = Field(ge=1, le=5)
    comment: Text2000 = ""


class RatingOut(BaseModel):
    """A stored rating."""

    id: int
    receipt_code: str | None
    score: int
    created_at: datetime


class FieldError(BaseModel):
    """What is wrong with one field, in Vietnamese."""

    field: str
    message: str


class ValidationErrorOut(BaseModel):
    """422: the fields that must be corrected."""

    detail: list[FieldError]


class ErrorOut(BaseModel):
    """Any other error, explained in Vietnamese."""

    detail: str
