"""The caller as the server sees it: a staff account, or a public reporter the action server vouches for."""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.models import Role


@dataclass(frozen=True)
class Principal:
    account_id: int | None = None
    role: Role | None = None
    organisation_ods: str | None = None
    public_key_hash: str | None = None
    via_service: bool = False  # acting through the action server's credential

    @property
    def is_public(self) -> bool:
        return self.account_id is None

    @property
    def audience(self) -> str:
        return "public" if self.is_public else "staff"

    @property
    def audit_label(self) -> str:
        # No part of a public key's hash: it is a phone number's fingerprint (records.anonymity).
        who = f"account:{self.account_id}" if self.account_id else "public"
        return f"{who} via service" if self.via_service else who

    @property
    def reviews_organisation(self) -> bool:
        # Through the service credential a member of staff has only their own records: the assistant
        # never reviews an organisation's, so a leaked service token cannot either.
        return self.role is not None and self.role.reviews_organisation and not self.via_service
