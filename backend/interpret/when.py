"""Dates and times as people say them in a reply, approximate ones included: "mid september i think",
"saturday night", "about 10pm with the supper dose", "between 9 and 11". Exact forms go through the
narrative analysis' own date and time finders, so a reply and a description are read the same way."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from backend.narrative import dates

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
_MONTH_RE = re.compile(r"\b(?:(early|mid|middle of|late|end of|beginning of|start of)\s+)?(?:in\s+)?"
                       r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b")
_PART = {"early": 5, "beginning of": 5, "start of": 5, "mid": 15, "middle of": 15, "late": 25, "end of": 25}
_BETWEEN = re.compile(r"\bbetween\s+(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s+(?:and|&|-)\s+(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")
_HOUR_OF_DAY = re.compile(r"\b(?:about|around|at|roughly|approx\w*)?\s*(\d{1,2})(?:[:.](\d{2}))?\s*"
                          r"(?:o'?clock)?\s*(in the morning|in the afternoon|in the evening|at night|tonight)\b")
_BARE = re.compile(r"^(?:about|around|at|roughly|approx\w*)?\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:o'?clock|ish)?$")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "couple of": 2,
                 **{str(n): n for n in range(1, 53)}}
_WEEKS_AGO = re.compile(r"\b(?:(\d{1,2}|a|an|one|two|three|four|five|six|couple of)\s+weeks?\s+ago|last\s+week|"
                        r"a fortnight ago)\b")
_WORDS = {"midnight": "00:00", "midday": "12:00", "noon": "12:00", "lunchtime": "12:30", "teatime": "17:00"}


def _clock(hour: int, minute: int, half: str | None) -> tuple[int, int]:
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    return hour, minute


def time_of(text: str) -> tuple[str, bool] | None:
    """(HH:MM, approximate) or None. A range is its middle; a bare hour ("10") is not a time."""
    m = _BETWEEN.search(text)
    if m:
        h1, m1 = _clock(int(m.group(1)), int(m.group(2) or 0), m.group(3) or m.group(6))
        h2, m2 = _clock(int(m.group(4)), int(m.group(5) or 0), m.group(6))
        if h2 < h1 and not m.group(6):
            h2 += 12
        middle = ((h1 * 60 + m1) + (h2 * 60 + m2)) // 2
        if 0 <= middle < 24 * 60:
            return f"{middle // 60:02d}:{middle % 60:02d}", True
    m = _HOUR_OF_DAY.search(text)
    if m:
        half = "am" if "morning" in m.group(3) else "pm"
        hour, minute = _clock(int(m.group(1)), int(m.group(2) or 0), half)
        if hour < 24 and minute < 60:
            return f"{hour:02d}:{minute:02d}", True
    found = dates.find_time(text, [])
    if found:
        return found.value, False
    m = re.fullmatch(r"([01]\d|2[0-3])([0-5]\d)", text.strip())  # "0200": a 24-hour clock
    if m:
        return f"{m.group(1)}:{m.group(2)}", False
    m = _BARE.match(text.strip())
    if m and m.group(2):  # "10.30" without am/pm: a 24-hour clock
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            return f"{hour:02d}:{minute:02d}", False
    for word, value in _WORDS.items():
        if re.search(rf"\b{word}\b", text):
            return value, True
    return None


def date_of(text: str, now: datetime) -> tuple[date, bool] | None:
    """(date, approximate) or None; never in the future. A month alone is its middle."""
    found = dates.find_date(text, now, [])
    if found:
        return found.value, found.confidence < 0.8
    m = re.search(r"\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b", text)
    if m:  # "the 20th": that day this month, or last month if it is still to come
        this_month = now.date().replace(day=1)
        last_month = (this_month - timedelta(days=1)).replace(day=1)
        for month in (this_month, last_month):
            try:
                candidate = month.replace(day=int(m.group(1)))
            except ValueError:
                continue
            if candidate <= now.date():
                return candidate, False
    m = _MONTH_RE.search(text)
    if m:
        month_number = next(i for i, name in enumerate(MONTHS, 1) if name.startswith(m.group(2)))
        day = _PART.get(m.group(1) or "mid", 15)
        year = now.year if month_number <= now.month else now.year - 1
        value = date(year, month_number, day)
        if value > now.date():
            value = now.date()
        return value, True
    # Weeks back, which the narrative analysis leaves undated in a first message (too vague to place an
    # event), are a fair answer to "roughly when?": the day that many weeks ago, approximate.
    m = _WEEKS_AGO.search(text)
    if m:
        count = _NUMBER_WORDS.get(m.group(1), None) if m.group(1) else None
        weeks = 2 if m.group(0).startswith("a fortnight") else count if count is not None else 1
        return now.date() - timedelta(weeks=weeks), True
    if re.search(r"\blast weekend\b", text):
        saturday = now.date() - timedelta(days=(now.weekday() - 5) % 7 or 7)
        return saturday, True
    if re.search(r"\blast month\b", text):
        first = now.date().replace(day=1) - timedelta(days=1)
        return first.replace(day=15), True
    return None
