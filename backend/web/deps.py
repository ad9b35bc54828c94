"""Who is signed in to the pages: the account re-read on each request, as the API's Principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Role
from backend.auth.principal import Principal
from backend.database import get_db
from backend.web import session


class SignInRequired(Exception):
    """Handled by a redirect to the sign-in page, back to where the user was going."""

    def __init__(self, next_path: str, expired: bool = False) -> None:
        self.next_path, self.expired = next_path, expired


@dataclass(frozen=True)
class AccountView:
    """The signed-in account's fields, copied: pages (and error pages after a rollback) never touch a
    database object outside its session."""
    id: int
    display_name: str
    email: str
    organisation_ods: str | None
    role_enum: Role


@dataclass(frozen=True)
class WebUser:
    account: AccountView
    principal: Principal
    session_version: int = 0

    @property
    def role(self) -> Role:
        return self.account.role_enum

    @property
    def sees_dashboard(self) -> bool:
        return self.role in (Role.standard, Role.organisational, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


def optional_user(request: Request, db: Annotated[Session, Depends(get_db)]) -> WebUser | None:
    found = session.read(request.app.state.settings, request.cookies.get(session.SESSION_COOKIE))
    if found is None:
        return None
    account_id, started, version = found
    account = db.get(Account, account_id)
    if account is None or not account.active or account.session_version != version:
        return None
    request.state.session_refresh = (account.id, started, version)  # slides the idle timeout (middleware)
    view = AccountView(account.id, account.display_name, account.email, account.organisation_ods, account.role_enum)
    user = WebUser(view, Principal(account_id=account.id, role=account.role_enum,
                                      organisation_ods=account.organisation_ods), account.session_version)
    request.state.user = user
    return user


def signed_in(request: Request, user: Annotated[WebUser | None, Depends(optional_user)]) -> WebUser:
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path if request.method == "GET" else "/records",
                             expired=bool(request.cookies.get(session.SESSION_COOKIE)))
    return user


CurrentUser = Annotated[WebUser, Depends(signed_in)]
Db = Annotated[Session, Depends(get_db)]


def sign_in_url(next_path: str, expired: bool = False) -> str:
    return f"/sign-in?next={quote(next_path, safe='/')}" + ("&expired=true" if expired else "")
