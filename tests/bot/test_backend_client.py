"""actions/backend_client.py on its own (httpx.MockTransport): what is retried, and what the actions
see when the backend stays unreachable."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable


def client(answers: list) -> tuple[BackendClient, list[httpx.Request]]:
    """A client whose backend answers each request with the next item: a status code, or an exception."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json={"record": {"id": "r1"}, "next_question": None})

    return BackendClient("http://backend.test", token="t", backoff=0, transport=httpx.MockTransport(handle)), seen


@pytest.mark.parametrize("failure", [
    httpx.ConnectError("refused"),  # not listening (being restarted)
    httpx.ReadError("connection reset"),  # killed while answering
    httpx.WriteError("broken pipe"),
    httpx.RemoteProtocolError("server disconnected"),
    httpx.ReadTimeout("slow"),
    httpx.ConnectTimeout("slow"),
], ids=lambda e: type(e).__name__)
def test_a_dropped_or_refused_connection_is_tried_again(failure):
    backend, seen = client([failure, failure, 200])
    assert asyncio.run(backend.answer("public:k", "r1", [{"field": "PreciseTime", "value": "15:00"}]))
    assert len(seen) == 3 and seen[0].url.params["core_only"] == "true"


def test_still_unreachable_after_the_retries_is_backend_unavailable():
    backend, seen = client([httpx.ReadError("reset")] * 4)
    with pytest.raises(BackendUnavailable):
        asyncio.run(backend.answer("public:k", "r1", []))
    assert len(seen) == 4


def test_a_5xx_is_tried_again_and_a_4xx_is_not():
    backend, seen = client([503, 502, 200])
    asyncio.run(backend.next_question("public:k", "r1"))
    assert len(seen) == 3
    backend, seen = client([422])
    with pytest.raises(BackendRejected):
        asyncio.run(backend.next_question("public:k", "r1"))
    assert len(seen) == 1
