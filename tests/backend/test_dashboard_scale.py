"""The dashboard's fast query shapes against the plain rules, on a small synthetic load made by the
benchmark's own loader (so `make bench-dashboard` keeps working too).

For every account of every role, the counts from the UNION ALL scope equal a straightforward count
over visible_filter (standard accounts: their own records), with and without filters.
"""

from datetime import date

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Role
from backend.auth.permissions import visible_filter
from backend.auth.principal import Principal
from backend.dashboard import export, queries
from backend.dashboard.filters import Filters
from backend.dashboard.synthetic import load_postgresql, load_sqlite
from backend.records.models import EventRecord, RecordFacet
from backend.taxonomy import get_taxonomy

FILTERS = [Filters(), Filters(date_from=date(2025, 1, 1), event_type=("incident",), physical_harm=("4", "3")),
           Filters(agent=("4",), status=("submitted",)), Filters(service_area=("17", "1"), channel=("sms", "web"))]


@pytest.fixture
def loaded(database_url):
    loader = load_sqlite if database_url.startswith("sqlite") else load_postgresql
    loader(database_url, 3000, get_taxonomy())
    engine = create_engine(database_url)
    with Session(engine) as db:
        yield db
    engine.dispose()


def _plain(db, who, f):
    """The same selection written the obvious way: one WHERE, OR and all."""
    cond = visible_filter(who) if who.reviews_organisation else EventRecord.owner_account_id == who.account_id
    stmt = select(EventRecord.id).where(cond)
    if f.date_from:
        stmt = stmt.where(EventRecord.event_date >= f.date_from)
    for name in ("event_type", "status", "channel", "physical_harm"):
        if getattr(f, name):
            stmt = stmt.where(getattr(EventRecord, name).in_(getattr(f, name)))
    for name, field in queries.FACETS.items():
        if getattr(f, name):
            stmt = stmt.where(EventRecord.id.in_(select(RecordFacet.record_id).where(
                RecordFacet.field == field, RecordFacet.code.in_(getattr(f, name)))))
    return set(db.scalars(stmt))


def test_fast_queries_agree_with_the_plain_rule(loaded):
    db, tax = loaded, get_taxonomy()
    accounts = db.scalars(select(Account).where(Account.role != Role.platform_admin.value)).all()
    reviewers = [a for a in accounts if a.role_enum.reviews_organisation]
    # A spread of reviewers (the largest organisations first) and of standard reporters: all 1,200 is slow.
    for a in reviewers[:3] + reviewers[3::20] + [a for a in accounts if not a.role_enum.reviews_organisation][::60]:
        who = Principal(a.id, a.role_enum, a.organisation_ods)
        for f in FILTERS:
            ids = _plain(db, who, f)
            assert queries.total(db, who, f) == len(ids), (a.email, f)
            assert sum(queries.by_column(db, who, f, "physical_harm").values()) == len(ids)
            assert sum(n for _, n in queries.by_month(db, who, f)) == len(ids)
            agents = db.scalar(select(func.count()).select_from(RecordFacet).where(
                RecordFacet.record_id.in_(ids or [0]), RecordFacet.field == "InvolvedAgents"))
            assert sum(queries.by_facet(db, who, f, "agent").values()) == agents
    big = max(reviewers, key=lambda a: len(_plain(db, Principal(a.id, a.role_enum, a.organisation_ods), Filters())))
    who = Principal(big.id, big.role_enum, big.organisation_ods)
    every = {r.id for part in export.rows(db, tax, who, Filters(), chunk=50) for r in
             db.execute(select(EventRecord.id).where(EventRecord.public_id.in_([row[1] for row in part])))}
    assert every == _plain(db, who, Filters()) and len(every) > 100
    paged = [i["id"] for n in range(1, 4) for i in queries.page(db, tax, who, Filters(), n, 40).items]
    assert len(paged) == len(set(paged)) == 120
