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


# Between two places that name one spot: "ward 12 bay 4", "bay 4 on ward 12", "bay 4, ward 12".
_JOIN = re.compile(r"\s*(?:,|/|-|on|in|of|at)?\s*", re.I)


def find_unit(text: str, blocked: list[tuple[int, int]]) -> Found[str] | None:
    """The first ward or unit named, as written, with the places right beside it that narrow it down
    ("bay 4 on ward 12"); None when none is."""
    found = [m for m in _PLACE.finditer(text) if not overlaps(m.start(), m.end(), blocked)]
    if not found:
        return None
    start, end = found[0].start(), found[0].end()
    for m in found[1:]:
        if not _JOIN.fullmatch(text[end:m.start()]):
            break
        end = m.end()
    return Found(text[start:end], 0.8, Span(start, end, text[start:end]))
