"""Sign-in throttling: failed tries counted per account (the e-mail given) and per client address
within a window, and a cap on how many password checks run at once (each argon2 check takes 64 MiB,
so a burst of sign-ins must not exhaust memory). In-process: with several backend processes each
counts its own, so the effective limit is the per-process limit times the processes (say so in
docs/deployment.md). The clock is injected."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class SignInThrottle:
    per_account: int = 5
    per_client: int = 20
    window_seconds: float = 15 * 60
    concurrent_checks: int = 4
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.checks = threading.BoundedSemaphore(self.concurrent_checks)

    def _recent(self, key: str) -> deque[float]:
        now = self.clock()
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_seconds:
            q.popleft()
        return q

    def retry_after(self, email: str, client: str) -> int:
        """Seconds until a try is allowed again for this e-mail and client; 0 if allowed now."""
        with self._lock:
            waits = []
            for key, limit in ((f"account:{email.strip().lower()}", self.per_account), (f"client:{client}", self.per_client)):
                q = self._recent(key)
                if len(q) >= limit:
                    waits.append(int(self.window_seconds - (self.clock() - q[0])) + 1)
            return max(waits, default=0)

    def failed(self, email: str, client: str) -> None:
        with self._lock:
            for key in (f"account:{email.strip().lower()}", f"client:{client}"):
                self._recent(key).append(self.clock())
            if len(self._failures) > 100_000:  # a flood of distinct e-mails: forget, rather than grow
                self._failures.clear()

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(f"account:{email.strip().lower()}", None)
