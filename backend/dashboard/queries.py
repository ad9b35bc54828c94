"""The dashboard's counts and record pages, as aggregate SQL over the indexed dashboard columns.

Every function takes the caller and the filters and applies the same scope, so a count and the
records behind it always agree. Nothing here loops over records in Python except the page shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Select, Subquery
from sqlalchemy.types import String

from backend.accounts.models import Role
from backend.auth.principal import Principal
from backend.dashboard import indexes  # noqa: F401  (the index these queries are shaped for)
from backend.dashboard.filters import Filters, choices, label
from backend.plan import AnswerDoc
from backend.records.derive import first_words
from backend.records.models import EventRecord, RecordFacet
from backend.taxonomy import Taxonomy

PAGE_SIZE, MAX_PAGE_SIZE = 25, 100
FACETS = {"agent": "InvolvedAgents", "service_area": "ServiceArea"}
# The free text lives in the answers document; read just that path, not the whole document.
DESCRIPTION = EventRecord.answers[("fields", "Description")].as_string().label("description")


class NotPermitted(Exception):
    """The caller has no dashboard: the public, and platform administrators (who see no records)."""


class year_month(FunctionElement):
    """'YYYY-MM' of a date column, spelt the way each database can group on it."""

    type = String()
    inherit_cache = True


@compiles(year_month)
def _year_month_default(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw):
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"  # dates are stored as ISO text


def scope(who: Principal) -> list[ColumnElement[bool]]:
    """What the caller's dashboard counts, as disjoint parts whose union is what visible_filter allows.

    Apart, each part is a plain range on one index (the organisation's submitted records on
    ix_event_records_dashboard, which holds every filtered column, so counts never touch the table);
    joined by OR, both databases would fetch every row of the organisation from the table instead.
    """
    if who.is_public or who.role in (None, Role.platform_admin):
        raise NotPermitted
    own = EventRecord.owner_account_id == who.account_id
    if not (who.reviews_organisation and who.organisation_ods):
        return [own]
    org, submitted = EventRecord.organisation_ods, EventRecord.status == "submitted"
    shared = and_(submitted, org == who.organisation_ods)  # visible_filter's second half
    return [shared, and_(own, or_(~submitted, org.is_(None), org != who.organisation_ods))]


def _facet(field: str, codes: tuple[str, ...]) -> ColumnElement[bool]:
    # An alias, so the subquery stays its own when the outer query joins record_facets too (by_facet).
    f = aliased(RecordFacet)
    return exists().where(f.record_id == EventRecord.id, f.field == field, f.code.in_(codes))


def conditions(f: Filters) -> list[ColumnElement[bool]]:
    conds = []
    if f.date_from:
        conds.append(EventRecord.event_date >= f.date_from)
    if f.date_to:
        conds.append(EventRecord.event_date <= f.date_to)
    for name in ("event_type", "status", "channel", "physical_harm", "psychological_harm", "reporter_type"):
        if codes := getattr(f, name):
            conds.append(getattr(EventRecord, name).in_(codes))
    for name, field in FACETS.items():
        if codes := getattr(f, name):
            conds.append(_facet(field, codes))
    return conds


def selection(who: Principal, f: Filters, *columns) -> Subquery:
    """The selected records' given columns (labelled), one SELECT per scope part, UNION ALL."""
    parts = [select(*columns).where(part, *conditions(f)) for part in scope(who)]
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("selected")


def total(db: Session, who: Principal, f: Filters) -> int:
    return db.scalar(select(func.count()).select_from(selection(who, f, EventRecord.id))) or 0


def _grouped(db: Session, who: Principal, f: Filters, key) -> dict[Any, int]:
    sub = selection(who, f, key.label("k"))
    return dict(db.execute(select(sub.c.k, func.count()).group_by(sub.c.k)).tuples().all())


def by_month(db: Session, who: Principal, f: Filters) -> list[tuple[str, int]]:
    """(YYYY-MM, count) for every month from the first to the last one with records, gaps as 0."""
    counts = {k: n for k, n in _grouped(db, who, f, year_month(EventRecord.event_date)).items() if k}
    if not counts:
        return []
    (y, m), last = map(int, min(counts).split("-")), max(counts)
    out = []
    while (key := f"{y:04d}-{m:02d}") <= last:
        out.append((key, counts.get(key, 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def by_column(db: Session, who: Principal, f: Filters, name: str) -> dict[str | None, int]:
    """code -> count of one single-valued column (event_type, physical_harm, ...); None: not recorded."""
    return _grouped(db, who, f, getattr(EventRecord, name))


def by_facet(db: Session, who: Principal, f: Filters, name: str) -> dict[str, int]:
    """code -> number of records naming it (a record naming two agents counts once for each)."""
    sub = selection(who, f, EventRecord.id.label("id"))
    stmt = (select(RecordFacet.code, func.count()).join(sub, RecordFacet.record_id == sub.c.id)
            .where(RecordFacet.field == FACETS[name]).group_by(RecordFacet.code))
    return dict(db.execute(stmt).tuples().all())


def _labelled(tax: Taxonomy, name: str, counts: Mapping[str, int], not_recorded: int = 0) -> list[dict[str, Any]]:
    # Every code in taxonomy order, zeros included, so charts keep their categories from view to view.
    rows: list[dict[str, Any]] = [{"code": c, "label": lbl, "count": counts.get(c, 0)}
                                  for c, lbl in choices(tax, name).items()]
    if not_recorded:
        rows.append({"code": None, "label": label(tax, name, None), "count": not_recorded})
    return rows


def _labelled_column(db: Session, tax: Taxonomy, who: Principal, f: Filters, name: str) -> list[dict[str, Any]]:
    counts = by_column(db, who, f, name)
    recorded = {code: n for code, n in counts.items() if code is not None}
    return _labelled(tax, name, recorded, counts.get(None, 0))


def summary(db: Session, tax: Taxonomy, who: Principal, f: Filters) -> dict[str, Any]:
    return {
        "total": total(db, who, f),
        "by_month": [{"month": m, "count": n} for m, n in by_month(db, who, f)],
        "by_event_type": _labelled_column(db, tax, who, f, "event_type"),
        "by_physical_harm": _labelled_column(db, tax, who, f, "physical_harm"),
        "by_psychological_harm": _labelled_column(db, tax, who, f, "psychological_harm"),
        "by_agent": _labelled(tax, "agent", by_facet(db, who, f, "agent")),
    }


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


# Newest event first; the id breaks ties so pages never overlap or skip a record.
NEWEST_FIRST = (EventRecord.event_date.desc(), EventRecord.id.desc())
ROW_COLUMNS = (
    EventRecord.id, EventRecord.public_id, EventRecord.reference, EventRecord.event_type, EventRecord.status,
    EventRecord.event_date, EventRecord.organisation_ods, EventRecord.channel, EventRecord.reporter_type,
    EventRecord.physical_harm, EventRecord.psychological_harm, EventRecord.submitted_at, DESCRIPTION,
)


def _item(tax: Taxonomy, row) -> dict[str, Any]:
    coded = {name: getattr(row, name) for name in
             ("event_type", "status", "channel", "reporter_type", "physical_harm", "psychological_harm")}
    return {
        "id": row.public_id, "reference": row.reference, "event_date": row.event_date,
        "organisation_ods": row.organisation_ods, "submitted_at": row.submitted_at, **coded,
        **{f"{name}_label": label(tax, name, code) for name, code in coded.items()},
        "first_words": first_words(AnswerDoc(fields={"Description": row.description})),
    }


def selected_rows(who: Principal, f: Filters) -> Select:
    """Every selected record's ROW_COLUMNS, newest first (for the export)."""
    ids = select(selection(who, f, EventRecord.id.label("id")).c.id)
    return select(*ROW_COLUMNS).where(EventRecord.id.in_(ids)).order_by(*NEWEST_FIRST)


def page(db: Session, tax: Taxonomy, who: Principal, f: Filters, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of the selected records, newest first; a page past the end is empty."""
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError(f"page must be 1 or more and page size 1 to {MAX_PAGE_SIZE}")
    count = total(db, who, f)
    if count <= (number - 1) * size:
        return Page([], count, number, size)
    # The page's ids come from the index alone; only its rows are read, so a deep page skips index
    # entries, not table rows.
    sub = selection(who, f, EventRecord.id.label("id"), EventRecord.event_date.label("event_date"))
    ids = db.scalars(select(sub.c.id).order_by(sub.c.event_date.desc(), sub.c.id.desc())
                     .limit(size).offset((number - 1) * size)).all()
    rows = db.execute(select(*ROW_COLUMNS).where(EventRecord.id.in_(ids)).order_by(*NEWEST_FIRST)).all()
    return Page([_item(tax, r) for r in rows], count, number, size)
