"""A per-sender rate limit for the input channels: a flood of messages from one sender is answered
with a polite reply and never reaches the assistant, so one sender cannot tie up the Rasa server,
the action server and the backend for everyone else.

Each sender has a token bucket: it holds `limit + burst` messages and refills at `limit` messages
per `window` seconds. So a sender may send up to `limit + burst` messages at once and then `limit`
per `window` (defaults: 30 at once, then 20 a minute; a person answering the assistant's questions
sends one every few seconds and never comes near it). A sender whose bucket has filled up again is
forgotten (it is the same as a new one), and at most `max_senders` are tracked (the least recently
seen goes first), so memory stays bounded whatever the number of senders.

The key is the channel's own sender: the phone number for SMS, the CallSid for a call, the Teams
conversation, the web chat's server-assigned conversation, the REST caller's `sender`.

The buckets live in this process. With several Rasa servers behind a load balancer each server
counts on its own; with sticky routing per conversation (docs/deployment.md) a conversation always
reaches the same server, so the limit is per conversation all the same. Limits on the number of
conversations (a client opening new web chats, forged senders) belong to the proxy in front.

Configured from the environment (README, "Configuration"): CHANNEL_RATE_LIMIT, CHANNEL_RATE_WINDOW,
CHANNEL_RATE_BURST, CHANNEL_RATE_SENDERS; CHANNEL_RATE_LIMIT=0 turns the limit off."""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from wording.render import say

DEFAULT_LIMIT = 20  # messages per window, sustained
DEFAULT_WINDOW = 60.0  # seconds
DEFAULT_BURST = 10  # messages more at once
DEFAULT_SENDERS = 100_000  # senders tracked at most

# Public-friendly wording: the person may be upset, and must know nothing they said was lost.
SLOW_DOWN = say("channel_slow_down", "public", "screen")
SLOW_DOWN_VOICE = say("channel_slow_down", "public", "speech")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    tell: bool = False  # refused, and the first refusal since this sender was last let through: say why
    retry_after: float = 0.0  # seconds until the next message would be let through


ALLOWED = Verdict(True)


@dataclass
class _Bucket:
    tokens: float
    at: float
    told: bool = False


class RateLimiter:
    def __init__(self, limit: int = DEFAULT_LIMIT, window: float = DEFAULT_WINDOW, burst: int = DEFAULT_BURST,
                 max_senders: int = DEFAULT_SENDERS, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 0 or burst < 0 or window <= 0 or max_senders < 1:
            raise ValueError("the rate limit needs limit >= 0, burst >= 0, window > 0 and max_senders >= 1")
        self.limit, self.window, self.burst, self.max_senders = limit, float(window), burst, max_senders
        self.capacity = float(limit + burst)
        self.rate = limit / self.window  # tokens per second
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently seen first

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RateLimiter:
        env = os.environ if env is None else env

        def read(name: str, default: float, kind: type) -> float:
            raw = (env.get(name) or "").strip()
            if not raw:
                return default
            try:
                return kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number, not {raw!r}") from None

        return cls(limit=int(read("CHANNEL_RATE_LIMIT", DEFAULT_LIMIT, int)),
                   window=read("CHANNEL_RATE_WINDOW", DEFAULT_WINDOW, float),
                   burst=int(read("CHANNEL_RATE_BURST", DEFAULT_BURST, int)),
                   max_senders=int(read("CHANNEL_RATE_SENDERS", DEFAULT_SENDERS, int)))

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, sender: str) -> Verdict:
        """Counts one message from `sender`; whether it may go on to the assistant."""
        if not self.enabled:
            return ALLOWED
        now = self.clock()
        self._forget_idle(now)
        bucket = self._buckets.pop(sender, None)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        self._buckets[sender] = bucket  # now the most recently seen
        while len(self._buckets) > self.max_senders:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.told = False
            return ALLOWED
        tell, bucket.told = not bucket.told, True
        return Verdict(False, tell, (1 - bucket.tokens) / self.rate)

    def _forget_idle(self, now: float) -> None:
        """Drops senders whose bucket has filled up again: they are the same as senders never seen.
        The oldest come first, so this stops at the first one still refilling."""
        refill = self.capacity / self.rate
        while self._buckets:
            sender, oldest = next(iter(self._buckets.items()))
            if now - oldest.at < refill:
                break
            del self._buckets[sender]
