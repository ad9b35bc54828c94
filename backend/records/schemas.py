from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["web", "chat", "teams", "sms", "voice", "api"]


class AnswerItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="A question id from the plan (the LFPSE field name)")
    patient: int | None = Field(None, ge=1, le=50, description="For per-patient questions: which patient, from 1")
    value: Any = Field(None, description="A code, list of codes, text, number, true/false, YYYY-MM-DD or HH:MM")
    skip: bool = Field(False, description="Leave an optional question out")


class CreateRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_type: str | None = None
    channel: Channel = "api"
    answers: list[AnswerItem] = Field(default_factory=list, max_length=200)


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: list[AnswerItem] = Field(min_length=1, max_length=200)
    expected_revision: int | None = Field(None, description="Fail with 409 if the record changed since")


class AmendRequest(AnswerRequest):
    reason: str | None = Field(None, max_length=500)


class IdentifierWarning(BaseModel):
    field: str
    patient: int | None
    kind: str
    label: str


class QuestionOut(BaseModel):
    field: str
    patient: int | None
    text: str
    help: str | None
    type: str
    multiple: bool
    mandatory: bool
    choices: list[dict[str, Any]] | None
    search: str | None
    unknown_code: str | None
    max_length: int | None
    core: bool


class RecordOut(BaseModel):
    id: str
    reference: str | None
    event_type: str | None
    status: str
    audience: str
    version: int
    revision: int
    channel: str
    organisation_ods: str | None
    event_date: date | None
    answers: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None


class RecordSummary(BaseModel):
    id: str
    reference: str | None
    event_type: str | None
    status: str
    channel: str
    event_date: date | None
    first_words: str
    updated_at: datetime


class ChangeResult(BaseModel):
    record: RecordOut
    changed: list[str]
    identifiers_found: list[IdentifierWarning]
    next_question: QuestionOut | None


class NextQuestion(BaseModel):
    question: QuestionOut | None
    missing_mandatory: int
    ready_to_submit: bool


class Missing(BaseModel):
    field: str
    patient: int | None
    text: str


class SubmitResult(BaseModel):
    reference: str
    record: RecordOut


class VersionOut(BaseModel):
    version: int
    event_type: str
    answers: dict[str, Any]
    created_at: datetime
    created_by: str
    reason: str | None


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    field: str | None
    patient: int | None
    old_value: Any
    new_value: Any
