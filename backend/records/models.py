"""An event record: columns for what the dashboard filters on, the rest as a validated document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import utcnow
from backend.database import Base
from backend.database.types import UTCDateTime


class EventRecord(Base):
    __tablename__ = "event_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)  # what the API exposes
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)  # given at submission
    event_type: Mapped[str | None] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    audience: Mapped[str] = mapped_column(String(8))  # staff or public: which wording and plan
    version: Mapped[int] = mapped_column(Integer, default=0)  # submitted versions so far
    revision: Mapped[int] = mapped_column(Integer)  # bumped on every change
    # The reviewing organisation's ODS code. Not a foreign key: a public report may name any
    # organisation in the ODS list, which sees it once it has an account here.
    organisation_ods: Mapped[str | None] = mapped_column(String(12), index=True)
    owner_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    # A public reporter is known only by a hash of the conversation key the channel gives.
    public_key_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(12), index=True)
    event_date: Mapped[date | None] = mapped_column(Date, index=True)
    physical_harm: Mapped[str | None] = mapped_column(String(4), index=True)  # worst across patients
    psychological_harm: Mapped[str | None] = mapped_column(String(4), index=True)
    reporter_type: Mapped[str | None] = mapped_column(String(4), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    # Optimistic concurrency: an update of a stale copy fails instead of overwriting a newer change.
    __mapper_args__ = {"version_id_col": revision}

    facets: Mapped[list[RecordFacet]] = relationship(
        cascade="all, delete-orphan", back_populates="record", lazy="selectin"
    )


class RecordFacet(Base):
    """One row per code of a multi-valued field the dashboard filters on (agents, service areas)."""

    __tablename__ = "record_facets"
    __table_args__ = (Index("ix_record_facets_lookup", "field", "code", "record_id"),)

    record_id: Mapped[int] = mapped_column(ForeignKey("event_records.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), primary_key=True)

    record: Mapped[EventRecord] = relationship(back_populates="facets")


class RecordVersion(Base):
    """A snapshot of each submitted version; amendments add versions, never overwrite them."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("event_records.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(String(500))
