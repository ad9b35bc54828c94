"""Sign-in, tokens, the service credential, and managing organisations, accounts and roles."""

from datetime import datetime, timedelta, timezone

import jwt

from backend.auth.tokens import ISSUER
from tests.backend.conftest import PASSWORD, SERVICE_TOKEN
from tests.backend.reporting import API, new_draft


def test_sign_in_and_use_the_token(client, people):
    r = client.post(f"{API}/auth/token", data={"username": "STD_A@test.example.org", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json()["email"] == "std_a@test.example.org" and me.json()["role"] == "standard"


def test_wrong_password_and_missing_or_bad_tokens(client, people, settings):
    assert client.post(f"{API}/auth/token", data={"username": "std_a@test.example.org", "password": "nope"}).status_code == 401
    assert client.get(f"{API}/records").status_code == 401
    assert client.get(f"{API}/records", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    expired = jwt.encode({"sub": str(people.ids["std_a"]), "iss": ISSUER, "exp": past}, settings.secret_key.get_secret_value())
    assert client.get(f"{API}/records", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    forged = jwt.encode({"sub": str(people.ids["admin_a"]), "iss": ISSUER, "exp": past + timedelta(days=1)}, "a-guessed-key-that-is-long-enough-for-hs256")
    assert client.get(f"{API}/records", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_deactivated_accounts_are_refused(client, people, db):
    from backend.accounts.models import Account

    headers = people.headers("std_a")
    db.get(Account, people.ids["std_a"]).active = False
    db.commit()
    assert client.get(f"{API}/records", headers=headers).status_code == 401


def test_service_credential_acts_for_a_named_person(client, people):
    as_staff = {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Act-As": f"account:{people.ids['std_a']}"}
    rid = new_draft(client, as_staff, "incident")["record"]["id"]
    assert client.get(f"{API}/records/{rid}", headers=people.headers("std_a")).status_code == 200
    audit = client.get(f"{API}/records/{rid}/audit", headers=people.headers("std_a")).json()
    assert audit[0]["actor"] == f"account:{people.ids['std_a']} via service"
    no_one = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    assert client.get(f"{API}/records", headers=no_one).status_code == 400
    assert client.get(f"{API}/records", headers={**no_one, "X-Act-As": "account:999999"}).status_code == 401
    assert client.get(f"{API}/records", headers={**no_one, "X-Act-As": "public:short"}).status_code == 400
    # A staff token cannot act for anyone else.
    staff = people.headers("std_a")
    assert client.get(f"{API}/records", headers={**staff, "X-Act-As": f"account:{people.ids['admin_a']}"}).status_code == 403


def test_public_reporters_cannot_use_staff_endpoints(client, people):
    public = people.headers("public:web:conversation-77")
    assert client.get(f"{API}/me", headers=public).status_code == 403
    assert client.get(f"{API}/accounts", headers=public).status_code == 403


def test_platform_admin_registers_organisations_from_the_ods_list(client, people):
    h = people.headers("platform")
    r = client.post(f"{API}/organisations", json={"ods_code": "rm1"}, headers=h)
    assert r.status_code == 201 and r.json()["name"] == "NORFOLK AND NORWICH UNIVERSITY HOSPITALS NHS FOUNDATION TRUST"
    assert client.post(f"{API}/organisations", json={"ods_code": "RM1"}, headers=h).status_code == 409
    assert client.post(f"{API}/organisations", json={"ods_code": "ZZZ999"}, headers=h).status_code == 422
    assert client.post(f"{API}/organisations", json={"ods_code": "RY3"}, headers=people.headers("admin_a")).status_code == 403
    assert [o["ods_code"] for o in client.get(f"{API}/organisations", headers=people.headers("std_a")).json()] == ["G81019"]


def test_admins_create_accounts_and_grant_roles_in_their_organisation(client, people):
    admin = people.headers("admin_a")
    body = {"email": "new@test.example.org", "display_name": "New", "password": "long enough password", "role": "standard"}
    created = client.post(f"{API}/accounts", json=body, headers=admin)
    assert created.status_code == 201 and created.json()["organisation_ods"] == "G81019"
    assert client.post(f"{API}/accounts", json=body, headers=admin).status_code == 409
    assert client.post(f"{API}/accounts", json={**body, "email": "x@test.example.org"}, headers=people.headers("org_a")).status_code == 403
    assert client.post(f"{API}/accounts", json={**body, "email": "y@test.example.org", "role": "platform_admin"}, headers=admin).status_code == 403
    assert client.post(f"{API}/accounts", json={**body, "password": "short"}, headers=admin).status_code == 422

    new_id = created.json()["id"]
    r = client.put(f"{API}/accounts/{new_id}/role", json={"role": "organisational"}, headers=admin)
    assert r.status_code == 200 and r.json()["role"] == "organisational"
    r = client.put(f"{API}/accounts/{new_id}/role", json={"role": "standard"}, headers=admin)
    assert r.json()["role"] == "standard"
    # Not in another organisation, not their own role, not to platform admin, not by non-admins.
    assert client.put(f"{API}/accounts/{people.ids['std_b']}/role", json={"role": "admin"}, headers=admin).status_code == 404
    assert client.put(f"{API}/accounts/{people.ids['admin_a']}/role", json={"role": "standard"}, headers=admin).status_code == 403
    assert client.put(f"{API}/accounts/{new_id}/role", json={"role": "platform_admin"}, headers=admin).status_code == 403
    assert client.put(f"{API}/accounts/{new_id}/role", json={"role": "admin"}, headers=people.headers("org_a")).status_code == 404
    emails = [a["email"] for a in client.get(f"{API}/accounts", headers=admin).json()]
    assert "new@test.example.org" in emails and "std_b@test.example.org" not in emails


def test_role_changes_are_audited(client, people, db):
    from backend.audit.service import history

    admin = people.headers("admin_a")
    target = people.ids["std_a2"]
    client.put(f"{API}/accounts/{target}/role", json={"role": "admin"}, headers=admin)
    client.put(f"{API}/accounts/{target}/role", json={"role": "organisational"}, headers=admin)
    rows = [(e.action, e.field, e.old_value, e.new_value, e.actor) for e in history(db, "account", str(target))]
    who = f"account:{people.ids['admin_a']}"
    assert rows == [("grant", "role", "standard", "admin", who), ("withdraw", "role", "admin", "organisational", who)]


def test_the_api_is_documented_under_its_version(client):
    spec = client.get(f"{API}/openapi.json").json()
    paths = set(spec["paths"])
    assert {f"{API}/records", f"{API}/records/{{record_id}}/answers", f"{API}/records/{{record_id}}/next-question",
            f"{API}/records/{{record_id}}/submit", f"{API}/records/{{record_id}}/amend", f"{API}/auth/token",
            f"{API}/narrative/analyse"} <= paths
    assert client.get(f"{API}/docs").status_code == 200
