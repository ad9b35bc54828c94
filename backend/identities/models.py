from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.accounts.models import utcnow
from backend.database import Base
from backend.database.types import UTCDateTime


class ExternalIdentity(Base):
    """A user of another system, e.g. a Teams user by their Entra (AAD) object id, known to be this account."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("provider", "subject", name="uq_external_identities_provider_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))  # "teams"
    subject: Mapped[str] = mapped_column(String(200))  # the provider's stable user id
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
