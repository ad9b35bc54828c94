"""A reply to the age question read as an age (backend/narrative/ages.py): "shes 84" is an exact age;
"about 80" or "in her 70s" is no exact age, so the reading gives no value for the age and its band as
another answer (the plan's question derived from the age), with `approximate` set: the assistant leaves
the exact age out and saves the band, and says so."""

from __future__ import annotations

from backend.interpret.reply import Reading
from backend.narrative.ages import read_age
from backend.plan import get_plan, present
from backend.taxonomy import get_taxonomy


def read_age_reply(field: str, text: str) -> Reading:
    tax, plan = get_taxonomy(), get_plan()
    said = read_age(text, tax)
    if said is None:
        return Reading("none")
    if said.exact:
        return Reading("answer", said.days, 0.95, label=said.label)
    band = next((q for q in plan.questions.values() if q.derive is not None and q.derive.source == field), None)
    if band is None or said.band is None:
        return Reading("none")
    label = present.label_of(band, tax, "staff", said.band)
    return Reading("answer", None, 0.9, approximate=True, label=said.label,
                   others=[{"field": band.id, "value": said.band, "label": label, "per_patient": band.per_patient}])
