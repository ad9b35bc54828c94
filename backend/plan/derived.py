"""Values worked out from another answer (the plan's `derive`): the age band from the exact age.

One source: while the source has an answer, the derived value follows it, is neither asked nor offered,
and a value given for it that disagrees is refused (the source is what to change)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend.plan.age import RULES
from backend.plan.answers import AnswerDoc
from backend.plan.model import Plan, Question
from backend.taxonomy import Taxonomy


def derived_value(q: Question, doc: AnswerDoc, patient: int | None, tax: Taxonomy) -> Any:
    """What the question's value is, worked out from its source's answer; None when there is nothing to work from."""
    if q.derive is None:
        return None
    source = doc.get(q.derive.source, patient)
    return None if source is None else RULES[q.derive.rule](source, tax)


def is_derived(q: Question, doc: AnswerDoc, patient: int | None) -> bool:
    """The question's value comes from its source's answer: not a question of its own now."""
    return q.derive is not None and doc.get(q.derive.source, patient) is not None


def apply_derived(plan: Plan, tax: Taxonomy, doc: AnswerDoc, given: Iterable[tuple[str, int | None, Any, bool]]
                  ) -> list[dict[str, Any]]:
    """Sets every derived value from its source; `given`: the batch's (field, patient, value, skip). Returns
    the errors for given values that disagree with their source."""
    errors: list[dict[str, Any]] = []
    said = {(f, p): (v, skip) for f, p, v, skip in given}
    for q in plan.questions.values():
        if q.derive is None:
            continue
        patients: list[int | None] = list(range(1, len(doc.patients) + 1)) if q.per_patient else [None]
        for patient in patients:
            value = derived_value(q, doc, patient, tax)
            if value is None:
                continue
            if (q.id, patient) in said and said[(q.id, patient)] != (value, False):
                source = plan.questions[q.derive.source]
                name = source.name or source.id
                errors.append({"field": q.id, "patient": patient,
                               "message": f"is worked out from the {name} ({q.derive.source}): change that instead"})
                continue
            if doc.get(q.id, patient) != value or doc.is_inferred(q.id, patient) != doc.is_inferred(q.derive.source, patient):
                if doc.is_inferred(q.derive.source, patient):  # read from other words: to be confirmed, as its source
                    doc.put_inferred(q.id, patient, value)
                else:
                    doc.set(q.id, patient, value)
    return errors
