"""Answers suggested by the entity ruler's matches: what was involved, where, which medicines and the
shift (harm.py reads the harm, with negation and hypotheticals). Each suggestion keeps the spans it
rests on, so nothing is suggested without evidence."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from backend.narrative.agents_model import ADD_FROM, keep_from
from backend.narrative.involvement import lexicon_words, not_involved
from backend.narrative.lexicon import AS_TYPED, DRUG_FIELD, STRONG, WEAK
from backend.narrative.patterns import IGNORE, decode_id
from backend.narrative.spans import Span, overlaps
from backend.narrative.systems import unnamed_systems

MULTIPLE = ("InvolvedAgents", "ServiceArea", DRUG_FIELD)  # list answers, in order of first mention
SINGLE = ("LocationWithinService", "EstimatedTime")
THINGS = ("InvolvedAgents", DRUG_FIELD)  # fields a mention that was not involved leaves out
FIELDS = MULTIPLE + SINGLE

Mention = tuple[str, float, Span]  # value, confidence, where
# A second opinion on a thing the rules kept (involved_model.py): the match, its InvolvedAgents code and confidence.
Judge = Callable[[SpacySpan, str, float], bool]


@dataclass
class Suggestion:
    field: str
    value: int | str | list[str]
    confidence: float
    spans: list[tuple[Span, str]]  # each span with the value it supports
    candidates: list[dict] = dataclass_field(default_factory=list)


def _span(ent: SpacySpan) -> Span:
    return Span(ent.start_char, ent.end_char, ent.text)


# Where someone went because of what happened is not where it happened: "at the care home ... she ended up in
# hospital with sepsis", "the GP missed it and he was admitted to hospital". Only when another place is named:
# "went to A&E and waited 9 hours" is where it happened.
_WENT_TO = re.compile(r"\b(?:ended up|end up|ending up|had to go|have to go|went|go|gone|going|was taken|were taken|"
                      r"taken|rushed|sent|admitted|readmitted|transferred|blue[- ]lighted|brought|moved|referred)"
                      r"\s+(?:back\s+|straight\s+)?(?:in|into|to|up to)\s+(?:the\s+|a\s+|our\s+|her\s+|his\s+|local\s+)*$",
                      re.I)
PLACE_FIELDS = ("ServiceArea", "LocationWithinService")


def _went_to(ent: SpacySpan) -> bool:
    return bool(_WENT_TO.search(ent.doc.text[max(0, ent.start_char - 40) : ent.start_char]))


def _inside(ent: SpacySpan, spans: list[tuple[int, int]]) -> bool:
    return any(s <= ent.start_char and ent.end_char <= e for s, e in spans)


def _vetoed(ent: SpacySpan, involved: Judge | None) -> set[str]:
    """The InvolvedAgents codes of a match the second opinion says were only mentioned."""
    if involved is None:
        return set()
    return {i.code for i in decode_id(ent.ent_id_) if i.field == "InvolvedAgents" and not involved(ent, i.code, i.confidence)}


def mentions(doc: Doc, blocked: list[tuple[int, int]], confirmed: list[tuple[int, int]],
             involved: Judge | None = None, about: dict[str, float] | None = None,
             event_type: str | None = None) -> dict[str, list[Mention]]:
    """Field -> (value, confidence, span) for every match, in text order; identifiers' spans excluded.
    A match inside a confirmed span (a named organisation: "Beacon Surgery") is not ambiguous."""
    found: dict[str, list[Mention]] = {f: [] for f in FIELDS}
    went: dict[str, list[Mention]] = {f: [] for f in PLACE_FIELDS}
    for ent in doc.ents:
        if ent.label_ == IGNORE or overlaps(ent.start_char, ent.end_char, blocked):
            continue
        sure = _inside(ent, confirmed)
        mentioned_only = not_involved(ent)
        vetoed = set() if mentioned_only else _vetoed(ent, involved)
        for implied in decode_id(ent.ent_id_):
            if implied.field not in found or (mentioned_only and implied.field in THINGS):
                continue
            if implied.field in THINGS and (implied.code in vetoed or (implied.field == DRUG_FIELD and "4" in vetoed)):
                continue
            value = ent.text if implied.code == AS_TYPED else implied.code
            confidence = max(implied.confidence, STRONG) if sure else implied.confidence
            if implied.field in PLACE_FIELDS and _went_to(ent):
                went[implied.field].append((value, confidence, _span(ent)))
                continue
            found[implied.field].append((value, confidence, _span(ent)))
    systems = [("9", WEAK, span) for span in unnamed_systems(doc, blocked)]  # "entered on S4H"
    found["InvolvedAgents"] = sorted(found["InvolvedAgents"] + systems, key=lambda m: m[2].start)
    if about is not None:
        _read_as_a_whole(found, about, doc.text, event_type)
    if not any(found[f] for f in PLACE_FIELDS):  # the only place named: where it happened after all
        for f in PLACE_FIELDS:
            found[f] = sorted(found[f] + went[f], key=lambda m: m[2].start)
    return found


def _read_as_a_whole(found: dict[str, list[Mention]], about: dict[str, float], text: str,
                     event_type: str | None) -> None:
    """Things named that the message as a whole is plainly not about are dropped (with their medicine names);
    kinds of thing it is plainly about without a listed word are added, the narrative their evidence."""
    named = found["InvolvedAgents"]
    found["InvolvedAgents"] = [m for m in named if about.get(m[0], 1.0) >= keep_from(m[0], event_type)]
    if about.get("4", 1.0) < keep_from("4", event_type):
        found[DRUG_FIELD] = []
    kept = {m[0] for m in found["InvolvedAgents"]}
    whole = Span(0, len(text), text)
    found["InvolvedAgents"] += [(code, WEAK, whole) for code, p in sorted(about.items(), key=lambda kv: -kv[1])
                                if p >= ADD_FROM and code not in kept]


def _many(fname: str, items: list[Mention]) -> Suggestion:
    # A weak match ("practice") is dropped when a confident one names the same field ("A&E"); of the things
    # involved only a weak part of another thing is, as a second agent is the point ("insulin kept in the
    # ward fridge": both).
    if any(conf > WEAK for _, conf, _ in items):
        parts = lexicon_words("part_words") if fname == "InvolvedAgents" else None
        items = [i for i in items if i[1] > WEAK or (parts is not None and i[2].text.lower() not in parts)]
    values: dict[str, tuple[str, float, list[tuple[Span, str]]]] = {}
    for value, conf, span in items:
        key = value.lower() if fname == DRUG_FIELD else value
        shown, best, spans = values.get(key, (value, 0.0, []))
        values[key] = (shown, max(best, conf), spans + [(span, shown)])
    return Suggestion(
        fname,
        [shown for shown, _, _ in values.values()],
        min(best for _, best, _ in values.values()),
        [s for _, _, spans in values.values() for s in spans],
    )


def _one(fname: str, items: list[Mention]) -> Suggestion:
    if fname == "PhysicalHarm":
        # The most severe harm mentioned with confidence: "needed glucose, fine now" is low harm.
        value, conf, _ = max(items, key=lambda i: (i[1] > WEAK, -int(i[0])))
    else:
        value, conf, _ = max(items, key=lambda i: i[1])  # ties: the first mention
    spans = [(span, v) for v, _, span in items if v == value]
    others = {v for v, _, _ in items} - {value}
    return Suggestion(fname, value, conf * (0.8 if others else 1.0), spans)


def suggestions(doc: Doc, blocked: list[tuple[int, int]], confirmed: list[tuple[int, int]],
                involved: Judge | None = None, about: dict[str, float] | None = None,
                event_type: str | None = None) -> list[Suggestion]:
    found = mentions(doc, blocked, confirmed, involved, about, event_type)
    out = []
    for fname in FIELDS:
        if found[fname]:
            out.append((_many if fname in MULTIPLE else _one)(fname, found[fname]))
    return out
