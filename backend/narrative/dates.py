"""When it happened: date and time mentions found by patterns, resolved by dateparser against the moment
of reporting in Europe/London, day first as in the UK ("3/4" is 3 April).

Only spans that look like dates are handed to dateparser (searching the whole text would turn "ward 7"
or "10 units" into dates), and a date is never in the future: "3/4" said in March is last April.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser

LONDON = ZoneInfo("Europe/London")
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_COUNT = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DatePattern:
    regex: re.Pattern
    confidence: float
    parse_as: str | None = None  # what dateparser reads, where it does not know the phrase itself


def _p(pattern: str, confidence: float, parse_as: str | None = None) -> DatePattern:
    return DatePattern(re.compile(pattern, re.I), confidence, parse_as)


# Where patterns overlap, the longest match wins. A group named "d" is the date itself ("on 3/4" -> "3/4").
DATE_PATTERNS = (
    _p(r"\b(?:the\s+)?day before yesterday\b", 0.9),
    _p(r"\byesterday\b", 0.95),
    _p(r"\blast night\b", 0.6),
    _p(r"\b(?:earlier\s+)?today\b|\bthis (?:morning|afternoon|evening)\b", 0.9, "today"),
    _p(rf"\b(?:last|this past)\s+{_WEEKDAY}\b", 0.85),
    _p(rf"\b(?:on\s+)?(?P<d>{_WEEKDAY})\b", 0.75),
    _p(r"\ba couple of days ago\b", 0.6, "2 days ago"),
    _p(rf"\b{_COUNT}\s+days?\s+ago\b", 0.8),
    _p(rf"\b{_COUNT}\s+weeks?\s+ago\b|\blast week\b", 0.4),
    _p(r"\b(?P<d>\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))\b(?!/)", 0.9),
    _p(r"\b(?P<d>\d{1,2}[.-]\d{1,2}[.-](?:\d{4}|\d{2}))\b(?![.-]?\d)", 0.85),
    _p(r"\bon\s+(?:the\s+)?(?P<d>\d{1,2}/\d{1,2})\b(?![/\d])", 0.85),
    _p(rf"\b(?P<d>{_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?)\b", 0.9),
    _p(rf"\b(?P<d>{_MONTH}\s+{_ORD}(?:,?\s+\d{{4}})?)\b", 0.9),
    _p(r"\bon the (?P<d>\d{1,2}(?:st|nd|rd|th))\b", 0.7),
)
_HAS_MONTH = re.compile(rf"/|[.-]\d|\b{_MONTH}\b", re.I)
_TWO_DIGIT_YEAR = re.compile(r"(?<=[/.-])(\d{2})$")

_TIME_PATTERNS = (
    (re.compile(r"\b(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>a\.?m\b\.?|p\.?m\b\.?)", re.I), 0.9),
    (re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b(?!:)"), 0.85),
    (re.compile(
        r"\b(?:at|around|about|approx(?:imately)?)\s+(?P<h>[01]\d|2[0-3])\.?(?P<m>[0-5]\d)"
        r"(?:\s*(?:hrs|hours|h)\b)?(?![.\d])",
        re.I,
    ), 0.8),
    (re.compile(r"\b(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s*(?:hrs|hours|h)\b", re.I), 0.85),
    (re.compile(r"\b(?:midday|noon)\b", re.I), 0.8),
    (re.compile(r"\bmidnight\b", re.I), 0.8),
)


@dataclass(frozen=True)
class FoundDate:
    span: Span
    value: date
    confidence: float


@dataclass(frozen=True)
class FoundTime:
    span: Span
    value: str  # HH:MM, 24-hour
    confidence: float


def local_now(reported_at: datetime | None) -> datetime:
    """The moment of reporting as London wall-clock time (naive). A naive reported_at is London time."""
    if reported_at is None:
        return datetime.now(LONDON).replace(tzinfo=None)
    if reported_at.tzinfo is None:
        return reported_at
    return reported_at.astimezone(LONDON).replace(tzinfo=None)


def _spans(text: str, patterns, blocked: list[tuple[int, int]]) -> list[tuple[Span, object, re.Match]]:
    found = []
    for spec in patterns:
        regex = spec.regex if isinstance(spec, DatePattern) else spec[0]
        for m in regex.finditer(text):
            start, end = m.span("d") if "d" in regex.groupindex else m.span()
            found.append((Span(start, end, text[start:end]), spec, m))
    found.sort(key=lambda f: (f[2].start(), -(f[2].end() - f[2].start())))
    kept: list[tuple[Span, object, re.Match]] = []
    for item in found:
        m = item[2]
        overlaps = any(m.start() < k[2].end() and k[2].start() < m.end() for k in kept)
        if not overlaps and not any(item[0].start < e and s < item[0].end for s, e in blocked):
            kept.append(item)
    return kept


def _expand_year(text: str, today: date) -> str:
    # dateparser's "prefer the past" turns "3/4/26" into 1926; a two-digit year is this century unless ahead.
    def century(m: re.Match) -> str:
        yy = int(m.group(1))
        return str(2000 + yy if 2000 + yy <= today.year else 1900 + yy)

    return _TWO_DIGIT_YEAR.sub(century, text)


def _resolve(span: Span, spec: DatePattern, now: datetime) -> date | None:
    phrase = spec.parse_as or _expand_year(span.text, now.date())
    settings = {"PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY", "RELATIVE_BASE": now}
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
    if parsed is None:
        return None
    value = parsed.date()
    if value > now.date() and not _HAS_MONTH.search(span.text):
        value = _previous_month(value)  # "on the 25th" said on the 19th: last month's
    if value is None or value > now.date() or value.year < 1900:
        return None
    return value


def _previous_month(value: date) -> date | None:
    first = value.replace(day=1) - timedelta(days=1)
    try:
        return first.replace(day=value.day)
    except ValueError:
        return None


def find_date(text: str, now: datetime, blocked: list[tuple[int, int]]) -> FoundDate | None:
    """The most recent past date mentioned (the event, rather than an earlier admission), if any."""
    resolved = []
    for span, spec, _ in _spans(text, DATE_PATTERNS, blocked):
        value = _resolve(span, spec, now)
        if value is not None:
            resolved.append(FoundDate(span, value, spec.confidence))
    if not resolved:
        return None
    best = max(resolved, key=lambda f: (f.value, -f.span.start))
    if len({f.value for f in resolved}) > 1:
        best = FoundDate(best.span, best.value, min(best.confidence, 0.6))  # several dates: less sure
    return best


def find_time(text: str, blocked: list[tuple[int, int]]) -> FoundTime | None:
    for span, (_regex, confidence), m in _spans(text, _TIME_PATTERNS, blocked):
        return FoundTime(span, _clock(m), confidence)
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
