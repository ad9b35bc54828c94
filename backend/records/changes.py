"""Applies a batch of answers to a copy of a record's answers: all valid, or nothing changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.identifiers import redact
from backend.plan import evaluate
from backend.plan.answers import AnswerDoc
from backend.plan.derived import apply_derived, is_derived
from backend.plan.model import Plan
from backend.plan.validation import AnswerError, is_text, validate_answer
from backend.records.schemas import AnswerItem
from backend.taxonomy import Taxonomy


class BatchRejected(ValueError):
    def __init__(self, errors: list[dict]):
        super().__init__("answers rejected")
        self.errors = errors


@dataclass
class Change:
    field: str
    patient: int | None
    action: str  # answer, skip, remove, default (put in by the plan, unasked)
    old: Any
    new: Any


@dataclass
class Outcome:
    event_type: str | None
    doc: AnswerDoc
    changes: list[Change] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)


def _redact(value: Any, field_name: str, patient: int | None, findings: list[dict]) -> Any:
    if isinstance(value, list):
        return [_redact(v, field_name, patient, findings) for v in value]
    clean, found = redact(value)
    findings += [{"field": field_name, "patient": patient, "kind": f.kind, "label": f.label()} for f in found]
    return clean


def _state(doc: AnswerDoc, name: str, patient: int | None) -> tuple[str, Any]:
    if doc.is_skipped(name, patient):
        return "skip", None
    value = doc.get(name, patient)
    return ("answer", value) if value is not None else ("remove", None)


def diff(before: AnswerDoc, after: AnswerDoc) -> list[Change]:
    keys = list(dict.fromkeys(before.entries() + after.entries()))
    out = []
    for name, patient in keys:
        old_kind, old = _state(before, name, patient)
        new_kind, new = _state(after, name, patient)
        if (old_kind, old) != (new_kind, new):
            out.append(Change(name, patient, new_kind, old, new))
    return out


def apply_batch(
    plan: Plan, tax: Taxonomy, event_type: str | None, audience: str, doc: AnswerDoc, items: list[AnswerItem],
    known: Mapping[str, Any] | None = None,
) -> Outcome:
    """`known`: what the reporter's account says, for the plan's defaults; None (an amendment) puts in none."""
    work = doc.copy()
    errors: list[dict] = []
    findings: list[dict] = []
    given: list[tuple[str, int | None, Any, bool]] = []  # (field, patient, value, skip) as saved
    for item in items:
        q = plan.questions.get(item.field)
        if q is None:
            errors.append({"field": item.field, "message": "is not a question in the plan"})
            continue
        if q.per_patient != (item.patient is not None):
            need = "needs a patient number" if q.per_patient else "is not asked per patient"
            errors.append({"field": q.id, "message": need})
            continue
        if not q.asks(audience):
            if not item.skip and item.value == q.implied.get(audience, object()):
                continue  # what the plan implies anyway (an undone delete sends the whole draft back): nothing to do
            errors.append({"field": q.id, "message": f"is not asked of {audience} reporters"})
            continue
        if item.skip:
            if item.value is not None:
                errors.append({"field": q.id, "message": "give a value or skip, not both"})
            work.skip(q.id, item.patient)
            given.append((q.id, item.patient, None, True))
            continue
        if item.inferred and plan.inference is not None and q.id in plan.inference.never:
            # The plan's rule (inference.later_answers.never): this needs the reporter's own word.
            errors.append({"field": q.id, "patient": item.patient,
                           "message": "is never read from other words; ask the reporter"})
            continue
        if item.inferred and (item.skip or doc.get(q.id, item.patient) is not None or doc.is_skipped(q.id, item.patient)):
            # Read from other words: it fills an open question, never one the reporter answered or left out.
            errors.append({"field": q.id, "patient": item.patient,
                           "message": "already has an answer; a value read from other words never replaces it"})
            continue
        try:
            value = validate_answer(q, tax, item.value)
        except AnswerError as exc:
            exc.patient = item.patient
            errors.append(exc.as_dict())
            continue
        if is_text(q) and q.redact:
            value = _redact(value, q.id, item.patient, findings)
        if item.inferred:
            work.put_inferred(q.id, item.patient, value)
        else:
            work.set(q.id, item.patient, value)
        given.append((q.id, item.patient, value, False))
        if q.id == "EventType":
            event_type = value
    errors += apply_derived(plan, tax, work, given)
    if errors:
        raise BatchRejected(errors)

    evaluate.apply_implied(plan, event_type, audience, work)
    if known is not None:
        evaluate.apply_defaults(plan, event_type, audience, work, known, lambda q, v: validate_answer(q, tax, v))
    live = {s.key: s for s in evaluate.applicable_slots(plan, event_type, audience, work)}
    for item in items:
        slot = live.get((item.field, item.patient))
        if slot is None:
            errors.append({"field": item.field, "patient": item.patient,
                           "message": "does not apply to this record, given its other answers"})
        elif item.skip and audience in slot.step.mandatory_for and slot.step.alternative is None:
            # With the plan's `or` it may be skipped: its need is then met by the other answer, checked at submission.
            unknown = tax.values_for(item.field)
            hint = " (answer \"I don't know\" instead)" if unknown and unknown.unknown_code else ""
            errors.append({"field": item.field, "patient": item.patient,
                           "message": f"is needed before submission and cannot be skipped{hint}"})
    if errors:
        raise BatchRejected(errors)
    evaluate.prune(plan, event_type, audience, work)
    said = {(f, p) for f, p, _, _ in given}
    changes = [Change(c.field, c.patient, "default", c.old, c.new)
               if c.patient is None and c.field in work.defaulted and c.action == "answer" else
               Change(c.field, c.patient, "infer", c.old, c.new)  # read from other words, to be confirmed
               if c.action == "answer" and work.is_inferred(c.field, c.patient) else
               Change(c.field, c.patient, "derive", c.old, c.new)  # worked out from another answer (the plan's derive)
               if c.action == "answer" and (c.field, c.patient) not in said
               and is_derived(plan.questions[c.field], work, c.patient) else c
               for c in diff(doc, work)]
    if doc.defaulted != work.defaulted and not changes:  # a default said again by the reporter: now theirs
        changes = [Change(name, None, "answer", doc.get(name), work.get(name)) for name in doc.defaulted - work.defaulted]
    if doc.inferred != work.inferred and not changes:  # a value read from other words, now said by the reporter
        keys = [(k.partition(":")[0], int(k.partition(":")[2]) if k.partition(":")[2] else None)
                for k in sorted(doc.inferred - work.inferred)]
        changes = [Change(f, p, "answer", doc.get(f, p), work.get(f, p)) for f, p in keys]
    return Outcome(event_type, work, changes, findings)
