"""A reply that answers another question than the one showing ("im his son" to "Which medicines were
involved?"): read into that question, so it is saved there and the question showing is asked again,
rather than stored as a medicine's name."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from backend.interpret.questions import UnknownQuestion, question_for
from backend.interpret.reply import Reading, norm, read
from backend.narrative.ages import find_age
from backend.plan.model import Plan
from backend.taxonomy import Taxonomy

# "i'm his son", "im the patient", "i am her carer", "i work there": who the reporter is, said outright.
ABOUT_ME = re.compile(r"^(?:i'?m|i am|am|i was|i work)\b")
MAX_WORDS = 6  # a longer reply is more likely an answer that happens to start with "I'm"


def _about_me(text: str, tax: Taxonomy) -> bool:
    return bool(ABOUT_ME.match(text))


def _an_age(text: str, tax: Taxonomy) -> bool:
    """"shes 87", "aged 91", "87 years old": said as an age by the narrative's own age reader, which wants
    words saying so. A bare number is not enough: to a list of choices it is more likely a mistyped choice."""
    return find_age(text, [], tax) is not None


# Checked in order; the exact age first, its band where the plan has no exact age.
READERS: tuple[tuple[str, Callable[[str, Taxonomy], bool]], ...] = (
    ("ReporterType", _about_me), ("AgeAtTimeOfIncidentDays", _an_age), ("AgeBracket", _an_age))


def answers_elsewhere(plan: Plan, tax: Taxonomy, field: str, text: str, audience: str, now: datetime) -> Reading | None:
    """The reading of a reply as the answer to another question (who the reporter is, the patient's
    age) when it is plainly that and not the question showing, which stays to be asked again."""
    t = norm(text)
    if len(t.split()) > MAX_WORDS:
        return None
    related = {field, *(q.derive.source for q in plan.questions.values() if q.id == field and q.derive)}
    for other, says_it in READERS:
        q = plan.questions.get(other)
        if other in related or q is None or not q.asks(audience) or not says_it(t, tax):
            continue
        try:
            question = question_for(plan, tax, other, audience)
        except UnknownQuestion:
            continue
        reading = read(question, text, now)
        if reading.act != "answer" or reading.confidence < 0.9:
            continue
        if reading.value is None:  # "about 80": no exact age, its band instead
            return Reading("elsewhere", None, reading.confidence, others=reading.others)
        return Reading("elsewhere", None, reading.confidence, others=[{
            "field": other, "value": reading.value, "label": reading.label, "per_patient": q.per_patient}])
    return None
