"""The atomic Redis lock store (channels/redis_lock_store.py) against a real redis-server (Debian's;
scripts/ensure-redis.sh installs it; each test module starts its own on a free port): loaded through
Rasa's `type: module.Class` hook, two "servers" (stores with their own connections) never hold one
conversation's lock at once and serve turns in order, tickets are never handed out twice where
Rasa's own store hands out the same one, and a ticket left by a dead server expires (issue 15)."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from channels.redis_lock_store import AtomicRedisLockStore
from tests.support.redis import TempRedis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def redis_server():
    server = TempRedis()
    if not server.available:
        if os.environ.get("LFPSE_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required (LFPSE_REQUIRE_REDIS=1) but not installed")
        pytest.skip("redis-server is not installed (scripts/ensure-redis.sh installs it)")
    server.start()
    yield server
    server.stop()


def store(server: TempRedis) -> LockStore:
    """As Rasa makes it from endpoints.production.yml's lock_store section."""
    config = EndpointConfig.from_dict({"type": "channels.redis_lock_store.AtomicRedisLockStore", "url": "127.0.0.1",
                                       "port": str(server.port), "db": "1", "password": server.password,
                                       "key_prefix": "lfpse"})
    return LockStore.create(config)


def test_the_production_endpoints_name_it(monkeypatch, redis_server):
    for name, value in {"ACTION_ENDPOINT_URL": "http://x/webhook", "ACTION_SERVER_TOKEN": "t", "TRACKER_DB_HOST": "h",
                        "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": "rasa", "TRACKER_DB_USER": "rasa",
                        "TRACKER_DB_PASSWORD": "p", "TRACKER_DB_LOGIN_DB": "rasa", "REDIS_HOST": "127.0.0.1",
                        "REDIS_PORT": str(redis_server.port), "REDIS_DB": "1",
                        "REDIS_PASSWORD": redis_server.password}.items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(os.path.join(ROOT, "endpoints.production.yml"), "lock_store")
    made = LockStore.create(config)
    assert isinstance(made, AtomicRedisLockStore) and made.prefix == "lfpse:lock:"
    assert made.red.ping()


def test_two_servers_never_hold_one_conversation_at_once_and_serve_in_order(redis_server):
    a, b = store(redis_server), store(redis_server)
    events: list[tuple[str, int]] = []

    async def turn(server: LockStore, n: int) -> None:
        await asyncio.sleep(n * 0.005)  # tickets taken in this order
        async with server.lock("conversation-1", lock_lifetime=30):
            events.append(("start", n))
            await asyncio.sleep(0.01)
            events.append(("end", n))

    async def run() -> None:
        await asyncio.gather(*(turn(a if n % 2 else b, n) for n in range(12)))

    asyncio.run(run())
    assert events == [(kind, n) for n in range(12) for kind in ("start", "end")]  # no overlap, in order
    assert not a.is_someone_waiting("conversation-1")


def test_tickets_taken_at_the_same_moment_are_all_different(redis_server):
    stores = [store(redis_server) for _ in range(4)]
    tickets: list[int] = []
    start = threading.Barrier(len(stores))

    def take(s: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(50):
            tickets.append(s.issue_ticket("conversation-2", 30))

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tickets) == 200 and len(set(tickets)) == 200


def test_rasas_own_store_gives_two_servers_the_same_ticket(redis_server):
    """Why this store exists: Rasa's reads, changes in Python and writes back (RasaHQ/rasa#9213)."""
    def rasa_store() -> RedisLockStore:
        return RedisLockStore(port=redis_server.port, password=redis_server.password, db=2)

    a, b = rasa_store(), rasa_store()
    lock_a, lock_b = a.get_or_create_lock("conversation-3"), b.get_or_create_lock("conversation-3")  # both read
    ticket_a, ticket_b = lock_a.issue_ticket(30), lock_b.issue_ticket(30)
    a.save_lock(lock_a)
    b.save_lock(lock_b)
    assert ticket_a == ticket_b == 0  # both would be let in at once
    s = store(redis_server)
    assert s.issue_ticket("conversation-3b", 30) != s.issue_ticket("conversation-3b", 30)


def test_a_ticket_left_by_a_dead_server_expires(redis_server):
    dead, alive = store(redis_server), store(redis_server)
    dead.issue_ticket("conversation-4", lock_lifetime=0.3)  # taken, its turn came, never given back

    async def run() -> float:
        loop = asyncio.get_running_loop()
        began = loop.time()
        async with alive.lock("conversation-4", lock_lifetime=30):
            return loop.time() - began

    waited = asyncio.run(run())
    assert 0.2 < waited < 3


def test_a_turn_whose_own_ticket_expired_while_waiting_is_refused(redis_server):
    s = store(redis_server)
    s.issue_ticket("conversation-5", lock_lifetime=30)  # someone else's long turn
    mine = s.issue_ticket("conversation-5", lock_lifetime=0.2)

    async def run() -> None:
        await s._acquire_lock("conversation-5", mine, 1)

    with pytest.raises(LockError, match="Could not acquire lock"):
        asyncio.run(run())
