"""Accounts and sessions (issue 15): tokens and sessions are revoked on the server (sign-out, a new
password, deactivation, a role change), sign-in is throttled per account and per client and costs the
same for an unknown e-mail, production refuses weak secrets, chat tokens only identify, and admins
create accounts only on their organisation's e-mail domains."""

import re
import statistics
import time

import pytest
from pydantic import ValidationError

from backend.accounts import service as accounts
from backend.accounts.models import Organisation
from backend.auth.throttle import SignInThrottle
from backend.config import Settings
from backend.web import session
from tests.backend.conftest import ORG_B, PASSWORD
from tests.backend.reporting import API
from tests.backend.web_client import csrf, post, sign_in


def token_for(client, who: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post(f"{API}/auth/token", data={"username": f"{who}@test.example.org", "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_api_sign_out_ends_every_token_of_the_account(client, people):
    first, second = token_for(client, "std_a"), token_for(client, "std_a")
    assert client.get(f"{API}/me", headers=first).status_code == 200
    assert client.post(f"{API}/auth/sign-out", headers=first).status_code == 204
    for h in (first, second):
        assert client.get(f"{API}/me", headers=h).status_code == 401
    assert client.get(f"{API}/me", headers=token_for(client, "std_a")).status_code == 200  # signing in again works


def test_a_copied_session_cookie_stops_working_after_sign_out(client, people):
    token = sign_in(client, "std_a")
    copy = client.cookies.get(session.SESSION_COOKIE)
    assert post(client, "/sign-out", token).status_code == 303
    client.cookies.set(session.SESSION_COOKIE, copy)
    r = client.get("/records", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")


def test_a_new_password_ends_sessions_and_the_old_password(client, people):
    h = token_for(client, "std_a")
    bad = client.put(f"{API}/me/password", headers=h, json={"current_password": "wrong one", "new_password": "x" * 16})
    assert bad.status_code == 403
    new = "another long passphrase"
    assert client.put(f"{API}/me/password", headers=h, json={"current_password": PASSWORD, "new_password": new}).status_code == 204
    assert client.get(f"{API}/me", headers=h).status_code == 401
    assert client.post(f"{API}/auth/token", data={"username": "std_a@test.example.org", "password": PASSWORD}).status_code == 401
    assert client.get(f"{API}/me", headers=token_for(client, "std_a", new)).status_code == 200


def test_deactivation_and_role_changes_end_sessions(client, people):
    admin = token_for(client, "admin_a")
    nurse, reviewer = token_for(client, "std_a"), token_for(client, "org_a")
    r = client.put(f"{API}/accounts/{people.ids['std_a']}/active", headers=admin, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get(f"{API}/me", headers=nurse).status_code == 401
    assert client.post(f"{API}/auth/token", data={"username": "std_a@test.example.org", "password": PASSWORD}).status_code == 401
    assert client.put(f"{API}/accounts/{people.ids['std_a']}/active", headers=token_for(client, "admin_b"),
                      json={"active": True}).status_code == 404  # another organisation's admin
    assert client.put(f"{API}/accounts/{people.ids['org_a']}/role", headers=admin, json={"role": "standard"}).status_code == 200
    assert client.get(f"{API}/me", headers=reviewer).status_code == 401  # no session keeps the old role


def test_sign_in_is_throttled_per_account(client, people):
    for _ in range(5):
        assert client.post(f"{API}/auth/token", data={"username": "std_a@test.example.org", "password": "wrong"}).status_code == 401
    r = client.post(f"{API}/auth/token", data={"username": "std_a@test.example.org", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert client.post(f"{API}/auth/token", data={"username": "std_a2@test.example.org", "password": PASSWORD}).status_code == 200
    page = client.get("/sign-in")
    r = client.post("/sign-in", data={"email": "std_a@test.example.org", "password": PASSWORD,
                                      "csrf_token": csrf(page.text), "next": "/records"}, follow_redirects=False)
    assert r.status_code == 429 and "Too many attempts" in r.text


def test_sign_in_is_throttled_per_client(client, people):
    for n in range(20):  # a different unknown e-mail each time: only the client limit can stop this
        assert client.post(f"{API}/auth/token", data={"username": f"guess{n}@test.example.org", "password": "x"}).status_code == 401
    assert client.post(f"{API}/auth/token", data={"username": "std_a@test.example.org", "password": PASSWORD}).status_code == 429


def test_the_throttle_forgets_after_its_window():
    now = [1000.0]
    t = SignInThrottle(per_account=2, per_client=10, window_seconds=60, clock=lambda: now[0])
    t.failed("a@x.org", "c1")
    t.failed("A@x.org ", "c1")
    assert t.retry_after("a@x.org", "c2") == 61
    now[0] += 30
    assert t.retry_after("a@x.org", "c2") == 31
    now[0] += 31
    assert t.retry_after("a@x.org", "c2") == 0


def test_an_unknown_email_costs_as_long_as_a_wrong_password(db, people):
    def median(email: str) -> float:
        times = []
        for _ in range(5):
            began = time.perf_counter()
            assert accounts.authenticate(db, email, "not the password") is None
            times.append(time.perf_counter() - began)
        return statistics.median(times)

    known, unknown = median("std_a@test.example.org"), median("nobody@test.example.org")
    assert unknown > known * 0.5, (known, unknown)


@pytest.mark.parametrize("weak", ["x", "changeme-changeme-changeme-changeme", "a" * 64, "short-but-random-Q9z"])
def test_production_refuses_weak_secrets(weak):
    strong = "9f1c2e7a4b6d8e0f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b"
    with pytest.raises(ValidationError, match="too weak"):
        Settings(environment="production", secret_key=weak, service_token=strong, database_url="sqlite://")
    with pytest.raises(ValidationError, match="too weak"):
        Settings(environment="production", secret_key=strong, service_token=weak, database_url="sqlite://")
    Settings(environment="production", secret_key=strong, service_token=strong[::-1], database_url="sqlite://")


def test_a_chat_token_only_identifies(client, people):
    sign_in(client, "std_a")
    token = re.search(r'data-staff-token="([^"]+)"', client.get("/chat").text).group(1)
    h = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/me", headers=h).json()["id"] == people.ids["std_a"]
    for path in ("/records", "/accounts", "/organisations", "/dashboard/summary"):
        assert client.get(API + path, headers=h).status_code == 403, path
    sign_in(client, "admin_a")
    admin_chat = {"Authorization": "Bearer " + re.search(r'data-staff-token="([^"]+)"', client.get("/chat").text).group(1)}
    r = client.put(f"{API}/accounts/{people.ids['std_a']}/role", headers=admin_chat, json={"role": "admin"})
    assert r.status_code == 403


def test_the_chat_page_talks_only_to_the_configured_rasa_and_cannot_be_framed(client, people, monkeypatch):
    monkeypatch.setenv("RASA_PUBLIC_URL", "https://chat.example.org")
    sign_in(client, "std_a")
    page = client.get("/chat?rasa=https://attacker.example")
    assert 'data-rasa-url="https://chat.example.org"' in page.text and "attacker" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "connect-src 'self' https://chat.example.org wss://chat.example.org;" in csp


def test_admins_create_accounts_only_on_their_organisation_domains(client, people, db):
    db.get(Organisation, ORG_B).email_domains = "north-bristol.example"
    db.commit()
    body = {"display_name": "Someone", "password": "a long enough password"}
    admin_a = people.headers("admin_a")
    r = client.post(f"{API}/accounts", headers=admin_a, json={**body, "email": "someone@north-bristol.example"})
    assert r.status_code == 403
    assert client.post(f"{API}/accounts", headers=admin_a, json={**body, "email": "someone@gmail.example"}).status_code == 403
    assert client.post(f"{API}/accounts", headers=admin_a, json={**body, "email": "someone@test.example.org"}).status_code == 201
    assert client.post(f"{API}/accounts", headers=people.headers("admin_b"),
                       json={**body, "email": "someone@north-bristol.example"}).status_code == 201


def test_a_platform_admin_sets_an_organisations_domains(client, people):
    body = {"email_domains": ["north-bristol.example", "NBT.example"]}
    for who in ("admin_b", "org_b"):
        assert client.put(f"{API}/organisations/{ORG_B}/email-domains", headers=people.headers(who), json=body).status_code == 403
    r = client.put(f"{API}/organisations/{ORG_B}/email-domains", headers=people.headers("platform"), json=body)
    assert r.status_code == 200 and r.json()["email_domains"] == ["nbt.example", "north-bristol.example"]
    new = {"display_name": "Someone", "password": "a long enough password", "email": "someone@nbt.example"}
    assert client.post(f"{API}/accounts", headers=people.headers("admin_b"), json=new).status_code == 201
    assert client.put(f"{API}/organisations/ZZZ999/email-domains", headers=people.headers("platform"),
                      json=body).status_code == 404
