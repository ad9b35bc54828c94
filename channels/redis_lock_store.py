"""An atomic Redis lock store for Rasa, loaded through Rasa's own hook (endpoints.production.yml:
`lock_store: type: channels.redis_lock_store.AtomicRedisLockStore`).

Rasa 3.6's RedisLockStore reads a conversation's ticket lock, changes it in Python and writes it
back, so two Rasa servers taking a ticket for the same conversation at the same moment can both get
ticket 0 and process two messages of one conversation at once, one turn then lost from the tracker
(RasaHQ/rasa#9213). Here every step is one Redis operation or one Lua script, which Redis runs
atomically:

- taking a ticket: INCR of the conversation's counter, the ticket (a key that expires after the lock
  lifetime, so a server that dies holding it blocks others no longer than that) and its place in the
  conversation's queue (a sorted set), in one script;
- whose turn: the lowest ticket in the queue whose key has not expired (expired ones are dropped);
- done: the ticket leaves the queue and its key is deleted.

Keys: <key_prefix>:lock:{<conversation>}:next | :queue | :ticket:<n>; the braces keep one
conversation's keys in one Redis Cluster slot. Every key expires, so nothing is left behind.
Turns of a conversation are served in the order their tickets were taken, as in Rasa's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02  # how often a waiting turn asks whether it is its turn (Rasa's store: every second)
KEEP_SECONDS = 3600  # a conversation's counter and queue outlive their last ticket by this

TAKE = """
local n = redis.call('INCR', KEYS[1])
redis.call('SET', ARGV[1] .. n, '1', 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], n, n)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return n
"""
# 1: the ticket's turn; 0: wait; -1: the ticket expired before its turn came.
TURN = """
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not head then return -1 end
  if redis.call('EXISTS', ARGV[1] .. head) == 1 then
    if head == ARGV[2] then return 1 end
    if redis.call('EXISTS', ARGV[1] .. ARGV[2]) == 0 then
      redis.call('ZREM', KEYS[1], ARGV[2])
      return -1
    end
    return 0
  end
  redis.call('ZREM', KEYS[1], head)
end
"""
DONE = """
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('DEL', ARGV[1] .. ARGV[2])
return redis.call('ZCARD', KEYS[1])
"""


class AtomicRedisLockStore(LockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, *, host: str = "localhost", port: int = 6379,
                 db: int = 1, username: str | None = None, password: str | None = None, use_ssl: bool = False,
                 key_prefix: str | None = None, socket_timeout: float = 10.0, poll_seconds: float = POLL_SECONDS) -> None:
        import redis

        if endpoint_config is not None:  # Rasa's hook: `url` is the host, the rest are keyword settings
            settings = dict(endpoint_config.kwargs)
            host = endpoint_config.url or host
            port, db = int(settings.get("port") or port), int(settings.get("db") or db)
            username, password = settings.get("username") or username, settings.get("password") or password
            use_ssl = str(settings.get("use_ssl", use_ssl)).lower() in ("1", "true", "yes")
            key_prefix = settings.get("key_prefix") or key_prefix
            socket_timeout = float(settings.get("socket_timeout") or socket_timeout)
            poll_seconds = float(settings.get("poll_seconds") or poll_seconds)
        if key_prefix is not None and not str(key_prefix).isalnum():
            raise ValueError(f"key_prefix must be letters and digits, not {key_prefix!r}")
        self.red = redis.StrictRedis(host=host, port=int(port), db=int(db), username=username, password=password or None,
                                     ssl=use_ssl, socket_timeout=socket_timeout)
        self.prefix = f"{key_prefix}:lock:" if key_prefix else "lock:"
        self.poll_seconds = poll_seconds
        self._take, self._turn, self._done = (self.red.register_script(s) for s in (TAKE, TURN, DONE))
        super().__init__()

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        base = f"{self.prefix}{{{conversation_id}}}"
        return f"{base}:next", f"{base}:queue", f"{base}:ticket:"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        counter, queue, ticket_prefix = self._keys(conversation_id)
        lifetime_ms = max(1, int(lock_lifetime * 1000))
        try:
            return int(self._take(keys=[counter, queue], args=[ticket_prefix, lifetime_ms,
                                                                lifetime_ms + KEEP_SECONDS * 1000]))
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        _, queue, ticket_prefix = self._keys(conversation_id)
        pause = min(wait_time_in_seconds, self.poll_seconds)
        while True:
            turn = int(self._turn(keys=[queue], args=[ticket_prefix, ticket]))
            if turn == 1:
                return TicketLock(conversation_id)
            if turn == -1:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(pause)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            self.cleanup(conversation_id, ticket)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        _, queue, ticket_prefix = self._keys(conversation_id)
        self._done(keys=[queue], args=[ticket_prefix, ticket_number])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.finish_serving(conversation_id, ticket_number)  # the keys expire by themselves

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return bool(self.red.zcard(self._keys(conversation_id)[1]))

    def delete_lock(self, conversation_id: str) -> None:
        counter, queue, _ = self._keys(conversation_id)
        self.red.delete(counter, queue)

    # Rasa's read-change-write interface is what made its store unsafe: not offered here.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        raise NotImplementedError("AtomicRedisLockStore has no read-modify-write lock; use lock()")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("AtomicRedisLockStore has no read-modify-write lock; use lock()")
