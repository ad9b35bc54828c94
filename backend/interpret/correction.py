"""A correction of an earlier answer, read from the reporter's words: which question, and what the new
value is. It changes nothing itself; when the question or the value is not certain it says so, and the
assistant asks rather than changing the wrong thing.

"actually it was nearer 11pm not 10, just checked the drug chart" -> PreciseTime 23:00 (a medicine
named in passing is not the question being corrected); "No, that's yesterday. I mean Tuesday 24
November" -> the date after "I mean"; "that description is wrong ..." -> the description, but no new
wording: ask for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field  # Correction has a field named "field"
from datetime import datetime
from typing import Any

from backend.interpret import when
from backend.interpret.places import read_place
from backend.interpret.reply import norm, read

# Where the new value starts: "change the harm to low", "the time was 11pm", "it should be Tuesday".
VALUE_AFTER = re.compile(r"\b(?:to|was|were|is|be|should be|should say|=|as|into)\s+(?P<v>.+)$")
# After these the reporter says what they meant ("No, that's yesterday. I mean Tuesday").
MEANT = re.compile(r"\b(?:i mean|i meant|meant to say|actually|it was|it's|its|should be|make it|rather|correction|sorry)\b")
# "moderate not low": what follows "not" is what the answer is not.
NEGATED_WORD = re.compile(r",?\s*\bnot\s+(?!at all\b|very\b|hurt\b|related\b|concerned\b)[\w:]+(?:\s+harm)?\b")
NEGATED_TIME = re.compile(r"\bnot\s+(?:at\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?\b")
EXPLICIT_TEXT = re.compile(r"\b(?:change|set|make|replace|update)\s+(?:the\s+|my\s+)?(?P<a>[a-z ]+?)\s+(?:to|with)\s+(?P<v>.+)$"
                           r"|\b(?P<a2>[a-z ]+?)\s+should (?:be|say|read)\s+(?P<v2>.+)$")


@dataclass
class Correction:
    act: str  # change | ask_field | ask_value
    field: str | None = None
    patient: int | None = None
    value: Any = None
    label: str | None = None
    # Saved with it: "about 80" for the age is no exact age (the age left out) and its band.
    others: list[dict[str, Any]] = dataclass_field(default_factory=list)


def _alias_hits(text: str, questions: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any], str]]:
    hits = []
    for q in questions:
        for alias in [*q.get("aliases", []), q["field"].lower()]:
            a = norm(alias)
            for m in re.finditer(rf"(?<![a-z]){re.escape(a)}(?![a-z])", text):
                hits.append((m.start(), q, a))
    return hits


def _named(text: str, questions: list[dict[str, Any]]) -> tuple[dict[str, Any], str] | None:
    """The question the correction names, where it is named as the thing to change: "change the harm ...",
    "the time was ...", not a word in passing ("just checked the drug chart")."""
    hits = _alias_hits(text, questions)
    if not hits:
        return None
    for start, q, alias in sorted(hits, key=lambda h: (h[0], -len(h[2]))):
        before = text[:start].split()[-3:]
        after = text[start + len(alias):].strip()
        if any(w in ("change", "set", "update", "fix", "correct", "edit", "amend") for w in before) or \
                re.match(r"^(?:to|was|were|is|should|=|wrong|isn't|isnt|needs)\b", after):
            return q, after
    return None


def read_correction(text: str, questions: list[dict[str, Any]], answered: set[str], now: datetime) -> Correction:
    """`questions`: the plan's questions for the record's event type and audience (field, type, multiple,
    choices, aliases, per_patient); `answered`: the fields that have an answer."""
    t = norm(text)
    place = _place(text, questions)
    if place is not None:
        return place
    named = _named(t, questions)
    if named:
        q, rest = named
        # A value worked out from another answer (the age group from the age) is changed through that answer.
        source = next((s for s in questions if s["field"] == q.get("derived_from")), None)
        if source is not None and source["field"] in answered:
            q = source
        m = VALUE_AFTER.search(rest)
        value_text = m.group("v") if m else ""
        if q["type"] == "string":
            explicit = EXPLICIT_TEXT.search(text.strip())
            if not explicit:
                return Correction("ask_value", q["field"], 1 if q.get("per_patient") else None)
            value_text = (explicit.group("v") or explicit.group("v2") or "").strip()
            value = [value_text] if q.get("multiple") else value_text
            return Correction("change", q["field"], 1 if q.get("per_patient") else None, value, value_text)
        if not value_text:
            return Correction("ask_value", q["field"], 1 if q.get("per_patient") else None)
        found = _value(q, value_text, now)
        if found is None:
            return Correction("ask_value", q["field"], 1 if q.get("per_patient") else None)
        patient = 1 if q.get("per_patient") else None
        if q["type"] == "age" and found[0] is None:
            return _approximate_age(q, patient, value_text, now)
        return Correction("change", q["field"], patient, *found)
    # Nothing named: a time or a date in the words, or a choice of exactly one answered question.
    meant = MEANT.split(t)[-1] if MEANT.search(t) else t
    meant = NEGATED_WORD.sub(" ", meant).strip() or meant
    by_type = {q["type"]: q for q in questions if q["field"] in answered}
    time_found = when.time_of(NEGATED_TIME.sub(" ", meant)) or when.time_of(NEGATED_TIME.sub(" ", t))
    if time_found and "time" in by_type:
        q = by_type["time"]
        return Correction("change", q["field"], None, time_found[0], time_found[0])
    date_found = when.date_of(meant, now)
    if date_found and "date" in by_type:
        q = by_type["date"]
        return Correction("change", q["field"], None, date_found[0].isoformat(), date_found[0].strftime("%-d %B %Y"))
    fits = []
    for q in questions:
        if q["field"] not in answered or not (q.get("choices") or q["type"] == "age") \
                or q.get("derived_from") in answered:  # the age group, while the age it comes from is there
            continue
        reading = read(q, meant, now)
        if reading.act == "answer" and reading.confidence >= 0.9:
            fits.append((q, reading))
    if len(fits) == 1:
        q, reading = fits[0]
        if q["type"] == "age" and reading.value is None:
            return _approximate_age(q, 1 if q.get("per_patient") else None, meant, now)
        return Correction("change", q["field"], 1 if q.get("per_patient") else None, reading.value, reading.label,
                          others=list(reading.others))  # "no, in October": not today, and the day
    return Correction("ask_field")


def _place(text: str, questions: list[dict[str, Any]]) -> Correction | None:
    """'It happened at rosewood house care home, not our trust': the organisation, or the place in the
    reporter's words when the list does not know it (the organisation is then left out: not assumed)."""
    fields = {q["field"] for q in questions}
    if "Organisation" not in fields:
        return None
    found = read_place(text)
    if found is None:
        return None
    if found.codes:
        return Correction("change", "Organisation", None, found.codes, found.name)
    if "OrganisationOther" not in fields:
        return None
    return Correction("change", "OrganisationOther", None, found.name, found.name,
                      others=[{"field": "Organisation", "skip": True}])


def _approximate_age(q: dict[str, Any], patient: int | None, text: str, now: datetime) -> Correction:
    """'Change the age to about 60': the exact age is left out and the band said is saved instead."""
    reading = read({**q, "mandatory": True}, text, now)
    if reading.act != "answer" or not reading.others:
        return Correction("ask_value", q["field"], patient)
    band = reading.others[0]
    return Correction("change", band["field"], patient if band.get("per_patient") else None, band["value"],
                      band.get("label"), others=[{"field": q["field"], "patient": patient, "skip": True}])


def _value(q: dict[str, Any], value_text: str, now: datetime) -> tuple[Any, str | None] | None:
    if q["type"] == "time":
        found = when.time_of(NEGATED_TIME.sub(" ", value_text))
        return (found[0], found[0]) if found else None
    if q["type"] == "date":
        meant = MEANT.split(value_text)[-1] if MEANT.search(value_text) else value_text
        found_date = when.date_of(meant, now) or when.date_of(value_text, now)
        return (found_date[0].isoformat(), found_date[0].strftime("%-d %B %Y")) if found_date else None
    reading = read({**q, "mandatory": True}, NEGATED_WORD.sub(" ", value_text).strip() or value_text, now)
    if reading.act == "answer" and reading.confidence >= 0.85:
        return reading.value, reading.label
    return None
