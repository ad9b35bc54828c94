"""FastAPI dependencies that turn a request's credentials into a Principal, or refuse it.

Three kinds of caller, each allowed only what it needs:
- a staff access token (scope "api"): the account, with its role, on every route its role allows;
- a chat token (scope "chat", given to the web chat page): only `GET /me`, to identify the person
  to the assistant;
- the service credential (the action server, the channels), acting for the person in the
  conversation (`X-Act-As`): only the routes that declare `AssistantPrincipal` (drafts, answers,
  submit, the caller's own drafts, resume codes, narrative analysis) and `require_service` (the
  Teams identity link); never accounts, roles, organisations, dashboards or exports. Acting for a
  member of staff it has the rights of a standard account over that person's own records: never an
  organisation reviewer's or an admin's.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Role
from backend.auth import tokens
from backend.auth.principal import Principal
from backend.auth.public_keys import public_key_hash
from backend.config import Settings
from backend.database import get_db

_bearer = HTTPBearer(auto_error=False, description="A staff access token, or the service token")
UNAUTHORISED = HTTPException(
    status.HTTP_401_UNAUTHORIZED, "Not signed in or the token has expired", {"WWW-Authenticate": "Bearer"}
)
SERVICE_REFUSED = HTTPException(status.HTTP_403_FORBIDDEN, "The service credential may not do this")
CHAT_TOKEN_REFUSED = HTTPException(status.HTTP_403_FORBIDDEN, "This token only identifies you to the assistant")
ActAs = Annotated[
    str | None,
    Header(alias="X-Act-As", description="Service calls only: 'account:<id>' or 'public:<conversation key>'"),
]


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def _account_principal(account: Account | None, via_service: bool = False) -> Principal:
    if account is None or not account.active:
        raise UNAUTHORISED
    return Principal(
        account_id=account.id, role=account.role_enum, organisation_ods=account.organisation_ods,
        via_service=via_service,
    )


def _is_service(settings: Settings, creds: HTTPAuthorizationCredentials) -> bool:
    return hmac.compare_digest(creds.credentials.encode(), settings.service_token_value().encode())


def _service_principal(db: Session, settings: Settings, act_as: str | None) -> Principal:
    kind, _, value = (act_as or "").partition(":")
    # ASCII digits within the id column's range: "²" is a digit too, and 2**63 overflows the database.
    if kind == "account" and value.isascii() and value.isdigit() and int(value) <= 2**31 - 1:
        return _account_principal(db.get(Account, int(value)), via_service=True)
    if kind == "public" and 8 <= len(value) <= 200:
        return Principal(public_key_hash=public_key_hash(db, settings, value), via_service=True)
    raise HTTPException(
        status.HTTP_400_BAD_REQUEST,
        "Service calls must name who they act for: X-Act-As 'account:<id>' or 'public:<key of 8-200 characters>'",
    )


def _resolve(db: Session, settings: Settings, creds: HTTPAuthorizationCredentials | None, act_as: str | None,
             *, service: bool, scopes: tuple[str, ...]) -> Principal:
    if creds is None:
        raise UNAUTHORISED
    if _is_service(settings, creds):
        if not service:
            raise SERVICE_REFUSED
        return _service_principal(db, settings, act_as)
    if act_as is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the service credential may act for someone else")
    claims = tokens.read(settings, creds.credentials)
    if claims is None:
        raise UNAUTHORISED
    account = db.get(Account, claims.account_id)
    if account is not None and claims.version != account.session_version:
        raise UNAUTHORISED  # revoked: signed out, new password, deactivated or role changed since
    if claims.scope not in scopes:
        raise CHAT_TOKEN_REFUSED
    return _account_principal(account)


def get_principal(
    db: Annotated[Session, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings_dep)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    act_as: ActAs = None,
) -> Principal:
    """A person with a full API token; the service credential and chat tokens are refused."""
    return _resolve(db, settings, creds, act_as, service=False, scopes=(tokens.API,))


def get_assistant_principal(
    db: Annotated[Session, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings_dep)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    act_as: ActAs = None,
) -> Principal:
    """A person with a full API token, or the service credential acting for the person in the conversation."""
    return _resolve(db, settings, creds, act_as, service=True, scopes=(tokens.API,))


def get_identified_principal(
    db: Annotated[Session, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings_dep)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    act_as: ActAs = None,
) -> Principal:
    """Who a token belongs to: a full API token or a chat token (the web chat's identity check)."""
    return _resolve(db, settings, creds, act_as, service=False, scopes=(tokens.API, tokens.CHAT))


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
AssistantPrincipal = Annotated[Principal, Depends(get_assistant_principal)]
IdentifiedPrincipal = Annotated[Principal, Depends(get_identified_principal)]


def require_staff(principal: CurrentPrincipal) -> Principal:
    if principal.is_public:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Staff accounts only")
    return principal


def require_role(*roles: Role):
    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Your account does not have permission for this")
        return principal

    return check


def require_service(
    settings: Annotated[Settings, Depends(get_settings_dep)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Endpoints for the bot runtime itself (e.g. resolving a channel's user), not for any person."""
    if creds is None:
        raise UNAUTHORISED
    if not _is_service(settings, creds):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the service credential may call this")
