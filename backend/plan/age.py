"""An age kept as LFPSE keeps it (AgeAtTimeOfIncidentDays, in days) and its age band (AgeBracket), derived.

An age is said in years, months, weeks or days ("84", "6 weeks"). It is stored as the days at that
birthday (365.25 days a year, 30.4375 a month, rounded up), so it reads back as the same age in the
same unit, and no finer than it was said: "84 years" is never shown as a day count. The band is the
first one in the age-brackets list whose upper end the age has not passed, counted in the band's
own unit ("85" is in "66-85 years", as the list puts it first; 29 days, past "15-28 days", is in
"1-11 months")."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from backend.taxonomy import Taxonomy

DAYS_IN = {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}
MAX_YEARS = 130
UNITS = ("year", "month", "week", "day")


def to_days(number: int, unit: str) -> int:
    return math.ceil(number * DAYS_IN[unit])


def completed(days: int, unit: str) -> int:
    """Whole units lived (the age in that unit)."""
    return math.floor(days / DAYS_IN[unit] + 1e-9)


def as_said(days: int) -> tuple[int, str] | None:
    """The age in the largest unit that gives it back exactly (84 years, 6 weeks, else days); None below a day."""
    for unit in UNITS:
        n = completed(days, unit)
        if n >= 1 and to_days(n, unit) == days:
            return n, unit
    return None


def describe(days: int) -> str:
    """'84 years', '6 weeks', '1 month', '10 days'; a day count no unit gives back exactly keeps its days."""
    said = as_said(days)
    n, unit = said if said is not None else (days, "day")
    years = completed(days, "year")
    if unit == "day" and years >= 2:  # a day count (from the web form or the API): its years beside it
        return f"{days} days ({years} years)"
    return f"{n} {unit}{'' if n == 1 else 's'}"


def _bounds(label: str) -> tuple[int | None, str]:
    """A band label's upper end and unit: '66-85 years' (85, year), '16 and 17 years', '85+ years' (None)."""
    words = label.lower()
    unit = next(u for u in ("day", "month", "year") if u in words)
    numbers = [int(n) for n in re.findall(r"\d+", words)]
    return (None if "+" in words else max(numbers)), unit


def band_code(days: int, bands: Sequence[tuple[str, str]]) -> str | None:
    """The band (code, label) holding the age: the first whose upper end it has not passed."""
    for code, label in bands:
        top, unit = _bounds(label)
        if top is None or completed(days, unit) <= top:
            return code
    return None


def bands(tax: Taxonomy) -> list[tuple[str, str]]:
    return [(c.code, c.display) for c in tax.values_required("AgeBracket").codes]


def band_of_years(years_low: int, years_high: int, tax: Taxonomy) -> str | None:
    """The band holding every age from years_low to years_high ('in his 70s'), or None when they span two."""
    found = {band_code(to_days(y, "year"), bands(tax)) for y in range(years_low, years_high + 1)}
    return found.pop() if len(found) == 1 else None


# Derivation rules the plan may name (`derive: {rule: ...}` in question_plan.yaml): source value -> code.
def age_band(days: int, tax: Taxonomy) -> str | None:
    return band_code(days, bands(tax))


RULES = {"age_band": age_band}
