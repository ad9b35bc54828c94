"""The production-mode system for end-to-end tests (issue 6), shared by test_production_mode.py and
test_resilience.py: throwaway PostgreSQL and Redis, the backend's database migrated and seeded with
one organisation and one member of staff, then the backend, the action server and Rasa started with
the production settings (System(production=True))."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Organisation, Role
from backend.auth.passwords import hash_password
from backend.database.migrate import upgrade_to_head
from tests.e2e.system import System, http
from tests.support.postgres import TempPostgres
from tests.support.redis import TempRedis

PASSWORD = "e2e password for a fictional production nurse"
NURSE = "nurse@prod.e2e.example.org"


def require_stores() -> None:
    """Skips (or, with LFPSE_REQUIRE_POSTGRES=1, fails) when PostgreSQL or Redis is not installed."""
    missing = [name for name, ok in (("PostgreSQL", TempPostgres().available), ("Redis", TempRedis().available))
               if not ok]
    if missing:
        why = f"{' and '.join(missing)} not installed (scripts/ensure-postgres.sh, scripts/ensure-redis.sh)"
        if os.environ.get("LFPSE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"production mode is required here but {why}")
        pytest.skip(why)


def seed(database_url: str) -> None:
    """The schema, the organisation G81019 and the nurse (NURSE, PASSWORD) who reports for it."""
    upgrade_to_head(database_url)
    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            db.add(Organisation(ods_code="G81019", name="BEACON SURGERY", email_domains="prod.e2e.example.org"))
            db.flush()
            db.add(Account(email=NURSE, display_name="Nurse", password_hash=hash_password(PASSWORD),
                           organisation_ods="G81019", role=Role.standard.value))
            db.commit()
    finally:
        engine.dispose()


@contextlib.contextmanager
def production_system(tmp: Path, request: pytest.FixtureRequest, *more_rasa: str) -> Iterator[System]:
    """The whole system in production mode (plus more Rasa servers sharing the stores, by name), stopped
    afterwards. Prints how long each process took to become ready."""
    require_stores()
    sysm = System(tmp, production=True)
    try:
        sysm.start_stores()
        seed(sysm.database_url)
        sysm.start()
        if more_rasa:
            sysm.start_rasa(*more_rasa)
        times = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sysm.ready_after.items())
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            print(f"\nproduction mode ready after: {times}", flush=True)
        yield sysm
    finally:
        sysm.stop()


def staff_token(system: System) -> str:
    """A backend access token for NURSE."""
    status, body = http("POST", f"{system.backend}/api/v1/auth/token", {"username": NURSE, "password": PASSWORD},
                        form=True)
    assert status == 200, body
    return body["access_token"]
