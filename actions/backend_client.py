"""The action server's one way to the backend: HTTP with the service credential, acting for the
person in the conversation, with timeouts and retries. The action server never touches the database."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx

API = "/api/v1"
# Tried again: the backend could not be reached, timed out, or its connection dropped mid-request
# (NetworkError covers connecting, reading and writing: a backend killed mid-answer is a ReadError).
# Saving an answer is idempotent, so repeating one the backend may already have saved is safe.
RETRYABLE = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)


class BackendUnavailable(RuntimeError):
    """The backend did not answer after retries; nothing the reporter said is lost (the turn is retried)."""


class BackendRejected(RuntimeError):
    def __init__(self, status: int, detail: Any):
        super().__init__(f"backend answered {status}: {detail}")
        self.status, self.detail = status, detail


def _service_token() -> str:
    token = os.environ.get("SERVICE_TOKEN")
    if token:
        return token
    # Development: the backend generated it into var/dev-secrets.json on first run.
    dev = Path(__file__).resolve().parent.parent / "var" / "dev-secrets.json"
    if dev.exists():
        return json.loads(dev.read_text())["service_token"]
    raise RuntimeError("SERVICE_TOKEN is not set and no development secret exists")


class BackendClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, timeout: float = 10.0,
                 retries: int = 3, backoff: float = 0.3, transport: httpx.AsyncBaseTransport | None = None):
        self.base_url = (base_url or os.environ.get("BACKEND_URL", "http://127.0.0.1:8000")).rstrip("/")
        self._token = token
        self._timeout, self._retries, self._backoff = timeout, retries, backoff
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self._timeout, transport=self._transport)
        return self._client

    async def _call(self, method: str, path: str, act_as: str, **kwargs: Any) -> Any:
        token = self._token or _service_token()
        headers = {"Authorization": f"Bearer {token}", "X-Act-As": act_as}
        for attempt in range(self._retries + 1):
            try:
                r = await self._http().request(method, API + path, headers=headers, **kwargs)
            except RETRYABLE as exc:
                if attempt == self._retries:
                    raise BackendUnavailable(str(exc)) from exc
                await asyncio.sleep(self._backoff * 2**attempt)
                continue
            if r.status_code >= 500 and attempt < self._retries:
                await asyncio.sleep(self._backoff * 2**attempt)
                continue
            if r.status_code >= 500:
                raise BackendUnavailable(f"backend answered {r.status_code}")
            if r.status_code >= 400:
                raise BackendRejected(r.status_code, r.json().get("detail") if r.content else None)
            return r.json() if r.content else None
        raise BackendUnavailable("unreachable")  # pragma: no cover

    # Records
    async def create_record(self, act_as: str, channel: str, event_type: str | None = None,
                            answers: list[dict] | None = None) -> dict:
        body = {"channel": channel, "event_type": event_type, "answers": answers or []}
        return await self._call("POST", "/records", act_as, json=body)

    async def answer(self, act_as: str, record_id: str, answers: list[dict]) -> dict:
        """Saves answers; the result's next_question is the assistant's next one (core questions)."""
        return await self._call("POST", f"/records/{record_id}/answers", act_as, json={"answers": answers},
                                params={"core_only": "true"})

    async def next_question(self, act_as: str, record_id: str) -> dict:
        return await self._call("GET", f"/records/{record_id}/next-question", act_as, params={"core_only": "true"})

    async def summary(self, act_as: str, record_id: str) -> dict:
        return await self._call("GET", f"/records/{record_id}/summary", act_as)

    async def submit(self, act_as: str, record_id: str) -> dict:
        return await self._call("POST", f"/records/{record_id}/submit", act_as)

    async def delete(self, act_as: str, record_id: str) -> None:
        await self._call("DELETE", f"/records/{record_id}", act_as)

    async def drafts(self, act_as: str) -> list[dict]:
        return (await self._call("GET", "/records", act_as, params={"status": "draft", "limit": 10}))["items"]

    async def issue_resume_code(self, act_as: str, record_id: str) -> dict:
        return await self._call("POST", f"/records/{record_id}/resume-code", act_as)

    async def redeem_code(self, act_as: str, code: str) -> dict:
        return await self._call("POST", "/records/resume", act_as, json={"code": code})

    async def plan(self, act_as: str, event_type: str, audience: str) -> dict:
        return await self._call("GET", f"/plan/{event_type}", act_as, params={"audience": audience})

    # Narrative analysis and lookups
    async def analyse(self, act_as: str, text: str, audience: str) -> dict:
        return await self._call("POST", "/narrative/analyse", act_as, json={"text": text, "audience": audience})

    # Understanding replies (backend/interpret): what a reply says, read against the plan's question.
    async def interpret_reply(self, act_as: str, field: str | None, text: str, audience: str,
                              mandatory: bool = True) -> dict:
        body = {"field": field, "text": text, "audience": audience, "mandatory": mandatory}
        return await self._call("POST", "/interpret/reply", act_as, json=body)

    async def interpret_group(self, act_as: str, group: str, text: str, audience: str) -> dict:
        """One reply to a group of questions asked as one, read into each of its fields."""
        body = {"group": group, "text": text, "audience": audience}
        return await self._call("POST", "/interpret/group", act_as, json=body)

    async def interpret_correction(self, act_as: str, text: str, event_type: str, audience: str,
                                   answered: list[str]) -> dict:
        body = {"text": text, "event_type": event_type, "audience": audience, "answered": answered}
        return await self._call("POST", "/interpret/correction", act_as, json=body)

    async def record(self, act_as: str, record_id: str) -> dict:
        return await self._call("GET", f"/records/{record_id}", act_as)

    async def search_codes(self, act_as: str, system: str, query: str, limit: int = 5) -> dict:
        return await self._call("GET", f"/taxonomy/code-systems/{system}", act_as, params={"q": query, "limit": limit})


_client: BackendClient | None = None


def get_client() -> BackendClient:
    global _client
    if _client is None:
        _client = BackendClient()
    return _client


def set_client(client: Any) -> None:
    """Tests put the fake backend here."""
    global _client
    _client = client
