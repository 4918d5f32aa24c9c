"""Request and response bodies of the HTTP API (pydantic 2), as published in openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "AttachmentOut",
    "AttachmentRef",
    "CallbackCreate",
    "CallbackOut",
    "DossierCreate",
    "DossierCreated",
    "DossierList",
    "DossierOut",
    "DossierSummary",
    "ErrorOut",
    "FieldError",
    "HandoffCodeOut",
    "HandoffCreate",
    "HandoffCreated",
    "HandoffMessageIn",
    "HandoffMessageOut",
    "HandoffOut",
    "HandoffWithdraw",
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
Text200 = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Text2000 = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
Text4000 = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]
Value = Text2000 | int | float | bool | None
StatusName = Literal["received", "in_review", "needs_info", "approved", "rejected", "result_sent"]
HandoffStatusName = Literal["waiting", "claimed", "returned", "closed", "expired", "withdrawn"]
ReasonName = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
]


class ConsentRecord(BaseModel):
    """The citizen's consent to the processing of their data, as the bot recorded it (issue 17;
    NĐ 13/2023, Luật 91/2025): when, which version of the notice, on which channel, how."""

    model_config = ConfigDict(extra="ignore")

    status: Literal["given"] = Field(description="Only a given consent accompanies a dossier.")
    version: Text100 = Field(description="Version of the notice the citizen read.")
    at: AwareDatetime = Field(description="When the citizen agreed.")
    channel: ChannelName = Field(description="Where the citizen agreed.")
    how: Literal["button", "typed"] = Field(description="Button pressed or “đồng ý” typed.")
    notice_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        default=None, description="SHA-256 of the notice text shown (proves what was agreed)."
    )


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
    consent: ConsentRecord | None = Field(
        default=None,
        description="The citizen's consent to the processing of their data (the bot sends it).",
    )


class ErasureRequest(BaseModel):
    """A citizen asked to erase their conversation data ("xóa dữ liệu của tôi")."""

    channel: ChannelName = Field(description="The conversation's channel.")
    sender_id: SenderId = Field(description="The conversation id on that channel.")


class ErasureOut(BaseModel):
    """What was erased; filed dossiers stay with the office."""

    kept_dossiers: list[str] = Field(description="Receipt codes of the dossiers kept.")
    handoffs: int
    callbacks: int
    ratings: int
    notifications: int


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
    already_attached: bool = Field(
        default=False,
        description="Cùng tệp đã có trong hồ sơ (gửi lại): không thêm bản mới.",
    )


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
    consent: dict[str, Any] | None = None


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
    comment: Text2000 | None = ""  # null: the citizen had nothing to add ("Không góp ý")


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


# ------------------------------------------------------------------------------ handoffs


class AttachmentRef(BaseModel):
    """A file or place the citizen sent on their channel (kept as a reference, not the bytes)."""

    type: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=NO_NUL)] = Field(
        description="image, file, audio, video, sticker, location, link…"
    )
    url: Text2000 | None = Field(default=None, description="Where the channel keeps it.")
    name: Text200 | None = None


class TranscriptEntry(BaseModel):
    """One message of the conversation before the handoff."""

    model_config = ConfigDict(populate_by_name=True)

    author: Literal["citizen", "bot", "staff"] = Field(alias="from")
    text: Text4000
    at: datetime | None = Field(default=None, description="When it was written (now if absent).")
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=10)


class HandoffCreate(BaseModel):
    """The assistant hands a conversation to the office."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "channel": "zalo",
                "sender_id": "zalo:4839201",
                "reason": "asked",
                "procedure_id": "huong_bhxh_mot_lan",
                "province": "Khánh Hòa",
                "transcript": [
                    {"from": "citizen", "text": "cho tôi gặp nhân viên", "at": None},
                ],
                "collected": {"ho_ten": "Nguyễn Văn An"},
                "answers": {"ly_do": "nghi_viec"},
            }
        }
    )

    channel: ChannelName
    sender_id: SenderId
    reason: ReasonName = Field(
        description="asked, misunderstood, field_failures, needs_staff, complaint (or another id)."
    )
    procedure_id: Identifier | None = None
    province: Text100 | None = None
    transcript: list[TranscriptEntry] = Field(default_factory=list, max_length=200)
    collected: dict[Identifier, Value] = Field(
        default_factory=dict, max_length=100, description="Data fields collected so far."
    )
    answers: dict[Identifier, Value] = Field(
        default_factory=dict, max_length=100, description="Eligibility answers so far."
    )


class HandoffCreated(BaseModel):
    """The handoff and what to tell the citizen."""

    handoff_id: int
    status: HandoffStatusName
    office_open: bool
    expected_wait_minutes: int | None
    message: str = Field(description="What the assistant tells the citizen (Vietnamese).")
    created_at: datetime
    expires_at: datetime


class HandoffOut(BaseModel):
    """A handoff as the assistant sees it (with the data as corrected by staff)."""

    handoff_id: int
    status: HandoffStatusName
    status_label: str
    channel: str
    sender_id: str
    reason: str
    procedure_id: str | None
    province: str | None
    staff_name: str | None
    resume: str | None
    created_at: datetime
    expires_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    collected: dict[str, Any]
    answers: dict[str, Any]
    corrected: list[str]


class HandoffMessageIn(BaseModel):
    """A message the citizen wrote while a person owns the conversation, or (``from: bot``)
    what the assistant said to the citizen while the handoff waited (kept whatever the
    handoff's status, so staff read every turn)."""

    model_config = ConfigDict(populate_by_name=True)

    author: Literal["citizen", "bot"] = Field(default="citizen", alias="from")
    text: Text4000 = ""
    at: datetime | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=10)


class HandoffMessageOut(BaseModel):
    """A stored message of a handed-off conversation."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    message_id: int
    handoff_id: int
    author: Literal["citizen", "bot", "staff"] = Field(alias="from")
    text: str
    at: datetime
    attachments: list[AttachmentRef]
    delivery: Literal["pending", "delivered", "failed"] | None = None
    delivery_reason: str | None = None


class HandoffWithdraw(BaseModel):
    """The citizen cancelled the handoff while waiting for (or talking with) a person."""

    reason: Literal["cancel", "restart"] = Field(
        default="cancel", description="cancel (“hủy”) or restart (“bắt đầu lại”)."
    )
    at: AwareDatetime | None = Field(default=None, description="When (now if absent).")


class CallbackCreate(BaseModel):
    """A phone number for a call back."""

    phone: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=NO_NUL)]
    note: Text2000 = ""


class CallbackOut(BaseModel):
    """The stored call-back request and what to tell the citizen."""

    callback_id: int
    handoff_id: int
    handoff_status: HandoffStatusName
    phone: str
    message: str


class HandoffCodeOut(BaseModel):
    """What a staff member prepared on the phone for the caller (the code is now used)."""

    code: str
    procedure_id: str
    procedure_name: str
    fields: dict[str, Any]
    answers: dict[str, Any]
    note: str | None
    created_at: datetime
    expires_at: datetime
