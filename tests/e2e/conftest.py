from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Organisation, Role
from backend.auth.passwords import hash_password
from backend.database.migrate import upgrade_to_head
from tests.e2e.reporter import TURNS, Reporter, Tally
from tests.e2e.system import System, http
from tests.e2e.teams_env import teams_microsoft  # noqa: F401  (fake Microsoft endpoints for the Teams channel)

PASSWORD = "e2e password for a fictional nurse"

# The per-sender rate limit (channels/rate_limit.py) for every system these tests start: they send a
# conversation's turns far faster than people do (up to ~45 per sender within a minute), which the
# default (30 at once, then 20 a minute) would hold back. test_bad_input.py floods past this one.
os.environ.setdefault("CHANNEL_RATE_LIMIT", "150")
os.environ.setdefault("CHANNEL_RATE_BURST", "0")
os.environ.setdefault("CHANNEL_RATE_WINDOW", "60")


@pytest.fixture(scope="session")
def system(tmp_path_factory, teams_microsoft):
    tmp = tmp_path_factory.mktemp("e2e")
    sysm = System(tmp, extra_env={**teams_microsoft.env})
    upgrade_to_head(sysm.database_url)
    with Session(create_engine(sysm.database_url)) as db:
        # Its staff e-mail domain: Teams users are linked only to addresses on it (issue 15).
        db.add(Organisation(ods_code="G81019", name="BEACON SURGERY", email_domains="e2e.example.org"))
        db.flush()
        db.add(Account(email="nurse@e2e.example.org", display_name="Nurse", password_hash=hash_password(PASSWORD),
                       organisation_ods="G81019", role=Role.standard.value))
        db.commit()
    try:
        yield sysm.start()
    finally:
        sysm.stop()


@pytest.fixture(scope="session")
def staff_token(system) -> str:
    status, body = http("POST", f"{system.backend}/api/v1/auth/token",
                        {"username": "nurse@e2e.example.org", "password": PASSWORD}, form=True)
    assert status == 200, body
    return body["access_token"]


@pytest.fixture
def staff(system, staff_token, request) -> Reporter:
    return Reporter(system, f"staff-{request.node.name}", staff_token=staff_token)


@pytest.fixture
def public(system, request) -> Reporter:
    return Reporter(system, f"public-{request.node.name}")


def pytest_terminal_summary(terminalreporter):
    if TURNS:
        terminalreporter.section("reporter turns per end-to-end report")
        width = max(len(name) for name in TURNS)
        terminalreporter.write_line(f"{'report':<{width}}  {'channel':<8} {'turns':>5} {'typed':>6}")
        for name, t in TURNS.items():
            if isinstance(t, Tally):
                terminalreporter.write_line(f"{name:<{width}}  {t.channel:<8} {t.turns:>5} {t.typed:>6}")
            else:
                terminalreporter.write_line(f"{name:<{width}}  {'':<8} {t:>5} {'':>6}")
