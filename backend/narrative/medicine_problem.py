"""What went wrong with a medicine, where the narrative states it in numbers: "10 units of insulin instead
of 1" is too much (DrugInvolvementFactors 1), "2.5mg instead of 5mg" too little (2). Only an explicit
comparison of two amounts counts; the reporter confirms it with the rest of what was read."""

from __future__ import annotations

import re

from backend.narrative.spans import Found, Span, overlaps

TOO_MUCH, TOO_LITTLE = "1", "2"
_AMOUNT = r"(\d+(?:\.\d+)?)\s*(?:units?|iu|mg|mcg|micrograms?|milligrams?|ml|mls|g|grams?|tablets?|tabs?|puffs?|doses?)?"
# "<amount> [of <up to three words>] instead of [the] <amount>"; "<amount> rather than <amount>".
_COMPARED = re.compile(rf"\b{_AMOUNT}(?:\s+of\s+(?:[a-z-]+\s+){{0,2}}[a-z-]+)?\s+(?:instead of|rather than)\s+(?:the\s+)?"
                       rf"(?:prescribed\s+|intended\s+|usual\s+)?{_AMOUNT}", re.I)


def find_medicine_problem(text: str, blocked: list[tuple[int, int]]) -> Found[str] | None:
    for m in _COMPARED.finditer(text):
        if overlaps(m.start(), m.end(), blocked):
            continue
        given, meant = float(m.group(1)), float(m.group(2))
        if given == meant:
            continue
        return Found(TOO_MUCH if given > meant else TOO_LITTLE, 0.8, Span(m.start(), m.end(), m.group(0)))
    return None
