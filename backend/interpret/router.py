"""POST /interpret/reply: a reporter's reply read against one question of the plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from backend.auth.dependencies import AssistantPrincipal
from backend.interpret import group_reply
from backend.interpret.correction import read_correction
from backend.interpret.elsewhere import answers_elsewhere
from backend.interpret.questions import UnknownQuestion, plan_questions, question_for
from backend.interpret.reply import Reading, act_of, as_dict, read
from backend.narrative.dates import local_now
from backend.plan.model import Plan
from backend.taxonomy import Taxonomy

router = APIRouter(prefix="/interpret", tags=["understanding replies"])


class ReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str | None = Field(None, description="The plan question the reply answers; without one only `act` is read")
    text: str = Field(min_length=1, max_length=5000)
    audience: Literal["staff", "public"] = "staff"
    mandatory: bool = Field(True, description="Whether 'skip' must be refused (the question as shown)")
    reported_at: datetime | None = Field(None, description="When the reply was written; dates resolve against it")


class Other(BaseModel):
    field: str
    value: Any
    label: str | None = None
    per_patient: bool = Field(False, description="Asked per patient: saved for the same patient as the question")


class ReplyReading(BaseModel):
    # elsewhere: the reply answers another question (in `others`), not this one
    act: Literal["answer", "skip", "unknown", "help", "progress", "stop", "delete", "undo", "submit", "none",
                 "elsewhere"]
    value: Any = None
    confidence: float
    approximate: bool
    label: str | None = None
    others: list[Other]


def _plan_and_taxonomy(request: Request) -> tuple[Plan, Taxonomy]:
    return request.app.state.plan, request.app.state.taxonomy


@router.post("/reply", response_model=ReplyReading, summary="Read a reply against the question it answers")
def interpret_reply(body: ReplyRequest, who: AssistantPrincipal, request: Request) -> dict:
    if body.field is None:
        return as_dict(Reading(act_of(body.text) or "none", confidence=0.95 if act_of(body.text) else 0.0))
    try:
        question = question_for(*_plan_and_taxonomy(request), body.field, body.audience, body.mandatory)
    except UnknownQuestion as exc:
        raise HTTPException(404, f"No question {exc} in the plan") from exc
    now = local_now(body.reported_at)
    # A free-text or searched question takes any words, so a reply about something else is caught first;
    # a question with choices only when the reply is none of them ("shes 87" to how upset they were).
    free = question["type"] == "string" or (question["choices"] is None and question["type"] == "code")
    reading = None if free else read(question, body.text, now)
    if body.field != "Description" and (reading is None or reading.act == "none"):
        other = answers_elsewhere(*_plan_and_taxonomy(request), body.field, body.text, body.audience, now)
        if other is not None:
            return as_dict(other)
    return as_dict(reading or read(question, body.text, now))


class CorrectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)
    event_type: str = "incident"
    audience: Literal["staff", "public"] = "staff"
    answered: list[str] = Field(default_factory=list, description="The fields the record has answers for")
    reported_at: datetime | None = None


class CorrectionReading(BaseModel):
    act: Literal["change", "ask_field", "ask_value"]
    field: str | None = None
    patient: int | None = None
    value: Any = None
    label: str | None = None
    others: list[dict[str, Any]] = Field(default_factory=list, description="Answers saved with the change, before it "
                                         "(an approximate age: the exact age left out, {field, patient, skip})")


@router.post("/correction", response_model=CorrectionReading, summary="Read a correction of an earlier answer")
def interpret_correction(body: CorrectionRequest, who: AssistantPrincipal, request: Request) -> dict:
    try:
        questions = plan_questions(*_plan_and_taxonomy(request), body.event_type, body.audience)
    except UnknownQuestion as exc:
        raise HTTPException(404, f"No event type {exc}") from exc
    found = read_correction(body.text, questions, set(body.answered), local_now(body.reported_at))
    return {"act": found.act, "field": found.field, "patient": found.patient, "value": found.value, "label": found.label,
            "others": found.others}


class GroupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: str = Field(description="The plan group asked as one question (the next question's `group.id`)")
    text: str = Field(min_length=1, max_length=5000)
    audience: Literal["staff", "public"] = "staff"
    reported_at: datetime | None = None


class GroupAnswer(BaseModel):
    field: str
    value: Any
    label: str | None = None


class GroupReplyReading(BaseModel):
    act: Literal["answer", "skip", "unknown", "help", "progress", "stop", "delete", "undo", "submit", "none"]
    answers: list[GroupAnswer] = Field(description="A value for each field the reply settles")
    unclear: list[str] = Field(description="The group's fields the reply leaves open: asked on their own next")
    confidence: float


@router.post("/group", response_model=GroupReplyReading, summary="Read one reply to a group of questions")
def interpret_group(body: GroupRequest, who: AssistantPrincipal, request: Request) -> dict:
    plan, tax = _plan_and_taxonomy(request)
    group = plan.groups.get(body.group)
    if group is None:
        raise HTTPException(404, f"No group {body.group!r} in the plan")
    return group_reply.as_dict(group_reply.read_group(plan, tax, group, body.text, body.audience,
                                                      local_now(body.reported_at)))
