"""How many patients, where the narrative says so: "two patients", "3 residents", "both babies", "twins".
A single patient is not a stated count ("a patient" is how every report reads): the plan asks."""

from __future__ import annotations

import re

from backend.narrative.spans import Found, Span, overlaps

_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_PEOPLE = r"(?:patients?|pts?|residents?|babies|children|clients|service users|women|people|men)"
_COUNT = re.compile(
    rf"\b(?P<n>\d{{1,2}}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:(?:other|more|of the|different|elderly|"
    rf"\w+ (?:ward|bay|home|unit)) )?(?P<who>{_PEOPLE})\b"
    rf"|\b(?P<both>both) (?:{_PEOPLE}|of them|babies|twins)\b|\b(?P<twins>twins)\b",
    re.I,
)
_OTHER = re.compile(r"\b(?:other|more)\s*$", re.I)  # "2 other pts now positive": in addition to the one
# A number that names a place or a thing, not a count: "ward 7 pt", "bay 3 patients", "bed 12 pt".
_NAMES_A_PLACE = re.compile(r"\b(?:ward|bay|bed|room|side room|theatre|cubicle|pod|unit|floor|level|no\.?|number)\s*$",
                            re.I)
MAX = 50


def find_patient_count(text: str, blocked: list[tuple[int, int]]) -> Found[int] | None:
    best: Found[int] | None = None
    for m in _COUNT.finditer(text):
        if overlaps(m.start(), m.end(), blocked) or (m.group("n") and _NAMES_A_PLACE.search(text[:m.start()])):
            continue
        if m.group("both") or m.group("twins"):
            value = 2
        else:
            raw = m.group("n").lower()
            value = int(raw) if raw.isdigit() else _NUMBERS[raw]
            if "other" in m.group(0).lower().split():
                value += 1
        if not 1 < value <= MAX:
            continue
        found = Found(value, 0.8, Span(m.start(), m.end(), m.group(0)))
        if best is None or found.value > best.value:
            best = found
    return best
