"""Request and response of POST /narrative/analyse, as documented in the OpenAPI page."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EXAMPLE_TEXT = "yesterday 3pm on ward 7 a patient got 10 units of insulin instead of 1, needed glucose, fine now"


class AnalyseRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": EXAMPLE_TEXT, "audience": "staff", "reported_at": "2026-03-19T10:00:00Z"}],
        },
    )

    text: str = Field(min_length=1, max_length=5000, description="The reporter's description, as typed")
    audience: Literal["staff", "public"] = Field(description="Whose wording the labels use; also which questions apply")
    reported_at: datetime | None = Field(
        None,
        description="When the reporter wrote it (ISO 8601); relative dates such as 'yesterday' are resolved against "
        "it in Europe/London. Without a zone it is London time. Default: now.",
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("must not be blank")
        return text  # not stripped: evidence offsets index the text as sent


class Evidence(BaseModel):
    start: int = Field(description="Offset of the first character, in the text as sent")
    end: int = Field(description="Offset just after the last character")
    text: str


class EvidenceSpan(Evidence):
    value: str = Field(description="The value (or list member) this span supports")


class Candidate(BaseModel):
    value: str
    label: str
    score: float = Field(description="Organisations: fuzzy match score 0-100; event types: probability 0-1")
    text: str | None = Field(None, description="Organisations: the words that were matched")


class Suggestion(BaseModel):
    field: str = Field(description="The plan question (LFPSE field) this would answer")
    value: int | str | list[str] = Field(
        description="A code, a list of codes, text, or a number (PatientCount), as the answer would be given")
    label: str = Field(description="The value in words, in the audience's wording")
    confidence: float = Field(ge=0, le=1)
    evidence: Evidence = Field(description="Where in the text it was found (the first span)")
    spans: list[EvidenceSpan] = Field(description="Every span it rests on, with the value each supports")
    candidates: list[Candidate] = Field(default_factory=list, description="Alternatives with scores, best first")
    # The plan's inference rules (question_plan.yaml `inference:`), applied for the audience.
    per_patient: bool | None = Field(None, description="The question is asked once per patient (of patient 1 here)")
    inferable: bool | None = Field(
        None, description="A later free-text answer may save it as inferred: sure enough, and not a field never inferred")
    corrects: bool | None = Field(
        None, description="A correction's analysis may replace a value understood before for this field")
    rule: Literal["one_patient"] | None = Field(
        None, description="Put in by the plan's rule rather than read from the words: one_patient, the count 1 "
        "a per-patient finding implies when no count is read")


class IdentifierFound(BaseModel):
    kind: str = Field(description="nhs_number, phone_number, email, postcode or date_of_birth")
    label: str
    start: int
    end: int


class AnalyseResult(BaseModel):
    audience: Literal["staff", "public"]
    reported_at: str = Field(description="The moment dates were resolved against, London time")
    event_type_method: Literal["classifier", "rules"] = Field(
        description="Which decided the event type: the classifier only when it beat the rules on held-out examples"
    )
    suggestions: list[Suggestion] = Field(
        description="In the order the plan asks; each to be confirmed by the reporter"
    )
    identifiers: list[IdentifierFound] = Field(description="Personal identifiers in the text, to warn the reporter")
