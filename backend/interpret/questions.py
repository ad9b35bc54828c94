"""Plan questions in the shape the interpreter reads: type, choices for the audience, aliases."""

from __future__ import annotations

from typing import Any

from backend.plan import present
from backend.plan.model import Plan
from backend.taxonomy import Taxonomy


class UnknownQuestion(LookupError):
    pass


def question_for(plan: Plan, tax: Taxonomy, field: str, audience: str, mandatory: bool = True) -> dict[str, Any]:
    """The question as the reporter saw it: the plan's type and choices for the audience, never the caller's."""
    q = plan.questions.get(field)
    if q is None:
        raise UnknownQuestion(field)
    codes = tax.values_for(q.id)
    return {"field": q.id, "type": present.kind(q), "multiple": q.field.multiple,
            "mandatory": mandatory, "choices": present.choices(q, tax, audience), "help": q.help_text(audience),
            "unknown_code": codes.unknown_code if codes is not None else None,
            "aliases": [*q.aliases, *([q.short] if q.short else [])], "per_patient": q.per_patient,
            "derived_from": q.derive.source if q.derive else None, "yes_means": q.yes_means}


def plan_questions(plan: Plan, tax: Taxonomy, event_type: str, audience: str) -> list[dict[str, Any]]:
    if event_type not in plan.event_types:
        raise UnknownQuestion(event_type)
    return [question_for(plan, tax, step.question.id, audience) for step in plan.steps(event_type)
            if step.question.asks(audience) or step.question.id in ("Description", "EventType")]
