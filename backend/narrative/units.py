"""The ward, bay, room or unit named in a narrative ("ward 7", "bay 3", "resus"), kept in the reporter's own
words as LFPSE's IdentifiedLocationOther: LocationWithinService says only the kind of place ("hospital"),
and without this the ward survived only inside the description."""

from __future__ import annotations

import re

from backend.narrative.spans import Found, Span, overlaps

# A numbered or lettered place ("ward 7", "bay 3b", "bed 12", "side room 2", "theatre 4"), or a named unit.
_NUMBERED = r"\b(?:ward|bay|bed|side room|room|theatre|cubicle|pod)\s+\d{1,3}[a-z]?\b"
_NAMED = (r"\b(?:resus|resuscitation room|majors|minors|labour ward|delivery suite|recovery room|day unit"
          r"|icu|itu|hdu|nicu|picu|scbu|ccu|cdu|amu|sdec|a&e majors)\b")
_PLACE = re.compile(f"{_NUMBERED}|{_NAMED}", re.I)


def find_unit(text: str, blocked: list[tuple[int, int]]) -> Found[str] | None:
    """The first ward or unit named, as written; None when none is."""
    for m in _PLACE.finditer(text):
        if overlaps(m.start(), m.end(), blocked):
            continue
        return Found(m.group(0), 0.8, Span(m.start(), m.end(), m.group(0)))
    return None
