"""Verifies a staff member's backend access token by asking the backend who it belongs to.

Channels pass on only what they verified (the account id), never what a client claims. Answers are
cached briefly so a conversation does not cost a backend call per message. While the backend cannot
be reached, a token it accepted in the last STALE_SECONDS is still taken (a conversation carries on
through a backend restart; the assistant then says the backend is down itself); a token it has not
vouched for lately raises IdentityUnavailable."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

CACHE_SECONDS = 60
STALE_SECONDS = 15 * 60  # no longer than a staff chat token lives
_cache: dict[str, tuple[float, int | None]] = {}  # token -> (when the backend answered, account or None)


class IdentityUnavailable(RuntimeError):
    """The backend could not be asked and has not vouched for this token lately."""


async def account_for_token(backend_url: str, token: str,
                            clock: Callable[[], float] = time.monotonic) -> int | None:
    now = clock()
    hit = _cache.get(token)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    try:
        async with httpx.AsyncClient(base_url=backend_url, timeout=5.0) as client:
            r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        return _stale(hit, now, exc)
    if r.status_code not in (200, 401, 403):  # a backend error is not an answer, and is not cached
        return _stale(hit, now, RuntimeError(f"the backend answered {r.status_code}"))
    account = r.json()["id"] if r.status_code == 200 else None
    _cache[token] = (now, account)
    if len(_cache) > 10_000:
        _cache.clear()
    return account


def _stale(hit: tuple[float, int | None] | None, now: float, why: Exception) -> int | None:
    if hit and hit[1] is not None and now - hit[0] < STALE_SECONDS:
        return hit[1]
    raise IdentityUnavailable(f"could not verify the staff token: {why}") from why
