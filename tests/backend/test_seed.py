"""The demo seed: one account per role on an empty database, credentials usable, never in production."""

import pytest

from backend.config import Settings
from backend.seed import DEMO_ACCOUNTS, seed_demo


def test_seed_creates_usable_demo_accounts_once(client, db, settings, tmp_path, monkeypatch):
    monkeypatch.setattr("backend.seed.VAR_DIR", tmp_path)
    created = seed_demo(db, settings)
    assert {role for _, role, _ in created} == {"standard", "organisational", "admin", "platform_admin"}
    assert len(created) == len(DEMO_ACCOUNTS)
    email, _, password = created[0]
    r = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200
    assert (tmp_path / "demo-accounts.txt").read_text().count("\n") == len(created)
    assert seed_demo(db, settings) is None  # not on a database that has accounts


# Production refuses weak secrets: random-looking, not real ones.
STRONG_KEY, STRONG_TOKEN = "5b0e8c1f93d2a7e64c0b9f18" * 2, "a41d9e7c2f08b36e5d17c9a0" * 2


def test_seed_refuses_production(db, database_url):
    prod = Settings(environment="production", database_url=database_url, secret_key=STRONG_KEY, service_token=STRONG_TOKEN)
    with pytest.raises(RuntimeError, match="never created in production"):
        seed_demo(db, prod)


def test_production_needs_real_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SERVICE_TOKEN", raising=False)
    with pytest.raises(ValueError, match="SECRET_KEY must be set in production"):
        Settings(environment="production")


def test_the_first_platform_admin_of_a_production_database(client, database_url, monkeypatch):
    import io
    import sys

    from backend import cli
    from backend.config import get_settings

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("SERVICE_TOKEN", STRONG_TOKEN)
    get_settings.cache_clear()
    try:
        monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
        with pytest.raises(SystemExit, match="at least 12 characters"):
            cli.main(["create-platform-admin", "--email", "first@nhs.example.org", "--name", "First Admin"])
        monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough passphrase\n"))
        assert cli.main(["create-platform-admin", "--email", "first@nhs.example.org", "--name", "First Admin"]) == 0
        monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough passphrase\n"))
        with pytest.raises(SystemExit, match="already exists"):
            cli.main(["create-platform-admin", "--email", "First@nhs.example.org", "--name", "Again"])
    finally:
        get_settings.cache_clear()
    r = client.post("/api/v1/auth/token", data={"username": "first@nhs.example.org", "password": "a long enough passphrase"})
    assert r.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
    assert me["role"] == "platform_admin"


def test_secret_files_are_created_private_never_chmod_ed_after(db, settings, tmp_path):
    """var/dev-secrets.json and var/demo-accounts.txt are never, even for a moment, readable by others:
    created 0600 (whatever the umask), not written wide open and narrowed afterwards (issue 16)."""
    import os
    import stat
    import sys

    from backend.config import dev_secret

    events: list[tuple[str, str]] = []
    watching = [True]

    def hook(event: str, args: tuple) -> None:
        if watching[0] and event in ("open", "os.chmod") and str(args[0]).startswith(str(tmp_path)):
            mode = args[1] if event == "open" else None
            writes = event == "os.chmod" or (isinstance(mode, str) and any(c in mode for c in "wax+"))
            if writes or (event == "open" and isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR)):
                events.append((event, os.path.basename(str(args[0]))))

    sys.addaudithook(hook)  # audit hooks cannot be removed: this one goes quiet when the test ends
    old_umask = os.umask(0)  # the most permissive umask: only the creation mode protects the file
    try:
        secret = dev_secret("public_key_secret", var_dir=tmp_path)
        assert dev_secret("public_key_secret", var_dir=tmp_path) == secret
        assert seed_demo(db, settings, var_dir=tmp_path)
    finally:
        os.umask(old_umask)
        watching[0] = False
    for name in ("dev-secrets.json", "demo-accounts.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    # Written only through a private temporary file (created 0600 with O_EXCL), then renamed into place.
    assert events and all(name.startswith(".") and event == "open" for event, name in events), events
