"""The question plan as the web form walks it: one page per question slot (field, patient)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request

from backend.plan import AnswerDoc, age, evaluate, present
from backend.plan.derived import is_derived
from backend.plan.evaluate import Slot
from backend.records.models import EventRecord
from backend.taxonomy import Taxonomy


def event_types(tax: Taxonomy) -> list[tuple[str, str]]:
    return [(c.code, c.display) for c in tax.values_required("EventType").codes]


def event_type_hints(tax: Taxonomy) -> dict[str, str]:
    return {c.code: c.definition or "" for c in tax.values_required("EventType").codes}


def asked_slots(request: Request, record: EventRecord) -> list[Slot]:
    doc = AnswerDoc.from_json(record.answers)
    slots = evaluate.applicable_slots(request.app.state.plan, record.event_type, record.audience, doc)
    # The event type was chosen on the first page; changing it is a new record, not an answer. A value worked out
    # from another answer (the age group from the age) has no page while that answer is there.
    return [s for s in slots if s.asked and s.question.id != "EventType" and not is_derived(s.question, doc, s.patient)]


def first_open_slot(request: Request, record: EventRecord) -> tuple[str, int | None] | None:
    doc = AnswerDoc.from_json(record.answers)
    for slot in asked_slots(request, record):
        if evaluate.is_open(doc, slot):
            return slot.key
    return None


def find_slot(request: Request, record: EventRecord, field: str, patient: int | None) -> tuple[Slot, Slot | None]:
    """The slot asked on this page, and the one before it (for the back link); 404 if it does not apply."""
    previous = None
    for slot in asked_slots(request, record):
        if slot.key == (field, patient):
            return slot, previous
        previous = slot
    raise HTTPException(404, "That question does not apply to this record")


def question_url(record_id: str, field: str, patient: int | None = None, change: bool = False) -> str:
    query = [f"patient={patient}"] if patient else []
    if change:
        query.append("change=1")
    return f"/records/{record_id}/questions/{field}" + ("?" + "&".join(query) if query else "")


def view(request: Request, record: EventRecord, slot: Slot) -> dict[str, Any]:
    doc = AnswerDoc.from_json(record.answers)
    tax: Taxonomy = request.app.state.taxonomy
    q = present.question_view(slot, tax, record.audience, evaluate.patient_count(request.app.state.plan, doc))
    name, patient = slot.key
    q["value"] = doc.get(name, patient)
    q["skipped"] = doc.is_skipped(name, patient)
    q["kind"] = kind_of(q)
    q["alternative"] = slot.step.alternative  # the plan's `or`: may be skipped for that question (the place in words)
    if q["type"] == "age" and isinstance(q["value"], int):
        q["value"] = age.describe(q["value"])  # as it would be typed: "84 years", not a day count
    if q["kind"] == "search" and q["value"]:
        codes = tax.values_required(name)
        q["value_labels"] = [f"{codes.label(c)} ({c})" for c in q["value"]]
    return q


def kind_of(q: dict[str, Any]) -> str:
    if q["type"] == "boolean":
        return "radios"
    if q["search"]:
        return "search"
    if q["choices"] is not None:
        return "checkboxes" if q["multiple"] else "radios"
    if q["type"] == "date":
        return "date"
    if q["type"] == "string":
        return "lines" if q["multiple"] else ("textarea" if (q["max_length"] or 0) > 200 else "input")
    return "input"  # integer, time
