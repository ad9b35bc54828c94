from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from backend.plan.validation import text_problem

Channel = Literal["web", "chat", "teams", "sms", "voice", "api"]
# The largest id or row offset a request may name: the largest integer primary key PostgreSQL stores. Bigger
# numbers reached the database and failed there (SQLite stops at 64 bits, PostgreSQL's integer at 32): a 500.
MAX_INT = 2**31 - 1


def _storable(text: str) -> str:
    problem = text_problem(text)
    if problem:
        raise ValueError(problem)
    return text


# On a request's string that is stored or looked up in the database: Annotated[str, Storable]. Length limits go
# on the Field (or inside the Annotated, for optional strings) so their own messages stay.
Storable = AfterValidator(_storable)


class AnswerItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="A question id from the plan (the LFPSE field name)")
    patient: int | None = Field(default=None, ge=1, le=50, description="For per-patient questions: which patient, from 1")
    value: Any = Field(default=None, description="A code, list of codes, text, number, true/false, YYYY-MM-DD or HH:MM")
    skip: bool = Field(default=False, description="Leave an optional question out")
    inferred: bool = Field(default=False, description="Read from what the reporter wrote in answer to something else: "
                           "saved only into an open question (never over an answer), marked to be put to the "
                           "reporter at check your answers")


class CreateRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_type: str | None = None
    channel: Channel = "api"
    answers: list[AnswerItem] = Field(default_factory=list, max_length=200)


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: list[AnswerItem] = Field(min_length=1, max_length=200)
    expected_revision: int | None = Field(default=None, description="Fail with 409 if the record changed since")


class AmendRequest(AnswerRequest):
    reason: Annotated[str, Field(max_length=500), Storable] | None = None


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
    answer_in_words: list[str] = Field(default_factory=list, description="media (sms, speech) that ask for the answer in words, not from a list")
    group: dict[str, Any] | None = Field(
        None, description="asked as one question with others (the plan's groups): {id, kind, fields}; "
                          "read the reply with POST /interpret/group")


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


class RecordPage(BaseModel):
    total: int = Field(description="How many records match, on every page")
    items: list[RecordSummary]


class ChangeResult(BaseModel):
    record: RecordOut
    changed: list[str]
    identifiers_found: list[IdentifierWarning]
    next_question: QuestionOut | None


class Offered(BaseModel):
    field: str
    patient: int | None
    label: str = Field(description="A short name, for a recap's 'you can also add'")
    text: str
    type: str


class NextQuestion(BaseModel):
    question: QuestionOut | None
    missing_mandatory: int
    ready_to_submit: bool
    offered: list[Offered] = Field(
        default_factory=list,
        description="core_only: open optional questions the assistant offers at check your answers, not asks")


class Missing(BaseModel):
    field: str
    patient: int | None
    text: str


class MissingList(BaseModel):
    missing: list[Missing]


class SummaryRow(BaseModel):
    field: str
    patient: int | None
    question: str = Field(description="The question as the reporter was asked it")
    label: str = Field(description="A short name for the question, for recaps")
    answer: str = Field(description="The answer in words: labels, not codes; 'Skipped' when left out")
    value: Any = Field(description="The answer as stored")
    defaulted: bool = Field(False, description="The plan's default, not asked: shown as assumed, changeable")
    why: str | None = Field(None, description="Why the plan assumes it (defaulted and derived answers)")
    inferred: bool = Field(False, description="Read from a later free-text answer, not yet confirmed by the reporter")
    derived_from: str | None = Field(None, description="Worked out from this question's answer (the plan's derive): "
                                     "changed by changing that one")


class AnswersSummary(BaseModel):
    id: str
    reference: str | None
    event_type: str | None
    status: str
    answers: list[SummaryRow] = Field(description="In the order the plan asks")


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


class RequestError(BaseModel):
    """One problem found checking the request against this description (FastAPI's own 422 shape)."""

    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class AnswerProblem(BaseModel):
    field: str = Field(description="The question id as sent")
    patient: int | None = None
    message: str
    allowed: Any = Field(default=None, description="The allowed codes, or what is allowed in words")


class AnswersRejected(BaseModel):
    message: str
    errors: list[AnswerProblem]


class MissingAnswer(BaseModel):
    field: str
    patient: int | None
    text: str | None = Field(default=None, description="The question as the reporter is asked it")


class AnswersMissing(BaseModel):
    message: str
    missing: list[MissingAnswer]


class Unprocessable(BaseModel):
    """422: the request does not fit this description, an answer was not accepted, or questions that must be
    answered are not."""

    detail: list[RequestError] | AnswersRejected | AnswersMissing | str


class Invalid(BaseModel):
    """422 elsewhere: the request does not fit this description (a list), or a value is not allowed (a sentence)."""

    detail: list[RequestError] | str
