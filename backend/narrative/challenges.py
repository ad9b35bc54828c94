"""The national safety challenges a narrative plainly describes (LFPSE SafetyChallenges): a fall, a pressure
ulcer, self harm. Read so a member of staff who wrote "had a fall" is not asked whether falls applied; shown
with the rest of the first message to confirm. Negated ("no falls", "didn't fall") is not read."""

from __future__ import annotations

import re

from backend.narrative.spans import Found, Span, overlaps

CUES = (  # (code, pattern): codes from the taxonomy's SafetyChallenges value set
    ("2", r"\b(?:fell|had a fall|a fall|falls|unwitnessed fall|found on (?:the )?floor|rolled out of bed|slipped|tripped)"
          r"\b(?! in (?:bp|blood pressure|sats|saturations?|oxygen|hb|haemoglobin|sodium|potassium))"),
    ("1", r"\b(?:pressure (?:ulcers?|sores?|damage|injur(?:y|ies))|bed ?sores?|grade [1-4] (?:sore|ulcer)|"
          r"category [1-4] (?:sore|ulcer|pressure))\b"),
    ("3", r"\b(?:self[- ]?harm(?:ed|ing)?|cut (?:him|her|them)sel(?:f|ves)|ligature|took an overdose|"
          r"tried to (?:kill|hang) (?:him|her|them)sel(?:f|ves))\b"),
)
PATTERNS = [(code, re.compile(p, re.I)) for code, p in CUES]
NEGATED = re.compile(r"\b(?:no|not|never|without|didn'?t|did not|denies|denied|wasn'?t|no sign of|no evidence of)"
                     r"\W+(?:\w+\W+){0,2}$", re.I)


def find_challenges(text: str, blocked: list[tuple[int, int]]) -> Found[list[str]] | None:
    """The challenges described, in taxonomy order; None when none is."""
    codes: list[str] = []
    first: Span | None = None
    for code, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if overlaps(m.start(), m.end(), blocked) or NEGATED.search(text[max(0, m.start() - 40):m.start()]):
                continue
            codes.append(code)
            first = first or Span(m.start(), m.end(), m.group(0))
            break
    if not codes or first is None:
        return None
    return Found(sorted(codes), 0.8, first)
