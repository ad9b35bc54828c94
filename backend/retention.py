"""What is kept only for a while: `python -m backend.cli purge` (daily in production, docs/deployment.md).

After RETENTION_DAYS (default 90):
- a deleted draft's content: the audit trail keeps who did what to which field and when, but the values
  its answers held (old and new) are removed; the deletion itself names fields only, never contents;
- resume code tries and spent or expired resume codes;
- old conversations in Rasa's tracker store (TRACKER_DATABASE_URL): every event of a conversation whose
  last event is older than the period. The drafts themselves are in the backend and stay.

Nothing else is touched: a draft or record is deleted only when its reporter asks (records.service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, delete, func, null, select, update
from sqlalchemy.orm import Session

from backend.audit.models import AuditEvent
from backend.database.core import rows_changed
from backend.resume_codes.models import ResumeAttempt, ResumeCode, ResumeSourceTries

# Rasa 3.6's SQLTrackerStore table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), the columns used here.
_tracker = MetaData()
TRACKER_EVENTS = Table(
    "events", _tracker,
    Column("id", Integer, primary_key=True), Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False), Column("timestamp", Float),
    Column("intent_name", String(255)), Column("action_name", String(255)), Column("data", Text),
)  # fmt: skip


@dataclass(frozen=True)
class Purged:
    deleted_drafts: int  # deleted drafts whose answers were removed from the audit trail this run
    audit_values: int  # audit rows of theirs that held values
    resume_attempts: int
    resume_codes: int
    conversations: int  # tracker conversations removed
    tracker_events: int

    def __str__(self) -> str:
        return (f"Deleted drafts purged: {self.deleted_drafts} ({self.audit_values} audit values removed); "
                f"resume code tries: {self.resume_attempts}, spent or expired codes: {self.resume_codes}; "
                f"conversations: {self.conversations} ({self.tracker_events} tracker events)")


def purge(db: Session, now: datetime, days: int, tracker: Engine | None = None) -> Purged:
    """Remove what is older than ``days`` before ``now``; commits. Running it twice removes nothing more."""
    cutoff = now - timedelta(days=days)
    deleted = select(AuditEvent.entity_id).where(
        AuditEvent.entity_type == "record", AuditEvent.action == "delete", AuditEvent.at < cutoff)
    holding_values = (
        (AuditEvent.entity_type == "record") & AuditEvent.entity_id.in_(deleted) & (AuditEvent.action != "delete")
        # SQL NULL once purged (JSON null is never written for a value that was there)
        & (AuditEvent.old_value.is_not(None) | AuditEvent.new_value.is_not(None))
    )
    drafts = db.scalar(select(func.count(func.distinct(AuditEvent.entity_id))).where(holding_values)) or 0
    values = rows_changed(db.execute(update(AuditEvent).where(holding_values)
                        .values(old_value=null(), new_value=null())
                        .execution_options(synchronize_session=False)))
    attempts = rows_changed(db.execute(delete(ResumeAttempt).where(ResumeAttempt.at < cutoff)))
    attempts += rows_changed(db.execute(delete(ResumeSourceTries).where(ResumeSourceTries.window_start < cutoff)))
    codes = rows_changed(db.execute(delete(ResumeCode).where(
        (ResumeCode.expires_at < cutoff) | (ResumeCode.used_at < cutoff))))
    db.commit()
    conversations = events = 0
    if tracker is not None:
        stale = (select(TRACKER_EVENTS.c.sender_id).group_by(TRACKER_EVENTS.c.sender_id)
                 .having(func.max(TRACKER_EVENTS.c.timestamp) < cutoff.timestamp()))
        with tracker.begin() as conn:
            senders = [row[0] for row in conn.execute(stale)]
            for start in range(0, len(senders), 500):
                chunk = senders[start : start + 500]
                events += conn.execute(delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.sender_id.in_(chunk))).rowcount
            conversations = len(senders)
    return Purged(drafts, values, attempts, codes, conversations, events)
