"""Verifies a staff member's backend access token by asking the backend who it belongs to.

Channels pass on only what they verified (the account id), never what a client claims. Answers are
cached briefly so a conversation does not cost a backend call per message."""

from __future__ import annotations

import time

import httpx

CACHE_SECONDS = 60
_cache: dict[str, tuple[float, int | None]] = {}


async def account_for_token(backend_url: str, token: str) -> int | None:
    now = time.monotonic()
    hit = _cache.get(token)
    if hit and hit[0] > now:
        return hit[1]
    async with httpx.AsyncClient(base_url=backend_url, timeout=5.0) as client:
        r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    account = r.json()["id"] if r.status_code == 200 else None
    if r.status_code in (200, 401, 403):  # a definite answer; a backend error is not cached
        _cache[token] = (now + CACHE_SECONDS, account)
        if len(_cache) > 10_000:
            _cache.clear()
    return account
