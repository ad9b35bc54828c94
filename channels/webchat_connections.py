"""How many web chat connections one client may hold, and how fast it may open new ones.

Each web chat connection is a new conversation (channels/webchat.py), so the per-conversation
message limit (channels/rate_limit.py) does not hold back a client that keeps opening sockets: it
would hold one Rasa conversation, one tracker and a socket each. A client is the connection's
address as the socket server sees it (REMOTE_ADDR); behind a proxy that is the proxy, unless
WEBCHAT_TRUST_FORWARDED=1 says the first X-Forwarded-For address was set by our own proxy.

- at most `max_open` connections open at once per client (WEBCHAT_MAX_CONNECTIONS, default 10: a
  household or a ward behind one address with several tabs open is well within it);
- new connections per client through a token bucket (WEBCHAT_CONNECT_RATE per minute, default 20,
  with a burst of 10): reconnecting after a dropped network is fine, a loop is not.
WEBCHAT_MAX_CONNECTIONS=0 turns both off. Counts are per Rasa process; a refused connection is
logged without its address (personal data)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from channels.rate_limit import RateLimiter

DEFAULT_MAX_OPEN = 10
DEFAULT_CONNECT_RATE = 20  # new connections a minute, sustained
CONNECT_BURST = 10


def client_of(environ: Mapping[str, Any], trust_forwarded: bool) -> str:
    """The client's address; our own proxy's X-Forwarded-For only when told to trust it."""
    if trust_forwarded:
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return str(environ.get("REMOTE_ADDR") or "unknown")


class ConnectionLimit:
    def __init__(self, max_open: int = DEFAULT_MAX_OPEN, connect_rate: int = DEFAULT_CONNECT_RATE,
                 trust_forwarded: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        if max_open < 0 or connect_rate < 0:
            raise ValueError("web chat connection limits must be 0 or more")
        self.max_open, self.trust_forwarded = max_open, trust_forwarded
        self.opening = RateLimiter(limit=connect_rate, window=60.0, burst=CONNECT_BURST, clock=clock)
        self._open: dict[str, int] = {}
        self._client_of_sid: dict[str, str] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ConnectionLimit:
        env = os.environ if env is None else env

        def number(name: str, default: int) -> int:
            raw = (env.get(name) or "").strip()
            try:
                return int(raw) if raw else default
            except ValueError:
                raise ValueError(f"{name} must be a whole number, not {raw!r}") from None

        return cls(number("WEBCHAT_MAX_CONNECTIONS", DEFAULT_MAX_OPEN),
                   number("WEBCHAT_CONNECT_RATE", DEFAULT_CONNECT_RATE),
                   (env.get("WEBCHAT_TRUST_FORWARDED") or "").strip() == "1")

    @property
    def enabled(self) -> bool:
        return self.max_open > 0

    def open(self, sid: str, environ: Mapping[str, Any]) -> bool:
        """Counts a new connection; False: refuse it (too many open, or opened too fast)."""
        if not self.enabled:
            return True
        client = client_of(environ, self.trust_forwarded)
        if self._open.get(client, 0) >= self.max_open or not self.opening.check(client).allowed:
            return False
        self._open[client] = self._open.get(client, 0) + 1
        self._client_of_sid[sid] = client
        return True

    def close(self, sid: str) -> None:
        client = self._client_of_sid.pop(sid, None)
        if client is None:
            return
        left = self._open.get(client, 0) - 1
        if left > 0:
            self._open[client] = left
        else:
            self._open.pop(client, None)

    def open_for(self, client: str) -> int:
        return self._open.get(client, 0)
