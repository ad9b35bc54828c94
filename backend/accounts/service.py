"""Organisations and accounts: creation and role changes, with their permission rules and audit."""

from __future__ import annotations

from fastapi import HTTPException, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Organisation, Role
from backend.accounts.schemas import AccountIn
from backend.audit import service as audit
from backend.auth.passwords import hash_password, spend_the_same_time, verify_password
from backend.auth.principal import Principal
from backend.auth.throttle import SignInThrottle
from backend.taxonomy import Taxonomy

ORG_ROLES = (Role.standard, Role.organisational, Role.admin)
RANK = {role: rank for rank, role in enumerate((*ORG_ROLES, Role.platform_admin))}


class TooManyTries(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after} s")
        self.retry_after = retry_after


def authenticate(db: Session, email: str, password: str) -> Account | None:
    account = db.scalar(select(Account).where(func.lower(Account.email) == email.strip().lower()))
    if account is None or not account.password_hash:
        spend_the_same_time(password)  # an unknown e-mail answers no faster than a wrong password
        return None
    if not verify_password(account.password_hash, password) or not account.active:
        return None
    return account


def sign_in(db: Session, throttle: SignInThrottle, email: str, password: str, client: str) -> Account | None:
    """authenticate(), throttled per account and per client (TooManyTries), at most a few checks at once."""
    wait = throttle.retry_after(email, client)
    if wait:
        raise TooManyTries(wait)
    with throttle.checks:
        account = authenticate(db, email, password)
    if account is None:
        throttle.failed(email, client)
    else:
        throttle.succeeded(email)
    return account


def end_sessions(db: Session, account: Account) -> None:
    """Every token and session cookie of the account stops working now (what caused it is audited)."""
    account.end_sessions()
    db.commit()


def change_password(db: Session, account: Account, current: str, new: str) -> None:
    if not verify_password(account.password_hash, current):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The current password is not right")
    account.password_hash = hash_password(new)
    who = Principal(account_id=account.id, role=account.role_enum, organisation_ods=account.organisation_ods)
    audit.record(db, who, "account", str(account.id), "change", "password")
    end_sessions(db, account)


def set_active(db: Session, who: Principal, account: Account, active: bool) -> Account:
    if not _may_manage(who, account.organisation_ods) or account.id == who.account_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins of the account's organisation (de)activate it")
    if who.role != Role.platform_admin and account.role_enum not in ORG_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Admins manage only their organisation's staff accounts")
    if account.active != active:
        audit.record(db, who, "account", str(account.id), "activate" if active else "deactivate", "active",
                     old=account.active, new=active)
        account.active = active
        end_sessions(db, account)
    return account


def keep_reporter_role(db: Session, who: Principal, account: Account, code: str | None) -> None:
    """Puts the staff group on the account (audited) when it differs; the caller commits."""
    if account.reporter_role != code:
        audit.record(db, who, "account", str(account.id), "change", "reporter_role", old=account.reporter_role, new=code)
        account.reporter_role = code


def set_reporter_role(db: Session, who: Principal, account: Account, tax: Taxonomy, code: str | None) -> Account:
    """The account's own staff group, assumed by the plan for every report until changed."""
    codes = tax.values_required("ReporterRole")
    if code is not None and code not in codes:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"reporter_role must be a ReporterRole code: {', '.join(c.code for c in codes.codes)}")
    keep_reporter_role(db, who, account, code)
    db.commit()
    return account


def email_on_organisation_domain(email: str, org: Organisation | None) -> bool:
    return org is not None and email.rpartition("@")[2].lower() in org.domains


def create_organisation(db: Session, who: Principal, tax: Taxonomy, ods_code: str, name: str | None,
                        email_domains: list[str] | None = None) -> Organisation:
    ods_code = ods_code.strip().upper()
    known = tax.code_system("ods-codes-5").get(ods_code)
    if known is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{ods_code} is not in the ODS list")
    if db.get(Organisation, ods_code) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"{ods_code} is already registered")
    org = Organisation(ods_code=ods_code, name=name or known.display,
                       email_domains=",".join(sorted({d.lower() for d in email_domains or []})) or None)
    db.add(org)
    audit.record(db, who, "organisation", ods_code, "create", new={"name": org.name, "email_domains": org.email_domains})
    db.commit()
    return org


def set_email_domains(db: Session, who: Principal, ods_code: str, domains: list[str]) -> Organisation:
    org = db.get(Organisation, ods_code.strip().upper())
    if org is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such organisation")
    new = ",".join(sorted({d.lower() for d in domains})) or None
    if new != org.email_domains:
        audit.record(db, who, "organisation", org.ods_code, "change", "email_domains", old=org.email_domains, new=new)
        org.email_domains = new
        db.commit()
    return org


def _may_manage(who: Principal, organisation_ods: str | None) -> bool:
    if who.role == Role.platform_admin:
        return True
    return who.role == Role.admin and organisation_ods is not None and organisation_ods == who.organisation_ods


def create_account(db: Session, who: Principal, body: AccountIn) -> Account:
    org = body.organisation_ods if who.role == Role.platform_admin else who.organisation_ods
    if not _may_manage(who, org):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins create accounts, in their own organisation")
    if body.role == Role.platform_admin and who.role != Role.platform_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only platform admins create platform admins")
    if org is not None and db.get(Organisation, org) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Organisation {org} is not registered")
    if body.role != Role.platform_admin and org is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "Staff accounts need an organisation")
    email = str(body.email).lower()
    # An admin's accounts are for their own staff: an address on another organisation's domain (or on
    # none of theirs) could later claim that person's Teams identity (backend/identities/service.py).
    if who.role != Role.platform_admin and not email_on_organisation_domain(email, db.get(Organisation, org)):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "Admins create accounts only with an address on their organisation's e-mail domains")
    if db.scalar(select(Account.id).where(func.lower(Account.email) == email)) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "An account with that e-mail address exists")
    account = Account(email=email, display_name=body.display_name, password_hash=hash_password(body.password),
                      organisation_ods=org, role=body.role.value)
    db.add(account)
    db.flush()
    audit.record(db, who, "account", str(account.id), "create", new={"email": email, "role": body.role.value, "organisation": org})
    db.commit()
    return account


def visible_account(db: Session, who: Principal, account_id: int) -> Account:
    account = db.get(Account, account_id)
    if account is None or not (_may_manage(who, account.organisation_ods) or account.id == who.account_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such account")
    return account


def change_role(db: Session, who: Principal, account: Account, role: Role) -> Account:
    if not _may_manage(who, account.organisation_ods):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins of the account's organisation change roles")
    if who.role != Role.platform_admin and (role not in ORG_ROLES or account.role_enum not in ORG_ROLES):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Admins grant only the standard, organisational and admin roles")
    if account.id == who.account_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "You cannot change your own role")
    if account.role != role.value:
        old = account.role
        account.role = role.value
        action = "grant" if RANK[role] > RANK[Role(old)] else "withdraw"
        audit.record(db, who, "account", str(account.id), action, "role", old=old, new=role.value)
        end_sessions(db, account)  # sessions with the old role end too
    return account


def list_accounts(db: Session, who: Principal) -> list[Account]:
    stmt = select(Account).order_by(Account.email)
    if who.role != Role.platform_admin:
        if who.role != Role.admin:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins list accounts")
        stmt = stmt.where(Account.organisation_ods == who.organisation_ods)
    return list(db.scalars(stmt))
