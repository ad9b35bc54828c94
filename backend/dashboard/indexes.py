"""The dashboard's covering index, declared here (the dashboard's own concern) and made by migration 0004.

The organisation's submitted records are the bulk of every reviewer's dashboard. With the filter
columns in the index, counts and page look-ups are answered from the index alone (an index-only scan
on PostgreSQL, a covering index on SQLite) instead of reading each record's row, JSON and all.
"""

from sqlalchemy import Index

from backend.records.models import EventRecord

_t = EventRecord.__table__
DASHBOARD_INDEX = Index(
    "ix_event_records_dashboard",
    # Scope first (equality), then the date range and the newest-first order, then what filters read.
    _t.c.organisation_ods, _t.c.status, _t.c.event_date, _t.c.id,
    _t.c.event_type, _t.c.physical_harm, _t.c.psychological_harm, _t.c.channel, _t.c.reporter_type,
)
