"""Short-lived signed access tokens for staff (JWT, HS256, with expiry)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

import jwt

from backend.config import Settings

ISSUER = "lfpse-assistant-backend"


def issue(settings: Settings, account_id: int, minutes: int | None = None) -> tuple[str, int]:
    ttl = (minutes or settings.access_token_minutes) * 60
    now = datetime.now(timezone.utc)
    # jti: two tokens issued in the same second are still two tokens (caches keyed on a token stay apart)
    claims = {"sub": str(account_id), "iss": ISSUER, "iat": now, "exp": now + timedelta(seconds=ttl),
              "jti": secrets.token_urlsafe(12)}
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm="HS256"), ttl


def account_id_from(settings: Settings, token: str) -> int | None:
    try:
        claims = jwt.decode(
            token, settings.secret_key.get_secret_value(), algorithms=["HS256"], issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        return None
