"""What a dashboard view selects, and the allowed values of each filter with their labels.

The choices come from the taxonomy (and the record model for status and channel), so the API, the
HTML pages and the CSV export offer and accept the same codes. Parsing is independent of FastAPI so
the HTML pages can reuse it on a form's query string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import get_args

from backend.records.schemas import Channel
from backend.taxonomy import Taxonomy

STATUSES = {"draft": "Draft", "submitted": "Submitted"}
CHANNELS = {"web": "Web form", "chat": "Web chat", "teams": "Microsoft Teams", "sms": "SMS", "voice": "Phone",
            "api": "API"}

# Filter name -> the taxonomy field whose value set lists its codes (None: listed above).
_FIELDS = {
    "event_type": "EventType", "status": None, "channel": None, "physical_harm": "PhysicalHarm",
    "psychological_harm": "PsychologicalHarm", "reporter_type": "ReporterType", "agent": "InvolvedAgents",
    "service_area": "ServiceArea",
}
NOT_RECORDED = "Not recorded"


_cache: dict[int, tuple[Taxonomy, dict[str, dict[str, str]]]] = {}


def _build(tax: Taxonomy, name: str) -> dict[str, str]:
    if name == "status":
        return STATUSES
    if name == "channel":  # every channel a record may have, labelled here (a test checks none is missing)
        return {c: CHANNELS.get(c, c) for c in get_args(Channel)}
    field = _FIELDS[name]
    assert field is not None, name  # the filters without a taxonomy field are handled above
    return {c.code: c.display for c in tax.values_required(field).codes}


def choices(tax: Taxonomy, name: str) -> dict[str, str]:
    """code -> label for one filter, in the order the taxonomy lists them (shared: do not change it)."""
    # Built once per taxonomy: an export labels every cell of up to a million rows.
    entry = _cache.get(id(tax))
    if entry is None or entry[0] is not tax:
        entry = _cache[id(tax)] = (tax, {n: _build(tax, n) for n in _FIELDS})
    return entry[1][name]


def label(tax: Taxonomy, name: str, code: str | None) -> str:
    if code is None:
        return NOT_RECORDED
    return choices(tax, name).get(code, code)


class FilterError(ValueError):
    """Every bad value at once, as (parameter, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{name}: {msg}" for name, msg in problems))
        self.problems = problems


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None  # on event_date, inclusive
    date_to: date | None = None
    event_type: tuple[str, ...] = ()  # each tuple: any of these codes; empty: no filter
    status: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    physical_harm: tuple[str, ...] = ()
    psychological_harm: tuple[str, ...] = ()
    reporter_type: tuple[str, ...] = ()
    agent: tuple[str, ...] = ()  # InvolvedAgents facet
    service_area: tuple[str, ...] = ()  # ServiceArea facet

    def query_items(self) -> list[tuple[str, str]]:
        """The filters as query parameters, e.g. for an export link built from the current view."""
        items = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                items.append((f.name, value.isoformat()))
            elif isinstance(value, tuple):
                items += [(f.name, v) for v in value]
        return items

    def describe(self) -> dict[str, list[str]]:
        """The filters in use, for the audit trail."""
        out: dict[str, list[str]] = {}
        for name, value in self.query_items():
            out.setdefault(name, []).append(value)
        return out


def _values(raw: object) -> list[str]:
    # Repeated parameters or comma-separated values; the empty "any" option of a form is no filter.
    items = [raw] if isinstance(raw, str) else list(raw or [])  # type: ignore[call-overload]
    return [v.strip() for item in items for v in str(item).split(",") if v.strip()]


def _date(name: str, raw: object, problems: list[tuple[str, str]]) -> date | None:
    values = _values(raw)
    if not values:
        return None
    try:
        if len(values) > 1:
            raise ValueError
        return date.fromisoformat(values[0])
    except ValueError:
        problems.append((name, f"'{','.join(values)}' is not a date; use YYYY-MM-DD"))
        return None


def parse(tax: Taxonomy, raw: Mapping[str, object]) -> Filters:
    """Filters from query parameters (name -> a string or list of strings); unknown names are ignored."""
    problems: list[tuple[str, str]] = []
    date_from = _date("date_from", raw.get("date_from"), problems)
    date_to = _date("date_to", raw.get("date_to"), problems)
    if date_from and date_to and date_from > date_to:
        problems.append(("date_from", f"{date_from} is after date_to {date_to}"))
    codes: dict[str, tuple[str, ...]] = {}
    for name in _FIELDS:
        allowed = choices(tax, name)
        values = _values(raw.get(name))
        unknown = [v for v in values if v not in allowed]
        if unknown:
            problems.append((name, f"unknown code {', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}"))
        codes[name] = tuple(dict.fromkeys(values))  # keeps order, drops repeats
    if problems:
        raise FilterError(problems)
    return Filters(date_from=date_from, date_to=date_to, **codes)


def filter_names() -> Iterable[str]:
    return ("date_from", "date_to", *_FIELDS)
