from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.database import Base
from backend.database.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Role(str, enum.Enum):
    """LFPSE's graded permissions, plus the platform operator."""

    standard = "standard"  # own records and drafts
    organisational = "organisational"  # all submitted records of the organisation, dashboard
    admin = "admin"  # organisational, and grants or withdraws roles in the organisation
    platform_admin = "platform_admin"  # manages organisations; sees no records

    @property
    def reviews_organisation(self) -> bool:
        return self in (Role.organisational, Role.admin)


class Organisation(Base):
    __tablename__ = "organisations"

    ods_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The e-mail domains of the organisation's staff ("trust.nhs.uk, other.nhs.uk"), set by a platform
    # admin: its admins create accounts only on these, and a Teams user is linked by e-mail only on these.
    email_domains: Mapped[str | None] = mapped_column(String(500))

    @property
    def domains(self) -> set[str]:
        return {d.strip().lower() for d in (self.email_domains or "").split(",") if d.strip()}


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # None for accounts that only sign in through a linked identity (e.g. Microsoft Teams).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    organisation_ods: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.ods_code"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default=Role.standard.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Every token and session cookie carries the version it was issued at; raising it (sign-out, new
    # password, deactivation, role change) ends them all at once, before they expire.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The LFPSE ReporterRole code (staff group) of this person's last submitted report, or set by them:
    # the question plan's default for their next report, so it is asked once, not every time.
    reporter_role: Mapped[str | None] = mapped_column(String(8))

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1
