"""Short-lived signed access tokens for staff (JWT, HS256, with expiry).

Each token carries a scope and the account's session version:
- scope "api": the full API, for the person who signed in (`POST /auth/token`);
- scope "chat": only identifies the person to the assistant (`GET /me`), given to the web chat page,
  so a chat token that leaks cannot change roles, read the dashboard or export anything.
A token whose version is older than the account's (signed out, password changed, deactivated, role
changed) is refused: that is how tokens are revoked before they expire."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

from backend.config import Settings

ISSUER = "lfpse-assistant-backend"
API, CHAT = "api", "chat"


@dataclass(frozen=True)
class TokenClaims:
    account_id: int
    scope: str
    version: int


def issue(settings: Settings, account_id: int, minutes: int | None = None, *, version: int = 0,
          scope: str = API) -> tuple[str, int]:
    ttl = (minutes or settings.access_token_minutes) * 60
    now = datetime.now(timezone.utc)
    # jti: two tokens issued in the same second are still two tokens (caches keyed on a token stay apart)
    claims = {"sub": str(account_id), "iss": ISSUER, "iat": now, "exp": now + timedelta(seconds=ttl),
              "scope": scope, "ver": version, "jti": secrets.token_urlsafe(12)}
    return jwt.encode(claims, settings.secret_key_value(), algorithm="HS256"), ttl


def read(settings: Settings, token: str) -> TokenClaims | None:
    try:
        claims = jwt.decode(
            token, settings.secret_key_value(), algorithms=["HS256"], issuer=ISSUER,
            options={"require": ["exp", "sub", "iss", "scope", "ver"]},
        )
        if claims["scope"] not in (API, CHAT):
            return None
        return TokenClaims(int(claims["sub"]), claims["scope"], int(claims["ver"]))
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
