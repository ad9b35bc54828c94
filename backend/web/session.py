"""Signed-in sessions and CSRF protection for the pages.

The session is a signed cookie (JWT, HS256 with the backend's key, audience "web") holding the
account id and when the session began; it slides with use and ends after IDLE_MINUTES without a
request or ABSOLUTE_HOURS after sign-in, whichever is first. The account is re-read on every
request, so a withdrawn role or a deactivated account takes effect at once.

CSRF: every form carries HMAC(key, the browser's random csrf cookie); a POST whose token does not
match its cookie is refused. It works before sign-in too (the sign-in form)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

import jwt
from fastapi import HTTPException, Request, Response, status

from backend.config import Settings

SESSION_COOKIE = "lfpse_session"
CSRF_COOKIE = "lfpse_csrf"
IDLE_MINUTES = 30
ABSOLUTE_HOURS = 8
AUDIENCE = "web"
ISSUER = "lfpse-assistant-backend"


def _key(settings: Settings) -> str:
    return settings.secret_key_value()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def issue(settings: Settings, account_id: int, started: datetime | None = None, version: int = 0) -> str:
    now = _now()
    started = started or now
    claims = {"sub": str(account_id), "aud": AUDIENCE, "iss": ISSUER, "iat": now,
              "exp": min(now + timedelta(minutes=IDLE_MINUTES), started + timedelta(hours=ABSOLUTE_HOURS)),
              "start": int(started.timestamp()), "ver": version}
    return jwt.encode(claims, _key(settings), algorithm="HS256")


def read(settings: Settings, token: str | None) -> tuple[int, datetime, int] | None:
    """(account id, session start, the account's session version then) for a valid, unexpired cookie;
    the caller compares the version with the account's (a revoked session is refused)."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, _key(settings), algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                            options={"require": ["exp", "sub", "start", "ver"]})
        started = datetime.fromtimestamp(int(claims["start"]), timezone.utc)
        version = int(claims["ver"])
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
        return None
    if _now() - started > timedelta(hours=ABSOLUTE_HOURS):
        return None  # however recently used, a session ends this long after sign-in
    return int(claims["sub"]), started, version


def set_session(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=IDLE_MINUTES * 60, httponly=True, samesite="lax",
                        secure=settings.environment == "production", path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


# CSRF

def _browser_secret(request: Request) -> str:
    """The browser's csrf cookie; a new one (set on the response by the middleware) if it has none."""
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not value:
        value = request.state.new_csrf = secrets.token_urlsafe(32)
    return value


def csrf_token(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return hmac.new(_key(settings).encode(), b"csrf:" + _browser_secret(request).encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request) -> None:
    """A dependency for every page POST."""
    form = await request.form()
    sent = str(form.get("csrf_token") or "")
    if not request.cookies.get(CSRF_COOKIE) or not hmac.compare_digest(sent, csrf_token(request)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This form has expired. Go back, reload the page and try again.")


def set_csrf_cookie(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        settings: Settings = request.app.state.settings
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="lax", path="/",
                            secure=settings.environment == "production")
