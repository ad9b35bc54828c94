"""Turns a reporter's reply into a value for the backend question being asked.

Returns Interpretation(value=...) or (skip=True), or (problem=...) with a short reason to re-ask.
Choices are matched by number ("2", "1 and 3"), by label or code, and by a close misspelling.
Dates and times go through the backend's narrative analysis, the same parser the web form uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from typing import Any
from zoneinfo import ZoneInfo

YES = {"yes", "y", "yeah", "yep", "yup", "correct", "true", "right", "ok", "okay", "sure"}
NO = {"no", "n", "nope", "nah", "false", "wrong"}
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
            "5th": 4, "last": -1}
DMY_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
TIME_RE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.I)


def yes_or_no(text: str, intent: str | None) -> bool | None:
    """A yes or a no, by intent, first word, or the number of a Yes/No button; None for anything else."""
    t = _norm(text)
    first = {"1": "yes", "2": "no"}.get(t, t.split(" ")[0] if t else "")
    if intent == "affirm" or first in YES:
        return True
    if intent == "deny" or first in NO:
        return False
    return None


@dataclass
class Interpretation:
    value: Any = None
    skip: bool = False
    problem: str | None = None


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).strip()


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, _norm(a), _norm(b)).ratio()


def match_choice(text: str, choices: list[dict[str, Any]]) -> dict[str, Any] | None:
    t = _norm(text)
    if not t:
        return None
    if t.isdigit() and 1 <= int(t) <= len(choices):
        return choices[int(t) - 1]
    placed = [ORDINALS[w] for w in t.split() if w in ORDINALS]  # "the second one", "the last"
    if len(placed) == 1 and -len(choices) <= placed[0] < len(choices) and len(t.split()) <= 4:
        return choices[placed[0]]
    for c in choices:
        if t in (_norm(c["label"]), _norm(str(c["code"]))):
            return c
    scored = sorted(((_similar(t, c["label"]), i) for i, c in enumerate(choices)), reverse=True)
    if scored and scored[0][0] >= 0.8 and (len(scored) == 1 or scored[0][0] - scored[1][0] > 0.05):
        return choices[scored[0][1]]
    # A reply that is the distinctive start of one label ("moderate" for "Moderate physical harm").
    starts = [c for c in choices if _norm(c["label"]).startswith(t) and len(t) >= 3]
    contains = [c for c in choices if re.search(rf"\b{re.escape(t)}\b", _norm(c["label"])) and len(t) >= 2]
    tokens = set(t.split())
    subset = [c for c in choices if len(t) >= 3 and tokens <= set(_norm(c["label"]).split())]
    for found in (starts, contains, subset):
        if len(found) == 1:
            return found[0]
    return None


def _many(text: str, choices: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    whole = match_choice(text, choices)
    if whole:
        return [whole]
    parts = [p for p in re.split(r"\s*(?:,|;|\band\b|&|\+|/)\s*", text) if p.strip()]
    found = [match_choice(p, choices) for p in parts]
    return [f for f in found if f] if found and all(found) else None


def parse_time(text: str) -> str | None:
    m = TIME_RE.match(text.strip().replace(" o'clock", ""))
    if not m:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or (not half and not m.group(2)):
        return None
    return f"{hour:02d}:{minute:02d}"


def parse_simple_date(text: str, today: date) -> str | None:
    """The common forms without a round trip; anything else goes to the backend's date parser."""
    t = _norm(text)
    if t == "today":
        return today.isoformat()
    if t == "yesterday":
        return (today - timedelta(days=1)).isoformat()
    m = DMY_RE.match(text.strip())
    if m:  # UK order: day first
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if year < 100 else 0
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    return None


def interpret(question: dict[str, Any], text: str, intent: str | None) -> Interpretation:
    """Everything that needs no backend call; dates and organisations are finished by the caller."""
    qtype, choices = question["type"], question.get("choices") or []
    lowered = _norm(text)
    # A reply naming a choice is that choice, whatever the intent ("None of the above" is no skip).
    if choices and qtype != "boolean":
        one = match_choice(text, choices)
        picked = _many(text, choices) if question.get("multiple") else ([one] if one else None)
        if picked:
            codes = list(dict.fromkeys(c["code"] for c in picked))
            return Interpretation(value=codes if question.get("multiple") else codes[0])
    if intent == "skip" or lowered in ("skip", "pass", "skip it", "next"):
        if question.get("mandatory"):
            unknown = question.get("unknown_code")
            if unknown:
                return Interpretation(value=[unknown] if question.get("multiple") else unknown)
            return Interpretation(problem="I need an answer to this one before the report can be sent.")
        return Interpretation(skip=True)
    if intent == "dont_know" or lowered in ("i don't know", "dont know", "don't know", "not sure", "unknown"):
        unknown = question.get("unknown_code")
        if unknown:
            return Interpretation(value=[unknown] if question.get("multiple") else unknown)
        if not question.get("mandatory"):
            return Interpretation(skip=True)
    if qtype == "boolean":
        said = yes_or_no(text, intent)
        return Interpretation(problem="Please answer yes or no.") if said is None else Interpretation(value=said)
    if choices:
        if intent in ("affirm", "deny") and not question.get("multiple"):
            yes_no = match_choice("yes" if intent == "affirm" else "no", choices)
            if yes_no:
                return Interpretation(value=yes_no["code"])
        return Interpretation(problem="Sorry, I didn't catch which one. You can reply with the number.")
    if qtype == "integer":
        token = lowered.split(" ")[0] if lowered else ""
        number = int(token) if token.isdigit() else NUMBER_WORDS.get(token)
        if number is None:
            return Interpretation(problem="Please give a number, like 1 or 2.")
        return Interpretation(value=number)
    if qtype == "time":
        parsed = parse_time(text)
        return Interpretation(value=parsed) if parsed else Interpretation(problem="Sorry, I didn't catch the time.")
    if qtype == "date":
        parsed = parse_simple_date(text, datetime.now(ZoneInfo("Europe/London")).date())
        return Interpretation(value=parsed) if parsed else Interpretation()
    if qtype == "string":
        if not text:
            return Interpretation(problem="Please type your answer.")
        return Interpretation(value=[text] if question.get("multiple") else text)
    return Interpretation()  # date and searched lists: the caller asks the backend
