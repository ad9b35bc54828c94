from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.accounts.models import utcnow
from backend.database import Base
from backend.database.types import UTCDateTime


class ResumeCode(Base):
    """A code for one draft: a locator in clear (it only finds the row) and a keyed hash of the whole
    code, so the table alone gives no draft away."""

    __tablename__ = "resume_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("event_records.id", ondelete="CASCADE"), index=True)
    locator: Mapped[str | None] = mapped_column(String(8), index=True)  # None: a code from before locators
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # wrong secrets so far


class ResumeSourceTries(Base):
    """Wrong codes per conversation key per window, counted with an atomic upsert."""

    __tablename__ = "resume_source_tries"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)


class ResumeAttempt(Base):
    """Tries at codes before issue 16's limits (kept for the retention purge; no longer written)."""

    __tablename__ = "resume_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
