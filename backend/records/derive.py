"""Dashboard columns and facets derived from a record's answers, kept in step on every change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend.plan.answers import AnswerDoc
from backend.plan.validation import UK_TZ
from backend.records.models import EventRecord, RecordFacet

# Multi-valued fields the dashboard filters on, one facet row per chosen code.
FACET_FIELDS = ("InvolvedAgents", "ServiceArea")


def _worst(values: list[Any]) -> str | None:
    # In both harm lists the lowest code is the most severe (1 = fatal / severe).
    codes = [v for v in values if isinstance(v, str) and v.isdigit()]
    return min(codes, key=int) if codes else None


def uk_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(UK_TZ)).date()


def refresh(record: EventRecord, doc: AnswerDoc) -> None:
    record.answers = doc.to_json()
    approx = doc.get("ApproximateDate")
    # The date the dashboard filters on: when it happened if known, else when it was recorded.
    record.event_date = date.fromisoformat(approx) if approx else uk_date(record.created_at)
    record.physical_harm = _worst([p.get("PhysicalHarm") for p in doc.patients])
    record.psychological_harm = _worst([p.get("PsychologicalHarm") for p in doc.patients])
    record.reporter_type = doc.get("ReporterType")
    if record.audience == "public":
        orgs = doc.get("Organisation") or []
        record.organisation_ods = orgs[0] if orgs else None
    wanted = {(f, c) for f in FACET_FIELDS for c in (doc.get(f) or [])}
    have = {(x.field, x.code): x for x in record.facets}
    for key in have.keys() - wanted:
        record.facets.remove(have[key])
    for f, c in sorted(wanted - have.keys()):
        record.facets.append(RecordFacet(field=f, code=c))


def first_words(doc: AnswerDoc, limit: int = 60) -> str:
    text = " ".join(str(doc.get("Description") or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
