"""When it happened: date and time mentions found by patterns, resolved by dateparser against the moment
of reporting in Europe/London, day first as in the UK ("3/4" is 3 April).

Only spans that look like dates are handed to dateparser (searching the whole text would turn "ward 7"
or "10 units" into dates), and a date is never in the future: "3/4" said in March is last April.

Rules for an event just reported (UK usage):
- Day first: "3/11" is 3 November. Without a year, the most recent such date that is not in the future;
  a date more than MAX_AGE_DAYS before the report is not suggested (a typo or another event).
- A weekday is the most recent such day ("Friday" said on a Thursday is six days ago); "last Tuesday"
  said on a Tuesday is a week ago.
- The first date mentioned is the event's ("sent home on Friday night ... operation on Monday"), unless
  it follows "admitted", "since", "born" or "from" (background) or "by", "until" or "till" (a bound on how
  long it went on) and another date is mentioned. Background beats a bound when nothing else is left.
- A date after "found", "picked up", "noticed" (and the like) is when it came to light: another date is the
  event's; with none but a vaguer earlier time ("in October", "weeks ago"), no date is suggested.
- Today's weekday with a part of the day that has begun is today ("Monday morning" said on Monday).
- The night-shift rule: a night is dated by the day it begins. "Last night", "overnight", "Friday night",
  "Saturday night shift" without a time are that evening's date (yesterday, Friday, Saturday). When a
  time in the small hours (00:00-07:59) is also given, the event is on the calendar day that follows:
  "Friday night shift, at 02:30" is Saturday. A small-hours time with no date ("at 03:40", "in the early
  hours") is today's if that time has passed, else yesterday's; "at 04:10 today" is today. A daytime
  time alone ("given at 0900") dates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import dateparser

from backend.narrative.spans import Found, Span, overlaps

LONDON = ZoneInfo("Europe/London")
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_DAY_ABBR = r"(?:mon|tues?|weds?|thu(?:rs?)?|fri|sat|sun)"  # only in a night's pair ("Tue into Wed")
_COUNT = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
_UNITS = "first second third fourth fifth sixth seventh eighth ninth".split()
_ORDINAL_WORDS = {w: n for n, w in enumerate(
    [*_UNITS, *"tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
     "twentieth".split()], start=1)} | {f"twenty {w}": 21 + i for i, w in enumerate(_UNITS)} | {
    "thirtieth": 30, "thirty first": 31}
_ORDINAL_WORD = "(?:" + "|".join(w.replace(" ", "[- ]?") for w in sorted(_ORDINAL_WORDS, key=len, reverse=True)) + ")"
_RECURRING = r"(?<!every )(?<!each )(?<!most )"  # "every Sunday evening" is not a date
_FILLERS = r"(?:,?\s+(?:er|erm|um|uh|like)\b,?)*"  # transcribed speech: "on, er, the 5th"
_NOT_A_DAY_AFTER = (r"(?!\s+(?:floor|time|times|dose|doses|attempt|go|visit|occasion|one|night|nights|day|days|week|weeks"
                    r"|morning|afternoon|evening|shift|round|try|of the (?:month|day))\b)")  # "on the second night"


@dataclass(frozen=True)
class DatePattern:
    regex: re.Pattern
    confidence: float
    parse_as: str | None = None  # what dateparser reads, where it does not know the phrase itself
    night: bool = False  # names a night, dated by the evening it begins


def _p(pattern: str, confidence: float, parse_as: str | None = None, night: bool = False) -> DatePattern:
    return DatePattern(re.compile(pattern, re.I), confidence, parse_as, night)


# Where patterns overlap, the longest match wins. A group named "d" is the date itself ("on 3/4" -> "3/4").
DATE_PATTERNS = (
    _p(r"\b(?:the\s+)?day before yesterday\b", 0.9),
    _p(r"\byesterday\b", 0.95),
    _p(r"\b(?:yday|yest|ystday)\b", 0.85, "yesterday"),  # as texted
    _p(r"\blast (?:night|nite)\b|\bovernight\b", 0.7, "yesterday", True),
    # "overnight on Tuesday", "Tuesday overnight": that weekday's night
    _p(rf"\bovernight\s+(?:on\s+)?(?:the\s+)?(?P<d>{_WEEKDAY})\b", 0.8, None, True),
    _p(rf"\b(?:on\s+)?(?P<d>{_WEEKDAY})\s+overnight\b", 0.8, None, True),
    _p(r"\btwo nights ago\b", 0.7, "2 days ago", True),
    # a night named by its date: "overnight on the 21st", "the night of the 19th", "overnight 24/25 Oct"
    _p(rf"\b(?:overnight|(?:the\s+)?night(?:\s+shift)?)\s+(?:of\s+|on\s+)?(?:the\s+)?(?P<d>\d{{1,2}}(?:st|nd|rd|th)"
       rf"(?:\s+(?:of\s+)?{_MONTH})?|\d{{1,2}}\s+(?:of\s+)?{_MONTH}|\d{{1,2}}/\d{{1,2}}(?:\s+{_MONTH})?)\b", 0.8, None, True),
    _p(r"\b(?:in|during) the (?:early|small) hours of this morning\b", 0.85, "today"),
    _p(rf"\b(?:on\s+)?(?:the\s+)?(?P<d>{_WEEKDAY}|{_DAY_ABBR})(?:'s)?\s+(?:night|nights|night shift|nightshift|nite|nites|late)\b", 0.8, None, True),
    _p(rf"\b{_RECURRING}(?:on\s+)?(?P<d>{_WEEKDAY})\s+(?P<part>morning|afternoon|evening)\b", 0.8),
    _p(rf"\bnight shift\s+(?:on\s+)?(?P<d>{_WEEKDAY})\b", 0.8, None, True),
    _p(rf"\b(?P<d>{_WEEKDAY}|{_DAY_ABBR})\s*(?:into|to|/|-)\s*(?:{_WEEKDAY}|{_DAY_ABBR})\b(?:\s+nights?)?", 0.8, None, True),
    _p(rf"\b(?:in|during) the (?:early|small) hours of (?:the )?(?P<d>{_WEEKDAY}|today|yesterday)\b", 0.85),
    _p(r"\b(?:in|during) the (?:early|small) hours\b", 0.75, "today"),
    _p(rf"\b(?:on\s+)?{_WEEKDAY},?\s+(?:the\s+)?(?P<d>{_ORD}\s+(?:of\s+)?{_MONTH})\b", 0.9),
    _p(rf"\b(?P<d>\d{{1,2}})/\d{{1,2}}\s+(?:{_MONTH})\b", 0.8, None, True),
    _p(r"(?<![/\d])(?<!score )(?<!sats )(?P<d>\b(?:[12]\d|3[01]|0?[1-9])/(?:1[0-2]|0?[1-9]))\b(?![/\d%])", 0.7),
    _p(r"\b(?:earlier\s+)?today\b|\bthis (?:morning|afternoon|evening|lunchtime|lunch time)\b|\btonight\b", 0.9, "today"),
    _p(rf"\b(?:last|this past)\s+{_WEEKDAY}\b", 0.85),
    _p(rf"\b{_RECURRING}(?:on\s+)?(?P<d>{_WEEKDAY})\b", 0.75),
    _p(rf"\b{_RECURRING}(?P<d>{_DAY_ABBR})\s+(?P<part>morning|afternoon|evening)\b", 0.75),  # "wed morning"
    _p(r"\b(?<!every )(?P<d>tues?|weds|thu(?:rs?)?)\b(?!\s*(?:into|to|/|-))", 0.65),  # abbreviations no word shares
    _p(rf"\bon\s+(?P<d>{_DAY_ABBR})\b(?!\s*(?:into|to|/|-)\s*(?:{_WEEKDAY}|{_DAY_ABBR})\b)", 0.7),  # "on Sat", as texted
    _p(r"\ba couple of days ago\b", 0.6, "2 days ago"),
    _p(rf"\b{_COUNT}\s+days?\s+ago\b", 0.8),
    _p(r"\b(?P<d>\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))\b(?!/)", 0.9),
    _p(r"\b(?P<d>\d{1,2}[.-]\d{1,2}[.-](?:\d{4}|\d{2}))\b(?![.-]?\d)", 0.85),
    _p(r"\bon\s+(?:the\s+)?(?P<d>\d{1,2}/\d{1,2})\b(?![/\d])", 0.85),
    _p(rf"\b(?P<d>{_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?)\b", 0.9),
    _p(rf"\b(?P<d>{_MONTH}\s+{_ORD}(?:,?\s+\d{{4}})?)\b", 0.9),
    _p(rf"\bon{_FILLERS}(?: the)? (?P<d>\d{{1,2}}(?:st|nd|rd|th))\b(?!\s+(?:of\s+)?{_MONTH}\b){_NOT_A_DAY_AFTER}", 0.7),  # "on the 2nd april": the month pattern
    _p(rf"\bon{_FILLERS} the (?P<d>{_ORDINAL_WORD})\b(?!\s+(?:of\s+)?{_MONTH}\b){_NOT_A_DAY_AFTER}", 0.65),  # "on the fifth"
    _p(r"\bchristmas day\b", 0.8, "25 December"),
    _p(r"\bboxing day\b", 0.8, "26 December"),
    _p(r"\bnew year'?s day\b", 0.8, "1 January"),
    # a texted day after a clock time ("at 2210 Sat", "approx 2130 Fri")
    _p(rf"(?<=\d{{4}} )(?P<d>{_DAY_ABBR})\b(?!\s*(?:into|to|/|-)\s*(?:{_WEEKDAY}|{_DAY_ABBR})\b)", 0.7),
    # a capitalised day as staff shorthand ("INR clinic Fri", "given Sat and Sun"): case matters, as "sat" is a verb
    DatePattern(re.compile(r"(?<![.!?] )(?<!^)\b(?P<d>Mon|Fri|Sat|Sun)\b"
                           rf"(?!\s*(?:into|to|/|-)\s*(?:{_WEEKDAY}|{_DAY_ABBR})\b)"
                           r"(?!\s+(?:down|in|on|with|at|by|there|for|up|next|beside|outside|waiting|ward|unit|room|lounge|cream)\b)"), 0.6),
)
_HAS_MONTH = re.compile(rf"/|[.-]\d|\b{_MONTH}\b", re.I)
_TWO_DIGIT_YEAR = re.compile(r"(?<=[/.-])(\d{2})$")

_TIME_PATTERNS = (
    (re.compile(r"\b(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>a\.?m\b\.?|p\.?m\b\.?)", re.I), 0.9),
    (re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b(?!:)"), 0.85),
    (re.compile(
        r"\b(?:at|around|about|approx(?:imately)?)\s+(?P<h>[01]\d|2[0-3]|[1-9](?=[.:]))[.:]?(?P<m>[0-5]\d)"
        r"(?:\s*(?:hrs|hours|h)\b)?(?![.\d])(?!\s*[ap]\.?m\b)",  # "about 4.30pm": the am/pm pattern reads it
        re.I,
    ), 0.8),
    (re.compile(r"\b(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s*(?:hrs|hours|h)\b", re.I), 0.85),
    (re.compile(r"\b(?:until|till|from|by|since|between|and again|again at)\s+(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\b(?![.\d])", re.I), 0.7),
    # a routine named by its time: "at the 0400 obs", "her 0730 call", "the 2200 meds round"
    (re.compile(r"\b(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s+(?:obs|call|visit|round|drug round|meds round|med round|"
                r"feed|check|checks|dose|medication|meds|insulin|bloods|review)\b", re.I), 0.75),
    (re.compile(r"\b(?:arrived|called|rang|phoned|attended|collapsed|fell|found|seen|started|noticed)\s+(?:at\s+)?"
                r"(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\b(?![.,]?\d)", re.I), 0.7),
    (re.compile(r"(?<=[,;] )(?!20[0-3]\d)(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?=:)"), 0.7),  # "Neonatal unit, 0540: ..."
    (re.compile(r"\b(?:midday|noon)\b", re.I), 0.8),
    (re.compile(r"\bmidnight\b", re.I), 0.8),
)


def local_now(reported_at: datetime | None) -> datetime:
    """The moment of reporting as London wall-clock time (naive). A naive reported_at is London time."""
    if reported_at is None:
        return datetime.now(LONDON).replace(tzinfo=None)
    if reported_at.tzinfo is None:
        return reported_at
    return reported_at.astimezone(LONDON).replace(tzinfo=None)


# A date pattern, or a time pattern (its regex and confidence).
P = TypeVar("P", "DatePattern", tuple[re.Pattern[str], float])


def _spans(text: str, patterns: Sequence[P], blocked: list[tuple[int, int]]) -> list[tuple[Span, P, re.Match]]:
    found: list[tuple[Span, P, re.Match]] = []
    for spec in patterns:
        regex = spec.regex if isinstance(spec, DatePattern) else spec[0]
        for m in regex.finditer(text):
            start, end = m.span("d") if "d" in regex.groupindex else m.span()
            found.append((Span(start, end, text[start:end]), spec, m))
    found.sort(key=lambda f: (f[2].start(), -(f[2].end() - f[2].start())))
    kept: list[tuple[Span, P, re.Match]] = []
    for item in found:
        m = item[2]
        if not overlaps(m.start(), m.end(), [k[2].span() for k in kept]) \
                and not overlaps(item[0].start, item[0].end, blocked):
            kept.append(item)
    return kept


def _expand_year(text: str, today: date) -> str:
    # dateparser's "prefer the past" turns "3/4/26" into 1926; a two-digit year is this century unless ahead.
    def century(m: re.Match) -> str:
        yy = int(m.group(1))
        return str(2000 + yy if 2000 + yy <= today.year else 1900 + yy)

    return _TWO_DIGIT_YEAR.sub(century, text)


MAX_AGE_DAYS = 3 * 365  # older than this is not the event being reported now
_DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_NIGHT_PAIR = re.compile(r"^(\d{1,2})/\d{1,2}(\s+)")  # "14/15 March": the night of the 14th
_SMALL_HOURS = ("00:00", "08:00")
_NOT_EVENT = re.compile(r"\b(?:admitted|since|born|from|went (?:in|into|to) (?:the )?(?:hospital|hosp)|went in|taken in)"
                        r"\s+(?:on\s+)?(?:the\s+)?$", re.I)
# A date after "by" or "until" bounds how long something lasted ("unable to swallow by Monday", "nobody rang
# until Monday"); the event is the other date.
_BOUND = re.compile(r"\b(?:by|until|till|til|up to)\s+(?:the\s+)?$", re.I)
# A date after "found", "picked up", "noticed"... is when it came to light, not when it happened ("filed in
# October, picked up today"); with an earlier time said only vaguely (a month, weeks ago) the day is not
# determinable.
_FOUND = re.compile(r"\b(?:found|picked up|noticed|spotted|discovered|identified|realised|realized|came to light|"
                    r"flagged(?: up)?)\b(?:\s+\w+){0,3}\s+$", re.I)
_VAGUE_EARLIER = re.compile(rf"\b(?:in|during|since|back in|early|mid|late|end of|start of|beginning of)\s+"
                            rf"(?:{_MONTH})\b|\b(?:weeks|months) ago\b|\blast (?:month|year)\b", re.I)
# A reporter correcting themselves ("Tuesday last week, no sorry Wednesday", "the 3rd, I mean the 4th"): the
# date said after the correction replaces the one just before it.
_CORRECTION = re.compile(r"\b(?:no,? sorry|sorry,? no|no wait|i mean|i meant|or rather|no,? it was|actually it was)\b,?", re.I)
CORRECTION_REACH = 40  # characters either side of the correction
_FULL_DAY = {a: d for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
             for a in (d[:3], d[:4], d[:5])} | {"weds": "wednesday"}
_PART_BEGINS = {"morning": "06:00", "afternoon": "12:00", "evening": "17:00"}


def _day_month(text: str, today: date) -> date | None:
    """"3/11" without a year: the most recent 3 November that is not in the future."""
    m = _DAY_MONTH.match(text)
    if m is None:
        return None
    day, month = int(m.group(1)), int(m.group(2))
    for year in (today.year, today.year - 1):
        try:
            value = date(year, month, day)
        except ValueError:
            return None
        if value <= today:
            return value
    return None


def _resolve(span: Span, spec: DatePattern, m: re.Match, now: datetime) -> date | None:
    if spec.parse_as is None and _DAY_MONTH.match(span.text):
        return _day_month(span.text, now.date())
    if "part" in m.re.groupindex and _FULL_DAY.get(m.group("d").lower(), m.group("d").lower()) == now.strftime("%A").lower() \
            and now.strftime("%H:%M") >= _PART_BEGINS[m.group("part").lower()]:
        return now.date()  # "Monday morning" said on Monday once the morning has begun: today
    phrase = spec.parse_as or _expand_year(_NIGHT_PAIR.sub(r"\1\2", span.text), now.date())
    phrase = _FULL_DAY.get(phrase.lower(), phrase)  # dateparser does not know "thurs"
    ordinal = re.sub(r"[- ]+", " ", phrase.lower())
    if ordinal in _ORDINAL_WORDS:
        phrase = f"{_ORDINAL_WORDS[ordinal]}th"  # "the fifth" -> "5th"; dateparser reads digits
    settings = {"PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY", "RELATIVE_BASE": now}
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
    if parsed is None:
        return None
    value = parsed.date()
    if value > now.date() and not _HAS_MONTH.search(span.text):
        value = _previous_month(value)  # "on the 25th" said on the 19th: last month's
    if value is None or value > now.date() or (now.date() - value).days > MAX_AGE_DAYS:
        return None
    return value


def _previous_month(value: date) -> date | None:
    first = value.replace(day=1) - timedelta(days=1)
    try:
        return first.replace(day=value.day)
    except ValueError:
        return None


def find_date(text: str, now: datetime, blocked: list[tuple[int, int]]) -> Found[date] | None:
    """The event's date (a `date`) by the rules in this module's docstring, if the text makes it determinable."""
    resolved: list[tuple[Found[date], DatePattern, re.Match]] = []
    for span, spec, m in _spans(text, DATE_PATTERNS, blocked):
        value = _resolve(span, spec, m, now)
        if value is not None:
            resolved.append((Found(value, spec.confidence, span), spec, m))
    clock = find_time(text, blocked)
    small_hours = clock is not None and _SMALL_HOURS[0] <= clock.value < _SMALL_HOURS[1]
    if not resolved:
        # A small-hours time alone is the most recent such moment: today's once passed, else last night's.
        # A daytime time alone dates nothing: coders read "given at 0900" or "the 8am meds" as any day (23 of
        # the 29 such training messages say no date).
        if clock is None or not small_hours:
            return None
        if clock.value <= now.strftime("%H:%M"):
            return Found(now.date(), 0.6, clock.span)
        return Found(now.date() - timedelta(days=1), 0.6, clock.span)
    resolved = _corrected(text, resolved)
    found_then = [r for r in resolved if _FOUND.search(text[: r[2].start()])]
    events = [r for r in resolved if not (_NOT_EVENT.search(text[: r[2].start()]) or _BOUND.search(text[: r[2].start()]))
              and r not in found_then]
    if not events and found_then and _VAGUE_EARLIER.search(text):
        return None  # it happened at a vaguer, earlier time than the day it was found
    events = events or [r for r in resolved if not _BOUND.search(text[: r[2].start()])] or resolved
    best, spec, _ = events[0]
    if spec.night and small_hours:  # the night-shift rule: small hours belong to the next calendar day
        later = best.value + timedelta(days=1)
        if later <= now.date():
            best = Found(later, best.confidence, best.span)
    if len({r[0].value for r in resolved}) > 1:
        best = Found(best.value, min(best.confidence, 0.6), best.span)  # several dates: less sure
    return best


def _corrected(text: str, resolved: list[tuple[Found[date], DatePattern, re.Match]]
               ) -> list[tuple[Found[date], DatePattern, re.Match]]:
    """The dates left once each date said just before a correction gives way to one said just after it."""
    replaced = set()
    for fix in _CORRECTION.finditer(text):
        before = [i for i, r in enumerate(resolved) if 0 <= fix.start() - r[2].end() <= CORRECTION_REACH]
        after = [r for r in resolved if 0 <= r[2].start() - fix.end() <= CORRECTION_REACH]
        if before and after:
            replaced.update(before)
    return [r for i, r in enumerate(resolved) if i not in replaced]


def find_time(text: str, blocked: list[tuple[int, int]]) -> Found[str] | None:
    """The first clock time stated, as HH:MM (24-hour)."""
    for span, (_regex, confidence), m in _spans(text, _TIME_PATTERNS, blocked):
        return Found(_clock(m), confidence, span)
    return None


def _clock(m: re.Match) -> str:
    if "h" not in m.re.groupindex:
        return "00:00" if m.group(0).lower() == "midnight" else "12:00"
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    ampm = (m.groupdict().get("ap") or "").lower()[:1]
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"
