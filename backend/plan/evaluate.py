"""The plan evaluated against a record's answers: which questions apply, which is next, what is
still missing, and which stored answers no longer apply after a change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.plan import conditions
from backend.plan.answers import AnswerDoc
from backend.plan.model import Plan, Question, Step


@dataclass(frozen=True)
class Slot:
    step: Step
    patient: int | None
    asked: bool  # False: the value is implied for this audience, never asked

    @property
    def question(self) -> Question:
        return self.step.question

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.question.id, self.patient)


def patient_count(plan: Plan, doc: AnswerDoc) -> int:
    value = doc.get(plan.patient_count_field)
    return value if isinstance(value, int) else 0


def _blocks(steps: tuple[Step, ...]) -> list[tuple[bool, list[Step]]]:
    """Runs of consecutive steps, split where per-patient questions start or stop."""
    blocks: list[tuple[bool, list[Step]]] = []
    for step in steps:
        if blocks and blocks[-1][0] == step.question.per_patient:
            blocks[-1][1].append(step)
        else:
            blocks.append((step.question.per_patient, [step]))
    return blocks


def applicable_slots(plan: Plan, event_type: str | None, audience: str, doc: AnswerDoc) -> list[Slot]:
    """Every question that applies now, in plan order; per-patient questions patient by patient."""
    per_patient = {q.id for q in plan.questions.values() if q.per_patient}
    count = patient_count(plan, doc)
    slots: list[Slot] = []
    for is_per_patient, steps in _blocks(plan.steps(event_type)):
        for patient in (range(1, count + 1) if is_per_patient else [None]):
            def lookup(name: str, patient: int | None = patient) -> tuple[object, bool]:
                p = patient if name in per_patient else None
                return doc.get(name, p), doc.is_skipped(name, p)

            for step in steps:
                q = step.question
                asked = q.asks(audience)
                if (asked or audience in q.implied) and conditions.evaluate(q.when, lookup):
                    slots.append(Slot(step, patient, asked))
    return slots


def apply_implied(plan: Plan, event_type: str | None, audience: str, doc: AnswerDoc) -> None:
    for slot in applicable_slots(plan, event_type, audience, doc):
        if not slot.asked and slot.patient is None and slot.question.id not in doc.fields:
            doc.set(slot.question.id, None, slot.question.implied[audience])


def apply_defaults(plan: Plan, event_type: str | None, audience: str, doc: AnswerDoc,
                   known: Mapping[str, Any], normalise: Callable[[Question, Any], Any]) -> list[str]:
    """Puts the plan's defaults into open questions that now apply, so they are not asked; `known` holds
    what a source says (the account's organisation and role), `normalise` checks a value as an answer
    (raising ValueError when it is not one). Returns the fields defaulted."""
    put: list[str] = []
    tried: set[str] = set()
    while True:  # a default can open questions that have defaults of their own
        before = len(tried)
        for slot in applicable_slots(plan, event_type, audience, doc):
            default = slot.question.defaults.get(audience)
            if default is None or slot.patient is not None or not slot.asked or not is_open(doc, slot) \
                    or slot.question.id in tried:
                continue
            tried.add(slot.question.id)
            value = default.value if default.source is None else known.get(default.source)
            if value is None:
                continue
            try:
                doc.put_default(slot.question.id, normalise(slot.question, value))
            except ValueError:
                continue  # what the account holds is no answer now (a code withdrawn): asked instead
            put.append(slot.question.id)
        if len(tried) == before:
            return put


def prune(plan: Plan, event_type: str | None, audience: str, doc: AnswerDoc) -> list[tuple[str, int | None]]:
    """Removes answers (and skips) to questions that no longer apply; returns what was removed.

    Repeats until stable, because removing one answer can switch off a question that depends on it.
    """
    removed: list[tuple[str, int | None]] = []
    while True:
        live = {s.key for s in applicable_slots(plan, event_type, audience, doc)}
        stale = [key for key in doc.entries() if key not in live]
        if not stale:
            doc.compact()
            return removed
        for name, patient in stale:
            doc.clear(name, patient)
            removed.append((name, patient))


def is_open(doc: AnswerDoc, slot: Slot) -> bool:
    name, patient = slot.key
    return doc.get(name, patient) is None and not doc.is_skipped(name, patient)


def next_slot(
    plan: Plan, event_type: str | None, audience: str, doc: AnswerDoc, core_only: bool = False
) -> Slot | None:
    for slot in applicable_slots(plan, event_type, audience, doc):
        if slot.asked and is_open(doc, slot) and (not core_only or in_chat(slot, audience)):
            return slot
    return None


def in_chat(slot: Slot, audience: str) -> bool:
    """The assistant asks it one turn of its own: mandatory, or optional with `chat: ask`."""
    q = slot.question
    return q.core and (audience in slot.step.mandatory_for or q.chat == "ask")


def offered_slots(plan: Plan, event_type: str | None, audience: str, doc: AnswerDoc) -> list[Slot]:
    """Open optional questions the assistant does not ask but offers at check your answers."""
    slots = applicable_slots(plan, event_type, audience, doc)
    offered = [s for s in slots if s.asked and s.question.core and is_open(doc, s) and not in_chat(s, audience)]
    keys = {s.key for s in offered}
    # A value derived from another offered question (the age group from the age) is given by answering that one.
    return [s for s in offered
            if s.question.derive is None or (s.question.derive.source, s.patient) not in keys]


def missing_mandatory(plan: Plan, event_type: str | None, audience: str, doc: AnswerDoc) -> list[Slot]:
    return [
        s for s in applicable_slots(plan, event_type, audience, doc)
        if audience in s.step.mandatory_for and doc.get(*s.key) is None
        and not (s.step.alternative and doc.get(s.step.alternative, s.patient) is not None)  # the plan's `or`
    ]
