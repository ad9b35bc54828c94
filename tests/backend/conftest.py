"""Backend test fixtures: every test runs on a fresh database, once on SQLite and once on PostgreSQL.

Each database is copied from a template migrated once per session (a file copy on SQLite,
CREATE DATABASE ... TEMPLATE on PostgreSQL), so the migrations themselves are exercised and each
test still starts from an empty schema.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Organisation, Role
from backend.auth import tokens
from backend.auth.passwords import hash_password
from backend.config import Settings
from backend.database.migrate import upgrade_to_head
from backend.main import create_app
from tests.support.postgres import TempPostgres

SERVICE_TOKEN = "test-service-token-not-a-secret"
PASSWORD = "correct horse battery staple"
ORG_A, ORG_B = "G81019", "RVJ"
DOMAIN = "test.example.org"  # every fixture account's e-mail domain
_counter = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def postgres() -> Iterator[TempPostgres]:
    server = TempPostgres()
    if not server.available:
        if os.environ.get("LFPSE_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (LFPSE_REQUIRE_POSTGRES=1) but not installed")
        pytest.skip("PostgreSQL is not installed (scripts/ensure-postgres.sh installs it)")
    server.start()
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE template_lfpse"))
    upgrade_to_head(server.url("template_lfpse"))
    admin.dispose()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: TempPostgres = request.getfixturevalue("postgres")
    name = f"t{next(_counter)}"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE template_lfpse"))
    yield server.url(name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(environment="test", database_url=database_url, secret_key="test-signing-key-" + "x" * 32,
                    service_token=SERVICE_TOKEN)


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def db(app) -> Iterator[Session]:
    with app.state.sessions() as session:
        yield session


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per session


@dataclass
class People:
    """Accounts in two organisations, one of each role, with ready-made auth headers."""

    ids: dict[str, int]
    settings: Settings

    def headers(self, who: str) -> dict[str, str]:
        if who.startswith("public:"):
            return {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Act-As": who}
        token, _ = tokens.issue(self.settings, self.ids[who])
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(client, db, settings, password_hash) -> People:
    db.add_all([Organisation(ods_code=ORG_A, name="Beacon Surgery", email_domains=DOMAIN),
                Organisation(ods_code=ORG_B, name="North Bristol", email_domains=DOMAIN)])
    db.flush()
    specs = {
        "std_a": (Role.standard, ORG_A), "std_a2": (Role.standard, ORG_A), "org_a": (Role.organisational, ORG_A),
        "admin_a": (Role.admin, ORG_A), "std_b": (Role.standard, ORG_B), "org_b": (Role.organisational, ORG_B),
        "admin_b": (Role.admin, ORG_B), "platform": (Role.platform_admin, None),
    }
    accounts = {
        key: Account(email=f"{key}@test.example.org", display_name=key, password_hash=password_hash,
                     organisation_ods=org, role=role.value)
        for key, (role, org) in specs.items()
    }
    db.add_all(accounts.values())
    db.commit()
    return People({k: a.id for k, a in accounts.items()}, settings)
