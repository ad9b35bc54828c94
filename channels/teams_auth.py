"""Checks that an activity really comes from the Bot Framework service for this bot.

Rasa's connector checks neither the issuer nor the service URL and fetches its keys synchronously when
it is constructed (so `rasa run` aborts offline). Here the keys are fetched on first use, cached, and
refreshed when a token names a key we do not know (Microsoft rotates them)."""

from __future__ import annotations

import fnmatch
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
# Where Teams sends activities from; a reply (with our token) goes back there. Only Teams: the other Bot
# Framework channels (*.botframework.com: Web Chat, Direct Line, the emulator) let the client write the
# `from` fields we take a user's identity from. Government clouds: set TEAMS_SERVICE_URLS.
SERVICE_URLS = ("https://smba.trafficmanager.net",)
TEAMS_CHANNEL = "msteams"
LEEWAY_SECONDS = 300  # Bot Framework's documented clock-skew allowance
KEYS_TTL_SECONDS = 24 * 3600
MIN_REFRESH_SECONDS = 60  # tokens naming unknown keys must not make us hammer Microsoft


class Refused(Exception):
    """The activity is not accepted; `status` is the HTTP answer (401 not authenticated, 403 not allowed,
    503 cannot check now)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class SigningKeys:
    """Bot Framework's public keys (JWKS), found through its OpenID metadata document."""

    def __init__(self, openid_url: str, ttl: float = KEYS_TTL_SECONDS,
                 min_refresh: float = MIN_REFRESH_SECONDS) -> None:
        self.openid_url, self.ttl, self.min_refresh = openid_url, ttl, min_refresh
        self.keys: dict[str, dict[str, Any]] = {}
        self.fetched_at = float("-inf")

    async def _fetch(self) -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            meta = (await client.get(self.openid_url)).raise_for_status().json()
            jwks = (await client.get(meta["jwks_uri"])).raise_for_status().json()
        self.keys = {k["kid"]: k for k in jwks.get("keys", []) if "kid" in k}
        self.fetched_at = time.monotonic()

    async def _refresh(self) -> None:
        try:
            await self._fetch()
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            logger.warning("Could not fetch Bot Framework signing keys from %s: %s", self.openid_url, exc)
            if not self.keys:
                raise Refused(503, "The Bot Framework signing keys cannot be fetched now") from exc
            self.fetched_at = time.monotonic() - self.ttl + self.min_refresh  # retry soon, keep the old keys

    async def get(self, kid: str) -> dict[str, Any] | None:
        age = time.monotonic() - self.fetched_at
        if age > self.ttl or (kid not in self.keys and age > self.min_refresh):
            await self._refresh()
        return self.keys.get(kid)


def service_url_allowed(url: str, patterns: tuple[str, ...]) -> bool:
    """Matches scheme://host[:port] only, so neither a path nor user info can smuggle an allowed name in."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return False
    if parts.scheme not in ("https", "http") or not host or parts.username is not None:
        return False
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    return any(fnmatch.fnmatchcase(origin, p.lower().rstrip("/")) for p in patterns)


class TokenValidator:
    def __init__(self, app_id: str, keys: SigningKeys, service_urls: tuple[str, ...] = SERVICE_URLS) -> None:
        self.app_id, self.keys, self.service_urls = app_id, keys, service_urls

    async def check(self, authorization: str | None, activity: dict[str, Any]) -> dict[str, Any]:
        """The token's claims if the request is from Bot Framework, for this bot, about this activity."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused(401, "A Bot Framework bearer token is required")
        try:
            header = jwt.get_unverified_header(token.strip())
        except jwt.PyJWTError as exc:
            raise Refused(401, "The token is malformed") from exc
        if header.get("alg") != "RS256":  # never let the token choose a weaker algorithm
            raise Refused(401, "The token is not signed with RS256")
        jwk = await self.keys.get(str(header.get("kid")))
        if jwk is None:
            raise Refused(401, "The token is signed with an unknown key")
        try:
            claims = jwt.decode(
                token.strip(), key=RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"], audience=self.app_id,
                issuer=ISSUER, leeway=LEEWAY_SECONDS, options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise Refused(401, f"The token is not valid: {exc}") from exc
        service_url = activity.get("serviceUrl")
        if not isinstance(service_url, str) or not service_url_allowed(service_url, self.service_urls):
            raise Refused(403, "The activity's serviceUrl is not an allowed Bot Framework address")
        claimed = claims.get("serviceurl") or claims.get("serviceUrl")
        if claimed is not None and str(claimed).rstrip("/") != service_url.rstrip("/"):
            raise Refused(403, "The token was issued for another serviceUrl")
        endorsements = jwk.get("endorsements")
        if endorsements is not None and activity.get("channelId") not in endorsements:
            raise Refused(403, "The signing key is not endorsed for this channel")
        return claims
