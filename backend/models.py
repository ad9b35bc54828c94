"""Imports every domain's models, so Base.metadata knows all tables (for Alembic)."""

import backend.dashboard.indexes  # noqa: F401  (the dashboard's covering index, for Alembic)
from backend.accounts.models import Account, Organisation  # noqa: F401
from backend.audit.models import AuditEvent  # noqa: F401
from backend.identities.models import ExternalIdentity  # noqa: F401
from backend.records.models import EventRecord, RecordFacet, RecordVersion  # noqa: F401
from backend.resume_codes.models import ResumeAttempt, ResumeCode  # noqa: F401
