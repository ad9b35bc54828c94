"""A patient's age as people say it: "an 84 year old lady", "6 week old baby", "my dad who is 91", "3yo"
in a narrative; "shes 84", "72", "about 80", "in her 70s" in reply to the age question.

An exact age ("84", "6 weeks") is kept as LFPSE's AgeAtTimeOfIncidentDays. An approximate one ("about 80",
"80ish") or a span ("in his 70s") is no exact age: only its band (AgeBracket, defined by LFPSE as the
estimated age when the exact age is unknown), and only when the whole span lies in one band ("in her
60s" spans two: nothing). Never an age from a date of birth: dates are not read here, and a date of
birth is an identifier whose span is blocked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.narrative.dates import Span
from backend.plan import age
from backend.taxonomy import Taxonomy

_UNIT = {"y": "year", "yr": "year", "yrs": "year", "year": "year", "years": "year", "yo": "year", "y/o": "year",
         "month": "month", "months": "month", "mth": "month", "mths": "month", "mo": "month",
         "week": "week", "weeks": "week", "wk": "week", "wks": "week", "day": "day", "days": "day"}
_DECADES = {"teens": 10, "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
            "seventies": 70, "eighties": 80, "nineties": 90}
_UNITS = r"(?P<u>years?|yrs?|months?|mths?|weeks?|wks?|days?)"
_APPROX = r"(?:about|around|roughly|approx(?:imately|\.)?|nearly|almost|maybe|probably|~)"
# Staff and things, not the patient: "a 25 year old nurse", "a 3 day old cannula".
_NOT_PATIENT = re.compile(
    r"^\W*(?:(?:fe)?male\s+)?(?:nurse|doctor|dr|student|colleague|staff|hca|midwife|consultant|registrar|porter|"
    r"paramedic|pharmacist|gp|carer|cannula|line|dressing|wound|catheter|drip|bag|prescription|chart|referral|"
    r"sample|fridge|pump|machine|device|bed|mattress|note|notes|record|letter|order)s?\b", re.I)

# In a narrative the words must say it is an age.
_OLD = re.compile(rf"\b(?P<a>{_APPROX}\s+)?(?P<n>\d{{1,3}})\s*(?P<ish>-?ish)?\s*-?\s*{_UNITS}\s*-?\s*old\b", re.I)
_YO = re.compile(r"\b(?P<n>\d{1,3})\s*(?P<u>yo|y/o|y\.o\.?|yrs? old)(?![a-z])", re.I)
_AGED = re.compile(rf"\baged?\s+(?P<a>{_APPROX}\s+)?(?P<n>\d{{1,3}})(?P<ish>-?ish)?(?:\s*{_UNITS})?\b", re.I)
_RELATIVE = (r"(?:son|daughter|mum|mom|mother|dad|father|nan|nana|gran|granny|grandma|grandad|grandpa|grandson|"
             r"granddaughter|husband|wife|partner|baby|boy|girl|child|kid|brother|sister|aunt|auntie|uncle)")
# "who is 91", "my son is 6", "she's 84": the number said as someone's age, not a measure ("6 foot", "40 weeks pregnant").
_WHO_IS = re.compile(rf"\b(?:who\s+is|who'?s|who\s+was|(?:my|his|her|our|their)\s+{_RELATIVE}\s+(?:is|was)|"
                     rf"(?:he|she)\s+(?:is|was)|(?:he|she)'?s)\s+(?P<a>{_APPROX}\s+)?(?P<n>\d{{1,3}})\b(?!\s*(?:%|am\b|pm\b|[:.]\d|kg|mg|ml|"
                     r"units?|times|minutes|mins|hours|hrs|miles|weeks? pregnant|foot|feet|ft|cm|inches|stone|st\b|lbs?|"
                     r"kilos?|days?|weeks?|months? (?:late|overdue|early)|out of|/))", re.I)
_DECADE = re.compile(r"\bin\s+(?:his|her|their|my|your)\s+(?:(?P<q>early|mid|late)[\s-]*)?"
                     r"(?:(?P<d>[1-9]0)'?s|(?P<w>teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties))\b",
                     re.I)
# In a reply to the age question a bare number is the age ("72"); words around it are allowed.
_REPLY_NUMBER = re.compile(r"(?<![\d:.])(?P<n>\d{1,3})(?![\d:])\s*(?P<ish>-?ish)?\s*(?:-?\s*(?P<u>years?|yrs?|yo|y/o|y|"
                           r"months?|mths?|mo|weeks?|wks?|days?)\b)?", re.I)
_REPLY_DECADE = re.compile(r"(?:\b(?P<q>early|mid|late)[\s-]*)?(?:\b(?P<d>[1-9]0)'?s\b|\b(?P<w>teens|twenties|thirties|"
                           r"forties|fifties|sixties|seventies|eighties|nineties)\b)", re.I)
_REPLY_APPROX = re.compile(rf"\b{_APPROX}\b|~|\bish\b|\d-?ish\b|\bor so\b|\bsomething\b|\bodd\b|\bi think\b|\bguess\b",
                           re.I)


@dataclass(frozen=True)
class AgeSaid:
    span: Span
    days: int | None                 # an exact age, in days
    band: str | None                 # the AgeBracket code: derived from `days`, or from an approximate age
    label: str                       # the age as said back: "84 years", "about 80 years", "70 to 79 years"

    @property
    def exact(self) -> bool:
        return self.days is not None


def _exact(m: re.Match, unit: str, tax: Taxonomy, text: str) -> AgeSaid | None:
    n = int(m.group("n"))
    if not 0 < n <= age.MAX_YEARS or (unit == "year" and n > age.MAX_YEARS):
        return None
    days = age.to_days(n, unit)
    return AgeSaid(Span(m.start(), m.end(), text[m.start():m.end()]), days, age.age_band(days, tax), age.describe(days))


def _approx(m: re.Match, unit: str, tax: Taxonomy, text: str) -> AgeSaid | None:
    n = int(m.group("n"))
    if not 0 < n <= age.MAX_YEARS:
        return None
    days = age.to_days(n, unit)
    band = age.age_band(days, tax)
    if band is None:
        return None
    return AgeSaid(Span(m.start(), m.end(), text[m.start():m.end()]), None, band,
                   f"about {n} {unit}{'' if n == 1 else 's'}")


def _decade(m: re.Match, tax: Taxonomy, text: str) -> AgeSaid | None:
    low = int(m.group("d")) if m.group("d") else _DECADES[m.group("w").lower()]
    if low == 10:
        low = 13 if not m.group("d") else 10  # "in her teens" is 13 to 19
    high = low + 9
    part = (m.group("q") or "").lower()
    low, high = {"early": (low, low + 3), "mid": (low + 3, low + 6), "late": (low + 7, high)}.get(part, (low, high))
    band = age.band_of_years(low, high, tax)
    if band is None:
        return None
    return AgeSaid(Span(m.start(), m.end(), text[m.start():m.end()]), None, band, f"{low} to {high} years")


def _blocked(m: re.Match, blocked: list[tuple[int, int]]) -> bool:
    return any(m.start() < e and s < m.end() for s, e in blocked)


def find_age(text: str, blocked: list[tuple[int, int]], tax: Taxonomy) -> AgeSaid | None:
    """The patient's age in a narrative, or None: none said, a staff member's, or two different ages."""
    found: list[AgeSaid] = []
    for pattern in (_OLD, _YO, _AGED, _WHO_IS):
        for m in pattern.finditer(text):
            if _blocked(m, blocked) or _NOT_PATIENT.match(text[m.end():]):
                continue
            unit = _UNIT.get((m.groupdict().get("u") or "year").lower().replace(".", "").replace(" old", ""), "year")
            approximate = bool(m.groupdict().get("a") or m.groupdict().get("ish"))
            said = (_approx if approximate else _exact)(m, unit, tax, text)
            if said is not None:
                found.append(said)
    for m in _DECADE.finditer(text):
        if not _blocked(m, blocked):
            said = _decade(m, tax, text)
            if said is not None:
                found.append(said)
    if not found:
        return None
    first = min(found, key=lambda a: a.span.start)
    # The same age said twice is one age; two different ages are two people, and which is the patient is unclear.
    if any((a.days, a.band) != (first.days, first.band) for a in found):
        return None
    return first


def read_age(text: str, tax: Taxonomy) -> AgeSaid | None:
    """A reply to "how old was the patient?": an exact age, an approximate one (its band only), or None."""
    t = text.strip().replace("’", "'")
    numbers = list(_REPLY_NUMBER.finditer(t))
    decades = [m for m in _REPLY_DECADE.finditer(t) if m.group("d") or m.group("w")]
    if decades and not any(m.group("u") for m in numbers):
        return _decade(decades[0], tax, t)
    if not numbers:
        return None
    ages = {(int(m.group("n")), _UNIT.get((m.group("u") or "year").lower(), "year")) for m in numbers}
    if len(ages) > 1:
        units = {u for _, u in ages}
        if len(units) != 1:
            return None
        unit = units.pop()
        low, high = min(n for n, _ in ages), max(n for n, _ in ages)  # "84 or 85", "between 80 and 85"
        if unit != "year":
            return None
        band = age.band_of_years(low, high, tax)
        if band is None:
            return None
        return AgeSaid(Span(0, len(t), t), None, band, f"{low} to {high} years")
    m = numbers[0]
    unit = _UNIT.get((m.group("u") or "year").lower(), "year")
    if _REPLY_APPROX.search(t):
        return _approx(m, unit, tax, t)
    return _exact(m, unit, tax, t)
