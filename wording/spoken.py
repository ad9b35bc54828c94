"""Values (the reporter's answers, choice labels, reference numbers) made fit to be heard: dates as
dates, ranges as ranges, references letter by letter. Applied to values only, never to the wording."""

from __future__ import annotations

import re
from datetime import date

ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
UK_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
RANGE = re.compile(r"\b(\d+)-(\d+)\b")  # "0-14 days" is "0 to 14 days", not "0 minus 14"


def _date(m: re.Match, day_first: bool = False) -> str:
    y, a, b = (int(m.group(3)), int(m.group(2)), int(m.group(1))) if day_first else map(int, m.groups())
    try:
        return date(y, a, b).strftime("%-d %B %Y")
    except ValueError:
        return m.group(0)


def value(text: str) -> str:
    text = ISO_DATE.sub(_date, str(text))
    text = UK_DATE.sub(lambda m: _date(m, day_first=True), text)
    return RANGE.sub(r"\1 to \2", text).lstrip("•-* ").strip()


def spell(reference: str) -> str:
    """PSE-2026-000123 read as letters and digits, so it can be written down."""
    return ", ".join(" ".join(part) for part in reference.split("-"))


def digits(code: str) -> str:
    """'1 2 3 4, 5 6 7 8, 9 0 1 2': a code digit by digit, in groups of four."""
    return ", ".join(" ".join(code[i : i + 4]) for i in range(0, len(code), 4))
