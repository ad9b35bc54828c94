"""Which staff account a Teams user is, asked of the backend (which links the user on first use).

A Teams user is known by their Entra (AAD) object id, which the activity carries. Their e-mail, needed
only to link them the first time, is taken from the activity when it has one (`from.email` or
`from.userPrincipalName`: Bot Framework emulators and some clients send it) and otherwise from the
conversation roster, which is where real Teams provides it. Both come from Bot Framework, whose
token was checked; nothing the user typed is used."""

from __future__ import annotations

import time
from typing import Any

import httpx

from channels.teams_connector import Connector
from wording.render import say

CACHE_SECONDS = 60


class NotStaff(Exception):
    """No usable staff account; the message says what to do."""


class BackendUnavailable(Exception):
    pass


def _how_to_get_an_account(email: str | None) -> str:
    return say("channel_no_account", "staff", "screen", who=f" ({email})" if email else "")


LINKED_ELSEWHERE = ("Your staff account is already linked to a different Teams user, so I can't use it here. "
                    "Ask your organisation's admin to check your account, then message me again.")


class TeamsUsers:
    def __init__(self, backend_url: str, service_token: str, connector: Connector) -> None:
        self.backend_url, self.service_token, self.connector = backend_url.rstrip("/"), service_token, connector
        self._cache: dict[str, tuple[float, int]] = {}

    async def _ask(self, oid: str, email: str | None) -> httpx.Response:
        try:
            async with httpx.AsyncClient(base_url=self.backend_url, timeout=10.0) as client:
                r = await client.post("/api/v1/identities/teams/resolve", json={"aad_object_id": oid, "email": email},
                                      headers={"Authorization": f"Bearer {self.service_token}"})
        except httpx.HTTPError as exc:
            raise BackendUnavailable(str(exc)) from exc
        if r.status_code not in (200, 404, 409):
            raise BackendUnavailable(f"{r.status_code} {r.text[:200]}")
        return r

    async def account_for(self, activity: dict[str, Any]) -> int:
        sender = activity.get("from") or {}
        oid = sender.get("aadObjectId")
        if not isinstance(oid, str) or not oid:
            raise NotStaff(_how_to_get_an_account(None))  # e.g. a guest or anonymous user: no directory identity
        hit = self._cache.get(oid)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        email = sender.get("email") or sender.get("userPrincipalName")
        r = await self._ask(oid, email)
        if r.status_code == 404 and not email:  # not linked yet: the roster has the e-mail to link by
            email = await self.connector.member_email(activity)
            if email:
                r = await self._ask(oid, email)
        if r.status_code == 409:
            raise NotStaff(LINKED_ELSEWHERE)
        if r.status_code == 404:
            raise NotStaff(_how_to_get_an_account(email))
        account = int(r.json()["account_id"])
        self._cache[oid] = (time.monotonic() + CACHE_SECONDS, account)
        if len(self._cache) > 10_000:
            self._cache.clear()
        return account
