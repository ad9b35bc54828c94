"""CSV export of every record the filters select, streamed a chunk at a time.

Rows are read through a streaming cursor (a server-side cursor on PostgreSQL) in chunks, and each
chunk's agents and service areas come from one extra query, so memory stays flat however many
records are selected. Cells a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.principal import Principal
from backend.dashboard.filters import Filters, choices, label
from backend.dashboard.queries import FACETS, selected_rows
from backend.records.models import RecordFacet
from backend.taxonomy import Taxonomy

CHUNK = 2000
# Labels first for people; the codes after them for anyone re-importing or joining the data.
HEADER = (
    "Reference", "Record ID", "Event type", "Status", "Event date", "Organisation (ODS)", "Channel",
    "Reporter type", "Physical harm", "Psychological harm", "Agents involved", "Service areas", "Submitted at",
    "Description", "Event type code", "Reporter type code", "Physical harm code", "Psychological harm code",
    "Agent codes", "Service area codes",
)
# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _facets(db: Session, ids: list[int]) -> dict[tuple[int, str], list[str]]:
    found: dict[tuple[int, str], list[str]] = defaultdict(list)
    stmt = (select(RecordFacet.record_id, RecordFacet.field, RecordFacet.code)
            .where(RecordFacet.record_id.in_(ids)))
    for record_id, field, code in db.execute(stmt):
        found[(record_id, field)].append(code)
    return found


def _in_list_order(tax: Taxonomy, name: str, codes: list[str]) -> list[str]:
    if len(codes) < 2:
        return codes
    order = list(choices(tax, name))
    return sorted(codes, key=lambda c: order.index(c) if c in order else len(order))


def _row(tax: Taxonomy, r, facets: dict[tuple[int, str], list[str]]) -> list[Any]:
    agents = _in_list_order(tax, "agent", facets.get((r.id, FACETS["agent"]), []))
    areas = _in_list_order(tax, "service_area", facets.get((r.id, FACETS["service_area"]), []))
    return [
        r.reference, r.public_id, label(tax, "event_type", r.event_type) if r.event_type else "",
        label(tax, "status", r.status), r.event_date, r.organisation_ods, label(tax, "channel", r.channel),
        label(tax, "reporter_type", r.reporter_type), label(tax, "physical_harm", r.physical_harm),
        label(tax, "psychological_harm", r.psychological_harm),
        "; ".join(label(tax, "agent", c) for c in agents), "; ".join(label(tax, "service_area", c) for c in areas),
        r.submitted_at.isoformat(timespec="seconds") if r.submitted_at else "", r.description,
        r.event_type, r.reporter_type, r.physical_harm, r.psychological_harm, " ".join(agents), " ".join(areas),
    ]


def rows(db: Session, tax: Taxonomy, who: Principal, f: Filters, chunk: int = CHUNK) -> Iterator[list[list[Any]]]:
    """The selected records as lists of cell values (not yet neutralised), a chunk at a time."""
    result = db.execute(selected_rows(who, f).execution_options(yield_per=chunk))
    for part in result.partitions():
        facets = _facets(db, [r.id for r in part])
        yield [_row(tax, r, facets) for r in part]


def csv_text(db: Session, tax: Taxonomy, who: Principal, f: Filters, chunk: int = CHUNK) -> Iterator[str]:
    """The CSV document in pieces: a byte-order mark (so Excel reads UTF-8), the header, then chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield "\ufeff" + buffer.getvalue()
    for part in rows(db, tax, who, f, chunk):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([neutralise(v) for v in row] for row in part)
        yield buffer.getvalue()
