"""Organisations and accounts: creation and role changes, with their permission rules and audit."""

from __future__ import annotations

from fastapi import HTTPException, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Organisation, Role
from backend.accounts.schemas import AccountIn
from backend.audit import service as audit
from backend.auth.passwords import hash_password, verify_password
from backend.auth.principal import Principal
from backend.taxonomy import Taxonomy

ORG_ROLES = (Role.standard, Role.organisational, Role.admin)
RANK = {role: rank for rank, role in enumerate((*ORG_ROLES, Role.platform_admin))}


def authenticate(db: Session, email: str, password: str) -> Account | None:
    account = db.scalar(select(Account).where(func.lower(Account.email) == email.strip().lower()))
    if account is None or not account.active or not verify_password(account.password_hash, password):
        return None
    return account


def create_organisation(db: Session, who: Principal, tax: Taxonomy, ods_code: str, name: str | None) -> Organisation:
    ods_code = ods_code.strip().upper()
    known = tax.code_system("ods-codes-5").get(ods_code)
    if known is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{ods_code} is not in the ODS list")
    if db.get(Organisation, ods_code) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"{ods_code} is already registered")
    org = Organisation(ods_code=ods_code, name=name or known.display)
    db.add(org)
    audit.record(db, who, "organisation", ods_code, "create", new={"name": org.name})
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
        db.commit()
    return account


def list_accounts(db: Session, who: Principal) -> list[Account]:
    stmt = select(Account).order_by(Account.email)
    if who.role != Role.platform_admin:
        if who.role != Role.admin:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins list accounts")
        stmt = stmt.where(Account.organisation_ods == who.organisation_ods)
    return list(db.scalars(stmt))
