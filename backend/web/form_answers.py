"""A question page's form fields as an answer for the backend, or the error to show on the page.

The backend validates every answer (code lists, dates, lengths, identifiers in free text) exactly as
for the assistant; this only turns form fields into the answer's shape."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from starlette.datastructures import FormData

from backend.narrative.ages import read_age
from backend.taxonomy import Taxonomy

EMPTY = object()


def _date(form: FormData) -> Any:
    parts = [str(form.get(f"date-{p}") or "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return EMPTY
    if not all(p.isdigit() for p in parts):
        raise ValueError("Enter a real date, for example 27 3 2026")
    day, month, year = map(int, parts)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise ValueError("Enter a real date, for example 27 3 2026") from None


def _time(text: str) -> Any:
    m = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
    if not m:
        raise ValueError("Enter a time as hours and minutes, for example 14:30")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def value_from(form: FormData, q: dict[str, Any], tax: Taxonomy | None = None) -> Any:
    """The answer's value, or EMPTY when nothing was given; ValueError says what to fix."""
    kind = q["kind"]
    if kind == "date":
        return _date(form)
    if kind in ("checkboxes", "search"):
        values = [str(v) for v in form.getlist("value") if str(v)]
        return values or EMPTY
    text = str(form.get("value") or "").strip()
    if not text:
        return EMPTY
    if q["type"] == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if q["type"] == "age":  # "84", "84 years", "6 weeks": read as the assistant reads it, kept in days
        said = read_age(text, tax) if tax is not None else None
        if said is None or not said.exact:
            raise ValueError("Enter the age as a number, like 72, or with months, weeks or days for a baby, "
                             "like 6 weeks. If you do not know it, skip this and give the age group")
        return said.days
    if q["type"] == "integer":
        if not re.fullmatch(r"\d{1,4}", text):
            raise ValueError("Enter a whole number, like 2")
        return int(text)
    if q["type"] == "time":
        return _time(text)
    return text


def missing_message(q: dict[str, Any]) -> str:
    if q["kind"] in ("radios",):
        return "Select an answer"
    if q["kind"] in ("checkboxes", "search"):
        return "Select at least one"
    return "Enter an answer"


def search_codes(tax: Taxonomy, field: str, query: str, limit: int = 20) -> list[dict[str, str]]:
    """A long list (the ODS organisations) searched by code or name: no JavaScript needed."""
    needle = query.strip().casefold()
    if not needle:
        return []
    codes = tax.values_required(field).codes
    exact = [c for c in codes if c.code.casefold() == needle]
    found = exact or [c for c in codes if needle in c.display.casefold()]
    return [{"code": c.code, "label": f"{c.display} ({c.code})"} for c in found[:limit]]
