from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from backend.plan import present
from backend.plan.model import Default, Plan
from backend.taxonomy import Taxonomy

router = APIRouter(prefix="/plan", tags=["question plan"])


class PlanQuestion(BaseModel):
    field: str
    text: str
    help: str | None
    type: str
    multiple: bool
    mandatory: bool
    per_patient: bool
    core: bool
    when: dict[str, Any] | None
    choices: list[dict[str, Any]] | None
    why: str | None
    default: dict[str, Any] | None = None  # put in unasked: {"value"} or {"from"}, and "why"
    derive: dict[str, Any] | None = None  # worked out from another answer: {"from", "rule", "why"}
    alternative: str | None = None  # the plan's `or`: a question whose answer meets this one's need instead


class PlanGroup(BaseModel):
    id: str
    kind: str = Field(description="together, detail or fold (backend/plan/groups.py)")
    questions: list[str]
    text: str | None = Field(description="the group's one question for the audience; none: its first question's")
    when: str | None
    why: str


class PlanOut(BaseModel):
    event_type: str
    audience: Literal["staff", "public"]
    version: int
    questions: list[PlanQuestion]
    groups: list[PlanGroup] = Field(default_factory=list, description="questions asked together, by the assistant "
                                    "as one question and by the web form on one page")
    inference: dict[str, Any] = Field(default_factory=dict, description="what is read from the reporter's words "
                                      "without being asked, each rule with its reason (the plan's `inference:`)")


def _default(default: Default | None) -> dict[str, Any] | None:
    if default is None:
        return None
    given = {"from": default.source} if default.source else {"value": default.value}
    return {**given, "why": default.why}


@router.get("/{event_type}", response_model=PlanOut, summary="The questions an event type asks an audience, in order")
def plan_for(
    event_type: str, request: Request,
    audience: Annotated[Literal["staff", "public"], Query()] = "staff",
) -> dict:
    plan: Plan = request.app.state.plan
    tax: Taxonomy = request.app.state.taxonomy
    if event_type not in tax.code_system("event-types") or event_type not in plan.event_types:
        raise HTTPException(404, f"No event type {event_type!r}")
    out = []
    for step in plan.steps(event_type):
        q = step.question
        if not q.asks(audience):
            continue
        out.append({
            "field": q.id, "text": q.text(audience), "help": q.help_text(audience),
            "type": present.kind(q), "multiple": q.field.multiple,
            "mandatory": audience in step.mandatory_for, "per_patient": q.per_patient, "core": q.core,
            "when": q.when, "choices": present.choices(q, tax, audience), "why": step.why,
            "default": _default(q.defaults.get(audience)),
            "derive": {"from": q.derive.source, "rule": q.derive.rule, "why": q.derive.why} if q.derive else None,
            "alternative": step.alternative,
        })
    asked = {q["field"] for q in out}
    groups = [{"id": g.id, "kind": g.kind, "questions": [q for q in g.questions if q in asked],
               "text": g.text(audience), "when": g.when, "why": g.why}
              for g in plan.groups.values() if g.lead in asked]
    return {"event_type": event_type, "audience": audience, "version": plan.version, "questions": out,
            "groups": groups, "inference": _inference(plan)}


def _inference(plan: Plan) -> dict[str, Any]:
    rules = plan.inference
    if rules is None:  # a plan always has one (load_plan requires it); a plan built in code may not
        return {}
    one = rules.one_patient
    return {
        "first_message": {"why": rules.first_message_why, "named_event_type": {"why": rules.named_event_type_why},
                          "one_patient": {"audiences": list(one.audiences), "confidence": one.confidence,
                                          "why": one.why}},
        "later_answers": {"min_confidence": rules.min_confidence, "why": rules.later_answers_why,
                          "never": sorted(rules.never), "never_why": rules.never_why,
                          "per_patient_why": rules.per_patient_why},
        "corrections": {"replaces": sorted(rules.corrections), "why": rules.corrections_why},
    }
