"""Teams users are resolved to staff accounts by the service only: an existing link, else the active
account with their e-mail, linked on first use and audited."""

from sqlalchemy import select

from backend.accounts.models import Account
from backend.audit.models import AuditEvent
from backend.identities.models import ExternalIdentity
from tests.backend.conftest import SERVICE_TOKEN
from tests.backend.reporting import API

URL = f"{API}/identities/teams/resolve"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
OID = "00000000-0000-0000-0000-00000000a001"


def resolve(client, oid: str, email: str | None = None, headers: dict | None = None):
    headers = SERVICE if headers is None else headers
    return client.post(URL, json={"aad_object_id": oid, "email": email}, headers=headers)


def test_first_use_links_by_email_then_the_link_is_used(client, people, db):
    r = resolve(client, OID, " Std_A@Test.Example.org ")
    assert r.status_code == 200 and r.json() == {"account_id": people.ids["std_a"]}
    # Later messages: the link decides, whatever e-mail (or none) comes with them.
    for email in (None, "admin_a@test.example.org"):
        assert resolve(client, OID, email).json() == {"account_id": people.ids["std_a"]}
    links = db.scalars(select(ExternalIdentity)).all()
    assert [(i.provider, i.subject, i.account_id) for i in links] == [("teams", OID, people.ids["std_a"])]
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "link")).all()
    assert [(a.actor, a.entity_id, a.field, a.new_value) for a in audit] == [
        (f"account:{people.ids['std_a']} via service", str(people.ids["std_a"]), "teams", {"subject": OID})]


def test_unknown_users_are_not_found_and_not_linked(client, people, db):
    assert resolve(client, OID, "nobody@test.example.org").status_code == 404
    assert resolve(client, OID).status_code == 404
    assert db.scalars(select(ExternalIdentity)).all() == []


def test_inactive_accounts_are_neither_linked_nor_used_through_a_link(client, people, db):
    assert resolve(client, OID, "std_a@test.example.org").status_code == 200
    for key in ("std_a", "std_a2"):
        db.get(Account, people.ids[key]).active = False
    db.commit()
    assert resolve(client, OID).status_code == 404
    assert resolve(client, "another-oid", "std_a2@test.example.org").status_code == 404


def test_an_account_is_not_taken_over_by_a_second_teams_user(client, people, db):
    assert resolve(client, OID, "std_a@test.example.org").status_code == 200
    assert resolve(client, "another-oid", "std_a@test.example.org").status_code == 409
    assert len(db.scalars(select(ExternalIdentity)).all()) == 1


def test_only_the_service_may_resolve(client, people):
    email = "std_a@test.example.org"
    assert resolve(client, OID, email, headers={}).status_code == 401
    assert resolve(client, OID, email, headers=people.headers("std_a")).status_code == 403
    assert resolve(client, OID, email, headers=people.headers("platform")).status_code == 403
    assert resolve(client, OID, email, headers={"Authorization": "Bearer guessed"}).status_code == 403
    assert client.post(URL, json={"email": email}, headers=SERVICE).status_code == 422


def test_teams_users_are_linked_only_to_addresses_on_the_organisations_domains(client, people, db):
    """An account made with an address off its organisation's domains (another organisation's staff,
    say) never receives that person's Teams identity (issue 15)."""
    from backend.accounts.models import Organisation
    from tests.backend.conftest import ORG_A

    db.get(Organisation, ORG_A).email_domains = "beacon.example"
    db.commit()
    assert resolve(client, OID, "std_a@test.example.org").status_code == 404
    assert db.scalars(select(ExternalIdentity)).all() == []
    assert resolve(client, OID, "platform@test.example.org").status_code == 404  # no organisation, no link
