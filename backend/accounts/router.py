from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts import service
from backend.accounts.models import Account, Organisation, Role
from backend.accounts.schemas import (
    AccountIn,
    AccountOut,
    ActiveChange,
    EmailDomains,
    OrganisationIn,
    OrganisationOut,
    PasswordChange,
    ReporterRoleChange,
    RoleChange,
    Token,
)
from backend.auth import tokens
from backend.auth.dependencies import CurrentPrincipal, IdentifiedPrincipal, require_role, require_staff
from backend.auth.principal import Principal
from backend.database import get_db
from backend.records.schemas import MAX_INT, Invalid, text_problem

router = APIRouter(tags=["accounts"], responses={422: {"model": Invalid, "description": "Not a valid request"}})
Db = Annotated[Session, Depends(get_db)]


def _out(a: Account) -> AccountOut:
    return AccountOut(id=a.id, email=a.email, display_name=a.display_name, organisation_ods=a.organisation_ods,
                      role=a.role_enum, active=a.active, reporter_role=a.reporter_role)


@router.post("/auth/token", response_model=Token, summary="Sign in with e-mail and password")
def sign_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: Db, request: Request) -> Token:
    for name, value in (("username", form.username), ("password", form.password)):
        if problem := text_problem(value):  # never a real e-mail or password; PostgreSQL rejects NUL outright
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"The {name} {problem}")
    try:
        account = service.sign_in(db, request.app.state.sign_in_throttle, form.username, form.password,
                                  client_address(request))
    except service.TooManyTries as exc:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "Too many sign-in attempts: wait and try again",
                            {"Retry-After": str(exc.retry_after)}) from None
    if account is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong e-mail address or password")
    token, ttl = tokens.issue(request.app.state.settings, account.id, version=account.session_version)
    return Token(access_token=token, expires_in=ttl)


def client_address(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy: what its forwarded headers said, when
    the server is started to trust them)."""
    return request.client.host if request.client else "unknown"


@router.post("/auth/sign-out", status_code=204, summary="End every token and session of my account")
def sign_out(who: Annotated[Principal, Depends(require_staff)], db: Db) -> None:
    service.end_sessions(db, service.visible_account(db, who, who.account_id or 0))


@router.get("/me", response_model=AccountOut, summary="Who this token belongs to (a chat token may ask too)")
def me(who: IdentifiedPrincipal, db: Db) -> AccountOut:
    if who.is_public:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Staff accounts only")
    return _out(service.visible_account(db, who, who.account_id or 0))


@router.put("/me/password", status_code=204, summary="Change my password (ends every token and session)")
def change_password(body: PasswordChange, who: Annotated[Principal, Depends(require_staff)], db: Db) -> None:
    service.change_password(db, service.visible_account(db, who, who.account_id or 0), body.current_password,
                            body.new_password)


@router.put("/me/reporter-role", response_model=AccountOut,
            summary="Set or clear my staff group (ReporterRole), which every report then assumes until changed")
def set_reporter_role(body: ReporterRoleChange, who: Annotated[Principal, Depends(require_staff)], db: Db,
                      request: Request) -> AccountOut:
    account = service.visible_account(db, who, who.account_id or 0)
    return _out(service.set_reporter_role(db, who, account, request.app.state.taxonomy, body.reporter_role))


@router.get("/organisations", response_model=list[OrganisationOut])
def organisations(who: Annotated[Principal, Depends(require_staff)], db: Db) -> list[OrganisationOut]:
    stmt = select(Organisation).order_by(Organisation.ods_code)
    if who.role != Role.platform_admin:
        stmt = stmt.where(Organisation.ods_code == who.organisation_ods)
    return [_org_out(o) for o in db.scalars(stmt)]


@router.put("/organisations/{ods_code}/email-domains", response_model=OrganisationOut,
            summary="Set an organisation's staff e-mail domains (platform admins)")
def set_email_domains(
    ods_code: Annotated[str, Path(min_length=3, max_length=12)], body: EmailDomains,
    who: Annotated[Principal, Depends(require_role(Role.platform_admin))], db: Db,
) -> OrganisationOut:
    return _org_out(service.set_email_domains(db, who, ods_code, body.email_domains))


def _org_out(o: Organisation) -> OrganisationOut:
    return OrganisationOut(ods_code=o.ods_code, name=o.name, active=o.active, email_domains=sorted(o.domains))


@router.post("/organisations", response_model=OrganisationOut, status_code=201)
def create_organisation(
    body: OrganisationIn, who: Annotated[Principal, Depends(require_role(Role.platform_admin))], db: Db, request: Request
) -> OrganisationOut:
    org = service.create_organisation(db, who, request.app.state.taxonomy, body.ods_code, body.name, body.email_domains)
    return _org_out(org)


@router.get("/accounts", response_model=list[AccountOut])
def accounts(who: CurrentPrincipal, db: Db) -> list[AccountOut]:
    return [_out(a) for a in service.list_accounts(db, who)]


@router.post("/accounts", response_model=AccountOut, status_code=201)
def create_account(body: AccountIn, who: Annotated[Principal, Depends(require_staff)], db: Db) -> AccountOut:
    return _out(service.create_account(db, who, body))


@router.put("/accounts/{account_id}/role", response_model=AccountOut, summary="Grant or withdraw a role")
def change_role(
    account_id: Annotated[int, Path(ge=1, le=MAX_INT)], body: RoleChange,
    who: Annotated[Principal, Depends(require_staff)], db: Db,
) -> AccountOut:
    account = service.visible_account(db, who, account_id)
    return _out(service.change_role(db, who, account, body.role))


@router.put("/accounts/{account_id}/active", response_model=AccountOut, summary="Deactivate or reactivate an account")
def set_active(
    account_id: Annotated[int, Path(ge=1, le=MAX_INT)], body: ActiveChange,
    who: Annotated[Principal, Depends(require_staff)], db: Db,
) -> AccountOut:
    return _out(service.set_active(db, who, service.visible_account(db, who, account_id), body.active))
