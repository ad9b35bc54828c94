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
MAX_WORDS = 6  # a longer reply is more likely an answer that happens to start with "I'm"


def answers_elsewhere(plan: Plan, tax: Taxonomy, field: str, text: str, audience: str, now: datetime) -> Reading | None:
    """For a free-text or searched question (a medicine, an organisation): the reading of the reply as who the reporter is, when it is plainly that."""
    t = norm(text)
    if field == "ReporterType" or not ABOUT_ME.match(t) or len(t.split()) > MAX_WORDS:
        return None
    q = plan.questions.get("ReporterType")
    if q is None or not q.asks(audience):
        return None
    try:
        question = question_for(plan, tax, "ReporterType", audience)
    except UnknownQuestion:
        return None
    reading = read(question, text, now)
    if reading.act != "answer" or reading.confidence < 0.9:
        return None
    return Reading("elsewhere", None, reading.confidence,
                   others=[{"field": "ReporterType", "value": reading.value, "label": reading.label}])
