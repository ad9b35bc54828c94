"""A reply that answers another question than the one showing ("im his son" to "Which medicines were
involved?"): read into that question, so it is saved there and the question showing is asked again,
rather than stored as a medicine's name."""

from __future__ import annotations

import re
from datetime import datetime

from backend.interpret.questions import UnknownQuestion, question_for
from backend.interpret.reply import Reading, norm, read
from backend.plan.model import Plan
from backend.taxonomy import Taxonomy

# "i'm his son", "im the patient", "i am her carer", "i work there": who the reporter is, said outright.
ABOUT_ME = re.compile(r"^(?:i'?m|i am|am|i was|i work)\b")
# "shes 87", "he is 4 months old", "aged 91", "87 years old": how old the patient is, said outright. A bare
# number is not enough: to a list of choices it is more likely a mistyped choice.
AGE = re.compile(r"^(?:(?:(?:s?he'?s|s?he is|they'?re|they are|my \w+ is|aged?)\s+(?:about |around |nearly )?\d{1,3}"
                 r"(?:\s*(?:years?|yrs?|y/?o|months?|weeks?|days?))?)|(?:(?:about |around |nearly )?\d{1,3}\s*"
                 r"(?:years?|yrs?|y/?o|months?|weeks?|days?)))(?:\s+old)?$")
MAX_WORDS = 6  # a longer reply is more likely an answer that happens to start with "I'm"
# Checked in order; the exact age first, its band where the plan has no exact age.
READERS = (("ReporterType", ABOUT_ME), ("AgeAtTimeOfIncidentDays", AGE), ("AgeBracket", AGE))


def answers_elsewhere(plan: Plan, tax: Taxonomy, field: str, text: str, audience: str, now: datetime) -> Reading | None:
    """The reading of a reply as the answer to another question (who the reporter is, the patient's
    age) when it is plainly that and not the question showing, which stays to be asked again."""
    t = norm(text)
    if len(t.split()) > MAX_WORDS:
        return None
    related = {field, *(q.derive.source for q in plan.questions.values() if q.id == field and q.derive)}
    for other, pattern in READERS:
        q = plan.questions.get(other)
        if other in related or not pattern.match(t) or q is None or not q.asks(audience):
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
