"""Analyse a reporter's narrative into suggested answers for the question plan.

Every suggestion names its plan field, the value (a code, codes, or text), a label in the reporter's
audience's wording, a confidence, and the span of the text it rests on; the assistant and the web form
put each one to the reporter to confirm. Identifiers (NHS numbers, phone numbers...) are reported, and
their spans never feed a suggestion.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.identifiers import find_identifiers
from backend.narrative import agents_model, rules, training
from backend.narrative.agents_model import AGENTS_TEXTCAT
from backend.narrative.ages import find_age
from backend.narrative.challenges import find_challenges
from backend.narrative.dates import find_date, find_time, local_now
from backend.narrative.extract import Suggestion, suggestions
from backend.narrative.harm import find_psychological_harm
from backend.narrative.harm_model import read_harm
from backend.narrative.medicine_problem import find_medicine_problem
from backend.narrative.organisations import OrgMatch, match_organisations
from backend.narrative.patients import find_patient_count
from backend.narrative.spans import Span
from backend.narrative.store import NarrativeModel
from backend.narrative.units import find_unit
from backend.plan import Plan, age
from backend.plan.present import label_of
from backend.taxonomy import Taxonomy

AMBIGUOUS_MARGIN = 3.0  # organisation candidates this close are a toss-up: lower the confidence
MAX_CANDIDATES = 10


def _event_type(model: NarrativeModel, text: str) -> Suggestion:
    cue = rules.classify(text)
    if model.uses_classifier:
        scores = training.scores(model.nlp, text, model.temperature)
        value = max(scores, key=lambda k: scores[k])
        confidence = scores[value]
        candidates = [{"value": k, "score": round(v, 3)} for k, v in sorted(scores.items(), key=lambda kv: -kv[1])]
    else:
        value, confidence, candidates = cue.event_type, cue.confidence, []
    # Evidence: the keyword that supports the answer where there is one, else the whole narrative.
    start, end = cue.cue if cue.cue and cue.event_type == value else (0, len(text))
    return Suggestion("EventType", value, confidence, [(Span(start, end, text[start:end]), value)], candidates)


def _when(text: str, now: datetime, blocked: list[tuple[int, int]]) -> list[Suggestion]:
    out: list[Suggestion] = []
    found = find_date(text, now, blocked)
    today = found is not None and found.value == now.date()
    if found is not None:
        out.append(Suggestion("IncidentOccurredToday", "y" if today else "n", found.confidence,
                              [(found.span, "y" if today else "n")]))
        if not today:
            iso = found.value.isoformat()
            out.append(Suggestion("ApproximateDate", iso, found.confidence, [(found.span, iso)]))
    clock = find_time(text, blocked)
    if clock is not None and not (today and clock.value > now.strftime("%H:%M")):  # never a future time
        out.append(Suggestion("PreciseTime", clock.value, clock.confidence, [(clock.span, clock.value)]))
    return out


def _organisations(matches: list[OrgMatch]) -> list[Suggestion]:
    if not matches:
        return []
    codes = list(dict.fromkeys(m.candidates[0].code for m in matches))
    confidence = 1.0
    for m in matches:
        top = m.candidates[0].score
        close = len(m.candidates) > 1 and top - m.candidates[1].score < AMBIGUOUS_MARGIN
        confidence = min(confidence, top / 100 * (0.7 if close else 1.0))
    candidates: dict[str, dict] = {}  # one entry per code, at its best score
    for m in matches:
        for c in m.candidates:
            if c.code not in candidates or candidates[c.code]["score"] < c.score:
                candidates[c.code] = {"text": m.span.text, "value": c.code, "label": c.name, "score": c.score}
    ranked = sorted(candidates.values(), key=lambda c: -c["score"])[:MAX_CANDIDATES]
    return [Suggestion("Organisation", codes, confidence, [(m.span, m.candidates[0].code) for m in matches], ranked)]


def _label(s: Suggestion, plan: Plan, tax: Taxonomy, audience: str) -> str:
    q = plan.questions[s.field]
    if s.field == "ApproximateDate":
        return datetime.fromisoformat(str(s.value)).strftime("%A %-d %B %Y")
    if s.field == "Organisation":
        names = {c["value"]: c["label"] for c in s.candidates}
        codes = s.value if isinstance(s.value, list) else [str(s.value)]
        return "; ".join(names.get(v, v) for v in codes)
    if q.format == "age" and isinstance(s.value, int):
        return age.describe(s.value)
    if q.field.type != "Code":
        return ", ".join(s.value) if isinstance(s.value, list) else str(s.value)
    values = s.value if isinstance(s.value, list) else [s.value]
    return "; ".join(label_of(q, tax, audience, v) for v in values)


def _render(s: Suggestion, plan: Plan, tax: Taxonomy, audience: str) -> dict[str, Any]:
    first = min((span for span, _ in s.spans), key=lambda span: span.start)
    out: dict[str, Any] = {
        "field": s.field,
        "value": s.value,
        "label": _label(s, plan, tax, audience),
        "confidence": round(min(max(s.confidence, 0.0), 1.0), 3),
        "evidence": {"start": first.start, "end": first.end, "text": first.text},
        "spans": [{"start": sp.start, "end": sp.end, "text": sp.text, "value": v} for sp, v in s.spans],
    }
    if s.candidates:
        q = plan.questions[s.field]
        out["candidates"] = [{"label": label_of(q, tax, audience, c["value"]), **c} for c in s.candidates]
    return out


def analyse(text: str, audience: str, reported_at: datetime | None, *, model: NarrativeModel, plan: Plan,
            tax: Taxonomy) -> dict[str, Any]:
    now = local_now(reported_at)
    found = find_identifiers(text)
    blocked = [(f.start, f.end) for f in found]
    doc = model.nlp(text, disable=[p for p in (training.TEXTCAT, AGENTS_TEXTCAT) if p in model.nlp.pipe_names])
    orgs = match_organisations(text, tax, blocked)
    named = [(m.span.start, m.span.end) for m in orgs]
    event_type = _event_type(model, text) if text.strip() else None  # the event type rests on the narrative itself
    kind = str(event_type.value) if event_type else ""  # what the learnt readings condition on
    judge = model.involved.judge(doc, kind, audience) if model.involved and event_type else None
    items = [*_when(text, now, blocked), *_organisations(orgs),
             *suggestions(doc, blocked, named, judge, agents_model.about(model.nlp, text), kind)]
    harm = read_harm(text, blocked, model.harm, kind, audience)
    if harm is not None:
        items.append(Suggestion("PhysicalHarm", harm.value, harm.confidence, harm.spans))
    calm = find_psychological_harm(text, blocked)
    if calm is not None:
        items.append(Suggestion("PsychologicalHarm", calm.value, calm.confidence, calm.spans))
    unit = find_unit(text, blocked)
    if unit is not None:
        items.append(Suggestion("IdentifiedLocationOther", unit.value, unit.confidence, [(unit.span, unit.value)]))
    problem = find_medicine_problem(text, blocked)
    if problem is not None and any(s.field == "InvolvedAgents" and isinstance(s.value, list) and "4" in s.value
                                   for s in items):
        items.append(Suggestion("DrugInvolvementFactors", [problem.value], problem.confidence,
                                [(problem.span, problem.value)]))
    challenges = find_challenges(text, blocked)
    if challenges is not None:
        items.append(Suggestion("SafetyChallenges", challenges.value, challenges.confidence,
                                [(challenges.span, ",".join(challenges.value))]))
    count = find_patient_count(text, blocked)
    if count is not None:
        items.append(Suggestion("PatientCount", count.value, count.confidence, [(count.span, str(count.value))]))
    said = find_age(text, blocked, tax) if count is None else None  # with several patients, whose age is unclear
    if said is not None:  # an exact age (its band derived when saved), or only the band of an approximate one
        field, value = ("AgeAtTimeOfIncidentDays", said.days) if said.days is not None else ("AgeBracket", said.band)
        if value is not None:
            items.append(Suggestion(field, value, 0.85, [(said.span, str(value))]))
    if event_type is not None:
        items.insert(0, event_type)
    if any(s.field == "PreciseTime" for s in items):  # the plan asks for a shift only without a time
        items = [s for s in items if s.field != "EstimatedTime"]
    order = {f: i for i, f in enumerate(plan.questions)}
    asked = [s for s in items if plan.questions[s.field].asks(audience) and s.spans]
    asked.sort(key=lambda s: order[s.field])  # in the order the plan asks
    return {
        "audience": audience,
        "reported_at": now.isoformat(timespec="minutes"),
        "event_type_method": "classifier" if model.uses_classifier else "rules",
        "suggestions": [_render(s, plan, tax, audience) for s in asked],
        "identifiers": [{"kind": f.kind, "label": f.label(), "start": f.start, "end": f.end} for f in found],
    }
