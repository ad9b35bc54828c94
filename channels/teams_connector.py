"""Talks back to Bot Framework: replies to an activity, and looks up a member's e-mail in the roster,
with the bot's own token (OAuth client credentials), cached until shortly before it expires.

Rasa's connector uses the blocking `requests` library inside async code and a class-wide token; this
uses httpx, one token per bot, and retries what Bot Framework asks to be retried."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import quote

import httpx

logger = logging.getLogger(__name__)

TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
SCOPE = "https://api.botframework.com/.default"
ATTEMPTS = 3


def _path(*parts: str) -> str:
    # Teams conversation ids contain ':', '@' and ';': they must be escaped in the URL path.
    return "/".join(quote(p, safe="") for p in parts)


def _retry_after(header: str | None, default: float) -> float:
    try:
        return min(float(header), 5.0) if header else default
    except ValueError:  # an HTTP date: not worth parsing for a wait we cap at seconds anyway
        return default


class Connector:
    def __init__(self, app_id: str, app_password: str, token_url: str = TOKEN_URL, timeout: float = 10.0) -> None:
        self.app_id, self.app_password, self.token_url, self.timeout = app_id, app_password, token_url, timeout
        self._token: str | None = None
        self._token_until = 0.0

    async def _bot_token(self, client: httpx.AsyncClient) -> str:
        if self._token and time.monotonic() < self._token_until:
            return self._token
        r = await client.post(self.token_url, data={
            "grant_type": "client_credentials", "client_id": self.app_id, "client_secret": self.app_password,
            "scope": SCOPE,
        })
        r.raise_for_status()
        body = r.json()
        lifetime = int(body.get("expires_in", 3600))
        self._token = body["access_token"]
        self._token_until = time.monotonic() + max(lifetime - 300, lifetime / 2)  # renew before it lapses
        return self._token

    async def _call(self, method: str, url: str, json: dict[str, Any] | None = None) -> httpx.Response | None:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    headers = {"Authorization": f"Bearer {await self._bot_token(client)}"}
                    r = await client.request(method, url, json=json, headers=headers)
                except (httpx.HTTPError, KeyError, ValueError) as exc:
                    logger.warning("Bot Framework call %s %s failed (attempt %d): %s", method, url, attempt, exc)
                    await asyncio.sleep(0.5 * attempt)
                    continue
                if r.status_code == 401:  # our token was refused: get a fresh one
                    self._token = None
                elif r.status_code == 429 or r.status_code >= 500:
                    await asyncio.sleep(_retry_after(r.headers.get("Retry-After"), 0.5 * attempt))
                else:
                    return r
            logger.error("Bot Framework call %s %s failed after %d attempts", method, url, ATTEMPTS)
            return None

    async def reply(self, activity: dict[str, Any], message: dict[str, Any]) -> bool:
        """Posts `message` as a reply to `activity` in its conversation; False (logged) if it was not delivered."""
        conversation = activity["conversation"]["id"]
        service = activity["serviceUrl"].rstrip("/")
        url = f"{service}/v3/conversations/{_path(conversation, 'activities', activity['id'])}"
        body = {
            "type": "message", "from": activity.get("recipient"), "recipient": activity.get("from"),
            "conversation": {"id": conversation}, "replyToId": activity["id"], **message,
        }
        r = await self._call("POST", url, body)
        if r is None or not r.is_success:
            logger.error("Reply to Teams not delivered: %s", r.text[:300] if r is not None else "no answer")
            return False
        return True

    async def member_email(self, activity: dict[str, Any]) -> str | None:
        """The sender's e-mail from the conversation roster, which Teams fills from the directory."""
        service = activity["serviceUrl"].rstrip("/")
        url = f"{service}/v3/conversations/{_path(activity['conversation']['id'], 'members', activity['from']['id'])}"
        r = await self._call("GET", url)
        if r is None or not r.is_success:
            return None
        try:
            member = r.json()
        except ValueError:
            return None
        return member.get("email") or member.get("userPrincipalName")
