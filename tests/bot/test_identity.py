"""channels/identity.py against a small real HTTP server standing in for the backend's /api/v1/me:
answers are cached, a token the backend accepted lately still works while the backend is down, and
one it has not vouched for is never taken (nor downgraded to the public)."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels import identity


class Me(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.calls += 1  # type: ignore[attr-defined]
        good = self.path == "/api/v1/me" and self.headers["Authorization"] == "Bearer good"
        body = json.dumps({"id": 7} if good else {"detail": "Not authenticated"}).encode()
        self.send_response(200 if good else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def backend(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Me)
    server.calls = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    clock = [1000.0]
    monkeypatch.setattr(identity, "_cache", {})
    yield server, f"http://127.0.0.1:{server.server_address[1]}", clock
    server.shutdown()
    server.server_close()


def ask(url: str, token: str, clock: list[float]):
    return asyncio.run(identity.account_for_token(url, token, clock=lambda: clock[0]))


def test_answers_are_cached_for_a_minute(backend):
    server, url, clock = backend
    assert ask(url, "good", clock) == 7 and ask(url, "bad", clock) is None
    assert ask(url, "good", clock) == 7 and server.calls == 2
    clock[0] += identity.CACHE_SECONDS + 1
    assert ask(url, "good", clock) == 7 and server.calls == 3


def test_while_the_backend_is_down_only_a_token_it_accepted_lately_is_taken(backend):
    server, url, clock = backend
    assert ask(url, "good", clock) == 7 and ask(url, "bad", clock) is None
    server.shutdown()
    server.server_close()
    clock[0] += identity.CACHE_SECONDS + 1
    assert ask(url, "good", clock) == 7  # carries on through a backend restart
    with pytest.raises(identity.IdentityUnavailable):
        ask(url, "bad", clock)  # refused before: never taken, never downgraded to the public
    with pytest.raises(identity.IdentityUnavailable):
        ask(url, "never seen", clock)
    clock[0] += identity.STALE_SECONDS
    with pytest.raises(identity.IdentityUnavailable):
        ask(url, "good", clock)  # vouched for too long ago
