from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.accounts.models import utcnow
from backend.database import Base
from backend.database.types import UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "account:12" or "public" (never any part of the key hash), either "... via service": who acted.
    # Shown through records.anonymity, which hides an anonymous record's author from everyone else.
    actor: Mapped[str] = mapped_column(String(80))
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    entity_type: Mapped[str] = mapped_column(String(20))  # record, account, organisation
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))  # create, answer, skip, remove, submit, amend, grant
    field: Mapped[str | None] = mapped_column(String(80))
    patient: Mapped[int | None] = mapped_column(Integer)
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
