"""The keyword-rule baseline for the event type: the classifier must beat it on held-out examples to be
used. Also the fallback when it does not, so the rules favour precision: an unclear narrative is an
incident (the plan's default reading), with a low confidence for the reporter to confirm."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT = "incident"

# Cues per event type; a narrative gets the type with the most cue hits, ties going to the earlier type.
CUES: dict[str, tuple[str, ...]] = {
    "good_care": (
        r"thank(s| you)?", r"grateful", r"prais\w*", r"compliment\w*", r"brilliant", r"excellent", r"amazing",
        r"fantastic", r"outstanding", r"well done", r"above and beyond", r"kind(ly|ness)?", r"caring",
        r"great (care|work|catch|example|teamwork)", r"learning from excellence", r"vigilance",
    ),
    "risk": (
        r"could (be|fall|trip|get|give|go|happen|harm|be missed)", r"might", r"risk", r"hazard", r"keeps? \w+ing",
        r"worried (that|something)", r"scared something", r"not safe", r"out of date", r"overdue", r"broken",
        r"not (checked|tested|secured|trained|staffed)", r"always short", r"(is|are) often", r"could be lost",
        r"no access", r"unlocked", r"expired",
    ),
    "poor_outcome": (
        r"unexpected(ly)?", r"unclear (whether|if)", r"not (yet )?(clear|known|sure)", r"don'?t know (why|if|whether)",
        r"do not know (why|if|whether)", r"cause (is )?(unknown|unclear|not)",
        r"(known|recognised) (complication|risk)",
        r"under (review|investigation)", r"investigat(ion|ed)", r"review (pending|underway|requested|awaited)",
        r"post mortem", r"coroner", r"no (obvious|clear) cause", r"(died|death)", r"complication",
    ),
}
_COMPILED = {t: [re.compile(rf"\b{c}\b", re.I) for c in cues] for t, cues in CUES.items()}


@dataclass(frozen=True)
class RuleResult:
    event_type: str
    confidence: float
    cue: tuple[int, int] | None  # the first cue supporting the answer, as character offsets


def classify(text: str) -> RuleResult:
    best: tuple[int, str, tuple[int, int] | None] = (0, DEFAULT, None)
    for event_type, patterns in _COMPILED.items():
        hits = [m for p in patterns for m in p.finditer(text)]
        if len(hits) > best[0]:
            first = min(hits, key=lambda m: m.start())
            best = (len(hits), event_type, (first.start(), first.end()))
    count, event_type, cue = best
    confidence = 0.4 if count == 0 else min(0.5 + 0.1 * count, 0.8)
    return RuleResult(event_type, confidence, cue)
