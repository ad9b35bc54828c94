"""Who a Teams user is: an existing link, or the active account with their e-mail, linked on first use."""

from __future__ import annotations

from fastapi import HTTPException, status
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.accounts.models import Account
from backend.accounts.service import email_on_organisation_domain
from backend.audit import service as audit
from backend.auth.principal import Principal
from backend.identities.models import ExternalIdentity

TEAMS = "teams"
NO_ACCOUNT = HTTPException(status.HTTP_404_NOT_FOUND, "No active staff account for this user")


def _link(db: Session, provider: str, subject: str) -> ExternalIdentity | None:
    return db.scalar(select(ExternalIdentity).where(ExternalIdentity.provider == provider,
                                                    ExternalIdentity.subject == subject))


def resolve(db: Session, provider: str, subject: str, email: str | None) -> Account:
    link = _link(db, provider, subject)
    if link is not None:
        account = db.get(Account, link.account_id)
        if account is None or not account.active:
            raise NO_ACCOUNT
        return account
    email = (email or "").strip().lower()
    account = db.scalar(select(Account).where(func.lower(Account.email) == email)) if email else None
    if account is None or not account.active:
        raise NO_ACCOUNT
    # Linked by e-mail only on one of the account's organisation's own domains (set by a platform admin;
    # an admin cannot create an account off them): an account made with someone else's address, or a
    # platform admin's, never receives that person's Teams identity.
    if not email_on_organisation_domain(account.email, account.organisation):
        raise NO_ACCOUNT
    # One identity per provider per account: a second Teams user with the same e-mail (another tenant,
    # a re-created user) must not silently take the account over; an admin sorts that out.
    other = db.scalar(select(ExternalIdentity.id).where(ExternalIdentity.provider == provider,
                                                        ExternalIdentity.account_id == account.id))
    if other is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "This account is already linked to another user")
    db.add(ExternalIdentity(provider=provider, subject=subject, account_id=account.id))
    # The person linked is the actor: the service acts for them, having verified who they are.
    who = Principal(account_id=account.id, role=account.role_enum, organisation_ods=account.organisation_ods,
                    via_service=True)
    audit.record(db, who, "account", str(account.id), "link", field=provider, new={"subject": subject})
    try:
        db.commit()
    except IntegrityError:  # a concurrent first message linked it already
        db.rollback()
        link = _link(db, provider, subject)
        if link is None or link.account_id != account.id:
            raise
    return account
