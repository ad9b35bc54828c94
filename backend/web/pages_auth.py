"""Sign in and out, and the start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from backend.accounts import service as accounts
from backend.accounts.models import Account
from backend.accounts.router import client_address
from backend.web import session
from backend.web.deps import Db, WebUser, optional_user
from backend.web.templating import render

router = APIRouter()
TOO_MANY = "Too many attempts to sign in. Wait 15 minutes and try again."


def safe_next(path: str | None) -> str:
    """Only a path on this site: '//evil.example' or 'https://...' would make sign-in an open redirect."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/records"


@router.get("/")
def start(user: Annotated[WebUser | None, Depends(optional_user)]):
    return RedirectResponse("/records" if user else "/sign-in", status_code=303)


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/records", expired: bool = False):
    notice = "You were signed out because you had not done anything for a while." if expired else None
    return render(request, "sign_in.html", title="Sign in", errors=[], email="", next=safe_next(next), notice=notice)


@router.post("/sign-in", dependencies=[Depends(session.check_csrf)])
def sign_in(request: Request, db: Db, email: Annotated[str, Form(max_length=320)] = "",
            password: Annotated[str, Form(max_length=1000)] = "", next: Annotated[str, Form(max_length=2000)] = "/records"):
    try:
        account = accounts.sign_in(db, request.app.state.sign_in_throttle, email.strip(), password,
                                   client_address(request)) if email and password else None
    except accounts.TooManyTries:
        return render(request, "sign_in.html", status_code=429, title="Sign in", email=email, next=safe_next(next),
                      errors=[{"href": "email", "text": TOO_MANY}], notice=None)
    if account is None:
        text = "Enter your email address and password" if not (email and password) else \
            "The email address or password is not right"
        return render(request, "sign_in.html", status_code=400, title="Sign in", email=email, next=safe_next(next),
                      errors=[{"href": "email", "text": text}], notice=None)
    response = RedirectResponse(safe_next(next), status_code=303)
    session.set_session(response, request.app.state.settings, session.issue(request.app.state.settings, account.id,
                                                                         version=account.session_version))
    return response


@router.post("/sign-out", dependencies=[Depends(session.check_csrf)])
def sign_out(request: Request, db: Db, user: Annotated[WebUser | None, Depends(optional_user)]):
    if user is not None:  # ends this session and every copy of it, and the account's API and chat tokens
        account = db.get(Account, user.account.id)
        if account is not None:
            accounts.end_sessions(db, account)
    request.state.signed_out = True
    response = RedirectResponse("/sign-in", status_code=303)
    session.clear_session(response)
    return response
