"""One reply to a group of questions asked as one (backend/plan/groups.py), read into each field.

    together  the reply is cut into parts ("low physical harm, none psychological"); each part is read
              against the field its words name (data/group_cues.yaml); a part that names none is read
              against every field when it says "none" ("no harm", "fine"), else against the first field
              (the question's main sense: "how badly was the patient hurt"). A field named twice with
              different values, or named without a level ("she was upset"), is left unclear.
    detail    the reply picks from the group's one list; a pick of a follow-up's choice answers the lead too
    fold      the yes or no answers the lead; the rest of the reply answers the follow-up it opens

Nothing is guessed: a field the reply does not settle is listed in `unclear`, and the assistant asks it
on its own next (the group is offered only while all its fields are open)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from backend.interpret import reply
from backend.interpret.questions import question_for
from backend.plan import conditions, groups
from backend.plan.groups import Group
from backend.plan.model import Plan
from backend.taxonomy import Taxonomy

CUES = Path(__file__).parent / "data" / "group_cues.yaml"
PARTS = re.compile(r"\s*(?:,|;|\.\s|\bbut\b|\band\b|\balthough\b|\bthough\b|\bwhile\b)\s*")
PASSED_ON = ("help", "progress", "stop", "delete", "undo", "submit", "skip")  # acts, not answers
NUMBERS = re.compile(r"[\d\s,&+/]+|(?:\d+\s*(?:and|or)\s*)+\d+")  # a pick by numbers indexes the list
YES_NO_HEAD = re.compile(r"^\s*(?:yes|yeah|yep|no|nope|nah|y|n)\b[\s,.;:!-]*", re.I)


@dataclass
class GroupReading:
    act: str = "none"  # answer, or an act passed on (help, stop, ...), or none
    answers: list[dict[str, Any]] = field(default_factory=list)  # [{field, value, label}]
    unclear: list[str] = field(default_factory=list)  # fields of the group the reply did not settle
    confidence: float = 0.0


@lru_cache(maxsize=1)
def cues() -> dict[str, Any]:
    return yaml.safe_load(CUES.read_text(encoding="utf-8")) or {}


def _names(fld: str, part: str) -> bool:
    return any(re.search(rf"\b{re.escape(c)}", part) for c in cues().get(fld, {}).get("cues", []))


def _level(fld: str, part: str) -> str | None:
    for code, words in (cues().get(fld, {}).get("levels") or {}).items():
        if any(reply._phrase_in(w, part) for w in words):
            return str(code)
    return None


def _says_none(part: str) -> bool:
    return any(reply._phrase_in(p, part) for p in reply.paraphrases()["_any"]["none"]) \
        or part in ("no", "nothing", "neither", "no harm at all")


def _label(question: dict[str, Any], code: Any) -> str:
    return next((c["label"] for c in question.get("choices") or [] if c["code"] == code), str(code))


def _together(plan: Plan, tax: Taxonomy, group: Group, text: str, audience: str, now: datetime) -> GroupReading:
    qs = {q: question_for(plan, tax, q, audience) for q in group.questions}
    t = reply.norm(text)
    for choice in group.choices:  # a quick answer, by its words or its number
        if t in (reply.norm(choice.shown(audience)), reply.norm(choice.label)) \
                or t == str(group.choices.index(choice) + 1):
            return _result(group, {f: v for f, v in choice.values.items()}, set(), qs, 0.99)
    found: dict[str, set[Any]] = {}
    named: set[str] = set()
    for part in (reply.norm(p) for p in PARTS.split(text.lower()) if reply.norm(p)):
        about = [f for f in group.questions if _names(f, part)]
        if not about:
            about = list(group.questions) if _says_none(part) else [group.lead]
        named.update(about)
        for fld in about:
            level = _level(fld, part)
            reading = reply.read(qs[fld], part, now)
            if reading.act == "answer" and reading.confidence >= 0.8:
                found.setdefault(fld, set()).add(reading.value)
            elif level is not None:
                found.setdefault(fld, set()).add(level)
    settled = {f: next(iter(v)) for f, v in found.items() if len(v) == 1}
    return _result(group, settled, named, qs, 0.9)


def _result(group: Group, settled: dict[str, Any], named: set[str], qs: dict[str, dict[str, Any]],
            confidence: float) -> GroupReading:
    answers = [{"field": f, "value": settled[f], "label": _label(qs[f], settled[f])}
               for f in group.questions if f in settled]
    return GroupReading("answer" if answers else "none", answers,
                        [f for f in group.questions if f not in settled], confidence if answers else 0.0)


def _detail(plan: Plan, tax: Taxonomy, group: Group, text: str, audience: str, now: datetime) -> GroupReading:
    listed = groups.detail_choices(plan, group, tax, audience)
    lead = question_for(plan, tax, group.lead, audience)
    picked, confidence = reply.pick(group.lead, text, listed, True)
    t = reply.norm(text)
    if re.match(r"\d", t) and not NUMBERS.fullmatch(t):
        picked = []  # "10 units instead of 1" tells the dose, it picks nothing from a long list
    alone = reply.read(lead, text, now)  # the problem alone ("too much given"), or "don't know"
    if picked and (confidence >= alone.confidence or alone.act not in ("answer", "unknown")):
        codes = [str(c["code"]) for c in picked]
    elif alone.act in ("answer", "unknown") and alone.value:
        codes, confidence = list(alone.value), alone.confidence
    else:
        return GroupReading(unclear=list(group.questions))
    for follower in group.followers:  # "the dose was too high": the problem and, in its own list, how
        if not NUMBERS.fullmatch(t) and groups.opened_by(plan, group, follower) in codes \
                and not any(c.startswith(follower) for c in codes) and plan.questions[follower].asks(audience):
            codes += _named_outright(follower, text, question_for(plan, tax, follower, audience)["choices"] or [])
    split = groups.split_detail(plan, group, codes)
    labels = {str(c["code"]): c["label"] for c in listed}
    answers = []
    for fld, values in split.items():
        prefix = "" if fld == group.lead else f"{fld}{groups.FOLLOWER_SEP}"
        answers.append({"field": fld, "value": values,
                        "label": ", ".join(labels.get(prefix + v, v) for v in values)})
    # The follow-ups not picked stay open: offered at check your answers when they apply, as before.
    return GroupReading("answer", answers, [q for q in group.followers if q not in split], confidence)


def _named_outright(follower: str, text: str, choices: list[dict[str, Any]]) -> list[str]:
    """A follow-up's choice the reply names by its label or a known paraphrase, clearly above the rest."""
    scored = reply._scores(follower, reply.norm(text), choices)
    if not scored or scored[0][0] < 0.9 or (len(scored) > 1 and scored[0][0] - scored[1][0] <= 0.05):
        return []
    return [f"{follower}{groups.FOLLOWER_SEP}{choices[scored[0][1]]['code']}"]


def _fold(plan: Plan, tax: Taxonomy, group: Group, text: str, audience: str, now: datetime) -> GroupReading:
    lead = question_for(plan, tax, group.lead, audience)
    said = reply.read(lead, text, now)
    if said.act != "answer":
        return GroupReading(unclear=list(group.questions))
    answers = [{"field": group.lead, "value": said.value, "label": said.label}]
    answers += [o for o in said.others if o["field"] in group.questions]  # "no, last Tuesday": the day
    rest = YES_NO_HEAD.sub("", text, count=1).strip()
    for fld in group.followers:
        q = plan.questions[fld]
        if not q.asks(audience) or any(a["field"] == fld for a in answers):
            continue
        if not conditions.evaluate(q.when, lambda name: (said.value if name == group.lead else None, False)):
            continue
        if rest:
            more = reply.read(question_for(plan, tax, fld, audience), rest, now)
            if more.act == "answer" and more.confidence >= 0.8:
                answers.append({"field": fld, "value": more.value, "label": more.label})
    answered = {a["field"] for a in answers}
    return GroupReading("answer", answers, [f for f in group.questions if f not in answered], said.confidence)


READERS = {"together": _together, "detail": _detail, "fold": _fold}


def read_group(plan: Plan, tax: Taxonomy, group: Group, text: str, audience: str, now: datetime) -> GroupReading:
    lead = question_for(plan, tax, group.lead, audience)
    first = reply.read(lead, text, now)
    if first.act in PASSED_ON or (first.act == "unknown" and first.value is None):
        return GroupReading(first.act, confidence=first.confidence, unclear=list(group.questions))
    return READERS[group.kind](plan, tax, group, text, audience, now)


def as_dict(reading: GroupReading) -> dict[str, Any]:
    return {"act": reading.act, "answers": reading.answers, "unclear": reading.unclear,
            "confidence": round(reading.confidence, 3)}
