"""IT systems named by a product name the lexicon does not know: "entered as clear on S4H", "details mixed
on Lilie", "the EDIS screen froze". Every trust and practice has local systems, so no list is complete;
the way a system is named is more general than the names. A capitalised or mixed-case word counts when
it follows a record-keeping verb and "on/in/via" ("filed as normal on X"), or comes before a word for a
system or its failure ("X screen", "X crashed"), and is not part of a phrase the lexicon already reads (a place,
a medicine), a day or a month. Suggested with low confidence: the reporter confirms it."""

from __future__ import annotations

import calendar
import re

from spacy.tokens import Doc

from backend.narrative.spans import Span, overlaps

_NAME = r"(?P<name>[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*|[A-Z][a-z]{2,}[A-Z]?[a-z]*)"
_RECORDED = (r"(?:entered|recorded|documented|logged|filed|issued|booked|requested|ordered|uploaded|scanned|mixed|"
             r"coded|saved|added|updated|typed|transcribed|flagged|showing|showed|shows|says|said)")
_ON_SYSTEM = re.compile(r"\b" + _RECORDED + r"\b(?:\s+[\w-]+){0,3}?\s+(?:on|onto|in|into|via|through|using)\s+"
                        r"(?:the\s+)?" + _NAME + r"\b")
_SYSTEM_WORD = re.compile(r"\b(?:the|our|on|via)\s+" + _NAME + r"\s+(?:screen|system|software|app|portal|module|"
                          r"platform|froze|frozen|crashed|went down|was down|is down|outage)\b")
_NOT_NAMES = frozenset({d.lower() for d in calendar.day_name} | {m.lower() for m in calendar.month_name if m}
                       | set("christmas easter nhs the iv im sc po np".split()))


def unnamed_systems(doc: Doc, blocked: list[tuple[int, int]]) -> list[Span]:
    text = doc.text
    found: list[Span] = []
    matched = [(e.start_char, e.end_char) for e in doc.ents]
    for pattern in (_ON_SYSTEM, _SYSTEM_WORD):
        for m in pattern.finditer(text):
            start, end = m.span("name")
            name = m.group("name")
            if (name.lower() in _NOT_NAMES or overlaps(start, end, matched)
                    or overlaps(start, end, blocked) or any(s.start == start for s in found)):
                continue
            found.append(Span(start, end, name))
    return sorted(found, key=lambda s: s.start)
