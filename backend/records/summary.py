"""A record's answers in plan order, as the reporter would read them: question text and labels,
not codes. Used by the assistant's "check your answers", and by the web form and print later."""

from __future__ import annotations

from datetime import date
from typing import Any

from backend.plan import AnswerDoc, Plan, age, evaluate, present
from backend.plan.derived import is_derived
from backend.records.models import EventRecord
from backend.taxonomy import Taxonomy


def _label(plan: Plan, tax: Taxonomy, audience: str, field: str, value: Any) -> str:
    q = plan.questions[field]
    if q.field.type == "Boolean":
        return "Yes" if value else "No"
    if q.format == "age" and isinstance(value, int):
        return age.describe(value)
    if q.format == "date" and isinstance(value, str):
        try:  # "29 November 2026", as the reporter would write it, not the stored 2026-11-29
            return date.fromisoformat(value).strftime("%-d %B %Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(_label(plan, tax, audience, field, v) for v in value)
    if tax.values_for(field) is not None:
        return present.label_of(q, tax, audience, value)
    return str(value)


def summarise(plan: Plan, tax: Taxonomy, record: EventRecord) -> list[dict[str, Any]]:
    doc = AnswerDoc.from_json(record.answers)
    count = evaluate.patient_count(plan, doc)
    rows = []
    for slot in evaluate.applicable_slots(plan, record.event_type, record.audience, doc):
        if not slot.asked:
            continue
        name, patient = slot.key
        value, skipped = doc.get(name, patient), doc.is_skipped(name, patient)
        if value is None and not skipped:
            continue
        short = slot.question.name.capitalize() if slot.question.name else None
        default = slot.question.defaults.get(record.audience) if name in doc.defaulted and patient is None else None
        # A value the plan assumed, not the reporter's answer: said so, with the plan's reason.
        assumed: dict[str, Any] = {"defaulted": True, "why": default.why} if default else {"defaulted": False}
        assumed["inferred"] = doc.is_inferred(name, patient)  # read from a later answer's words, to be confirmed
        if slot.question.derive is not None and is_derived(slot.question, doc, patient):
            # Worked out from another answer (the age group from the age): changed by changing that one.
            assumed.update(derived_from=slot.question.derive.source, why=slot.question.derive.why)
        recap = slot.question.recap  # a yes/no shown positively ("Share for national learning: Yes")
        if recap and isinstance(value, bool) and not skipped:
            rows.append({"field": name, "patient": patient, "question": slot.question.text(record.audience, patient, count),
                         "label": recap["label"], "answer": recap[str(value).lower()], "value": value, **assumed})
            continue
        rows.append({**assumed,
            "field": name, "patient": patient,
            "question": slot.question.text(record.audience, patient, count),
            # A short name for recaps where every character counts (SMS, speech).
            "label": (f"{short} (patient {patient})" if short and patient and count > 1 else short)
            or slot.question.text(record.audience, patient, count),
            "answer": "Skipped" if skipped else _label(plan, tax, record.audience, name, value),
            "value": value,
        })
    return rows
