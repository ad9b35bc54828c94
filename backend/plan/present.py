"""A question as a reporter sees it: wording for their audience, choices with labels, help."""

from __future__ import annotations

from typing import Any

from backend.plan.evaluate import Slot
from backend.plan.model import Question
from backend.taxonomy import Taxonomy

LARGE_LIST = 250  # longer lists (the ODS organisations) are searched, not listed


def choices(q: Question, tax: Taxonomy, audience: str) -> list[dict[str, Any]] | None:
    if q.field.type == "Boolean":
        return [{"code": q.yes_means, "label": "Yes"}, {"code": not q.yes_means, "label": "No"}]
    codes = tax.values_for(q.id)
    if codes is None or len(codes.codes) > LARGE_LIST:
        return None
    labels = q.public_labels if audience == "public" else {}
    out = []
    for c in codes.codes:
        if c.code in q.exclude:
            continue
        item: dict[str, Any] = {"code": c.code, "label": labels.get(c.code, c.display)}
        if audience == "public" and c.code in q.sms_labels:
            item["sms_label"] = q.sms_labels[c.code]
        if c.definition:
            item["help"] = c.definition
        out.append(item)
    return out


def kind(q: Question) -> str:
    """The answer's kind as shown to the assistant and the web form: the plan's format (date, age) or the field's type."""
    return q.format or q.field.type.lower()


def label_of(q: Question, tax: Taxonomy, audience: str, code: Any) -> str:
    for choice in choices(q, tax, audience) or []:
        if choice["code"] == code:
            return choice["label"]
    codes = tax.values_for(q.id)
    return codes.label(code) if codes is not None and isinstance(code, str) else str(code)


def question_view(slot: Slot, tax: Taxonomy, audience: str, patient_count: int) -> dict[str, Any]:
    q = slot.question
    codes = tax.values_for(q.id)
    listed = choices(q, tax, audience)
    return {
        "field": q.id,
        "patient": slot.patient,
        "text": q.text(audience, slot.patient, patient_count),
        "help": q.help_text(audience),
        "type": kind(q),
        "multiple": q.field.multiple,
        "mandatory": audience in slot.step.mandatory_for,
        "choices": listed,
        "search": f"/api/v1/taxonomy/code-systems/{codes.id}?q=" if codes is not None and listed is None else None,
        "unknown_code": codes.unknown_code if codes is not None else None,
        "max_length": q.max_length if q.field.type == "String" else None,
        "core": q.core,
        "answer_in_words": list(q.answer_in_words),
        "yes_means": q.yes_means,
    }


def offered_view(slot: Slot, audience: str, patient_count: int) -> dict[str, Any]:
    """An optional question offered at check your answers: its short name and its wording."""
    q = slot.question
    name = q.name or q.text(audience, slot.patient, patient_count)
    return {"field": q.id, "patient": slot.patient, "label": name,
            "text": q.text(audience, slot.patient, patient_count),
            "type": kind(q)}
