from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.models import AuditEvent
from backend.auth.principal import Principal


def record(
    db: Session,
    who: Principal,
    entity_type: str,
    entity_id: str,
    action: str,
    field: str | None = None,
    patient: int | None = None,
    old: Any = None,
    new: Any = None,
) -> None:
    """Adds an audit row to the caller's transaction, so it commits (or not) with the change."""
    db.add(
        AuditEvent(
            actor=who.audit_label, actor_account_id=who.account_id, entity_type=entity_type,
            entity_id=entity_id, action=action, field=field, patient=patient,
            old_value=old, new_value=new,
        )
    )


def history(db: Session, entity_type: str, entity_id: str) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)
    )
    return list(db.scalars(stmt))
