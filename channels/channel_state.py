"""Small shared state of the channels: SMS opt-outs, the choices a number answers, MessageSids seen and
their replies, calls that have ended. Kept where every Rasa server sees it and a restart keeps it:
Redis in production, a SQLite file or memory in development.

`CHANNEL_STATE_URL`: `redis://[:password@]host:port/db` (production: the Redis that holds Rasa's lock
store, another database number), `sqlite:///path` (several processes on one machine), unset: this
process's memory (lost on restart, one server only; fine for a single development server).
Every value is a short string with a time to live; `add` sets a key only if it is absent, atomically,
so two servers given the same retried webhook process it once.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit


class ChannelState(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def put(self, key: str, value: str, ttl: float) -> None: ...
    async def add(self, key: str, value: str, ttl: float) -> bool: ...
    async def pop(self, key: str) -> None: ...


class MemoryState:
    """This process only; the oldest entries go first when full."""

    def __init__(self, max_items: int = 200_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items, self.clock = max_items, clock
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()

    async def get(self, key: str) -> str | None:
        hit = self._items.get(key)
        if hit is None or hit[0] <= self.clock():
            self._items.pop(key, None)
            return None
        return hit[1]

    async def put(self, key: str, value: str, ttl: float) -> None:
        self._items[key] = (self.clock() + ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    async def add(self, key: str, value: str, ttl: float) -> bool:
        if await self.get(key) is not None:
            return False
        await self.put(key, value, ttl)
        return True

    async def pop(self, key: str) -> None:
        self._items.pop(key, None)


class SqliteState:
    """A file shared by the processes of one machine (development with several servers)."""

    def __init__(self, path: str, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS channel_state (key TEXT PRIMARY KEY, value TEXT, expires REAL)")
        self._lock = asyncio.Lock()

    async def get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM channel_state WHERE key = ? AND expires > ?",
                               (key, self.clock())).fetchone()
        return row[0] if row else None

    async def put(self, key: str, value: str, ttl: float) -> None:
        self._db.execute("INSERT OR REPLACE INTO channel_state VALUES (?, ?, ?)", (key, value, self.clock() + ttl))

    async def add(self, key: str, value: str, ttl: float) -> bool:
        now = self.clock()
        async with self._lock:  # one statement each; BEGIN IMMEDIATE makes the pair atomic across processes
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM channel_state WHERE key = ? AND expires <= ?", (key, now))
                added = self._db.execute("INSERT OR IGNORE INTO channel_state VALUES (?, ?, ?)",
                                         (key, value, now + ttl)).rowcount == 1
                if self._db.execute("SELECT count(*) FROM channel_state").fetchone()[0] > 500_000:
                    self._db.execute("DELETE FROM channel_state WHERE expires <= ?", (now,))
            finally:
                self._db.execute("COMMIT")
        return added

    async def pop(self, key: str) -> None:
        self._db.execute("DELETE FROM channel_state WHERE key = ?", (key,))


class RedisState:
    """Shared by every Rasa server (production)."""

    def __init__(self, url: str, prefix: str = "lfpse:channels:") -> None:
        import redis.asyncio

        self._redis = redis.asyncio.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix

    async def get(self, key: str) -> str | None:
        return await self._redis.get(self.prefix + key)

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self._redis.set(self.prefix + key, value, px=max(1, int(ttl * 1000)))

    async def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._redis.set(self.prefix + key, value, px=max(1, int(ttl * 1000)), nx=True))

    async def pop(self, key: str) -> None:
        await self._redis.delete(self.prefix + key)


def from_url(url: str | None) -> ChannelState:
    if not url:
        return MemoryState()
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss", "unix"):
        return RedisState(url)
    if scheme == "sqlite":
        return SqliteState(url.removeprefix("sqlite:///"))
    raise ValueError(f"CHANNEL_STATE_URL: unsupported store {scheme!r} (redis://, sqlite:///path, or unset)")


_shared: dict[str, ChannelState] = {}


def from_env() -> ChannelState:
    """One store per URL per process, shared by the channels."""
    url = os.environ.get("CHANNEL_STATE_URL", "")
    if url not in _shared:
        _shared[url] = from_url(url)
    return _shared[url]
