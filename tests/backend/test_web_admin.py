"""The roles page, signed in through the real sign-in form: who may see it, changing a role (audited,
effective on the next request), CSRF, and the organisation boundary."""

from __future__ import annotations

import re

import pytest

from backend.accounts.models import Account
from backend.audit.models import AuditEvent
from tests.backend.test_web_dashboard import ROWS, submitted
from tests.backend.web_client import sign_in

PAGE = "/admin/accounts"


def role_of(db, people, who: str) -> str:
    db.expire_all()
    return db.get(Account, people.ids[who]).role


def change(client, people, token, who: str, role: str, **kw):
    data = {"role": role} | ({"csrf_token": token} if token else {})
    return client.post(f"{PAGE}/{people.ids[who]}/role", data=data, **kw)


@pytest.mark.parametrize("who", ["std_a", "org_a", "std_b", "org_b", "platform"])
def test_only_admins_see_the_roles_page(client, people, db, who):
    token = sign_in(client, who)
    r = client.get(PAGE)
    assert r.status_code == 403 and "You do not have access" in r.text and "@test.example.org" not in r.text
    assert change(client, people, token, "std_a2", "admin").status_code in (403, 404)
    assert role_of(db, people, "std_a2") == "standard"
    assert f'href="{PAGE}"' not in client.get("/records").text  # not in the navigation either


def test_signed_out_goes_to_sign_in(client, people):
    r = client.get(PAGE, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/sign-in?next={PAGE}"


def test_an_admin_sees_their_organisation(client, people):
    sign_in(client, "admin_a")
    page = client.get(PAGE)
    assert page.status_code == 200 and f'href="{PAGE}"' in page.text
    emails = set(re.findall(r"([a-z_0-9]+)@test\.example\.org", page.text))
    assert emails == {"std_a", "std_a2", "org_a", "admin_a"}
    forms = set(re.findall(rf'action="{PAGE}/(\d+)/role"', page.text))
    assert forms == {str(people.ids[w]) for w in ("std_a", "std_a2", "org_a")}  # not their own
    assert "You cannot change your own role" in page.text
    for w in ("std_a", "std_a2", "org_a"):  # every control labelled
        assert f'<label class="nhsuk-label" for="role-{people.ids[w]}">' in page.text


def test_promote_audited_and_effective(client, people, db):
    colleague = submitted(client, people.headers("std_a2"), "a colleague's report")
    token = sign_in(client, "std_a")
    assert ROWS.findall(client.get("/dashboard").text) == []  # standard: own records only

    token = sign_in(client, "admin_a")
    r = change(client, people, token, "std_a", "organisational", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?changed={people.ids['std_a']}"
    page = client.get(r.headers["location"])
    assert "Role changed: std_a is now organisational" in page.text
    assert "Recent role changes" in page.text and "Standard to Organisational" in page.text
    assert role_of(db, people, "std_a") == "organisational"
    (event,) = db.query(AuditEvent).filter_by(entity_type="account", entity_id=str(people.ids["std_a"]),
                                             field="role").all()
    assert (event.action, event.old_value, event.new_value, event.actor_account_id) == \
        ("grant", "standard", "organisational", people.ids["admin_a"])

    sign_in(client, "std_a")  # the next request sees the organisation's records
    assert ROWS.findall(client.get("/dashboard").text) == [colleague]
    assert client.get(f"/records/{colleague}?back=dashboard").status_code == 200

    token = sign_in(client, "admin_a")  # and withdrawn, at once
    assert change(client, people, token, "std_a", "standard").status_code == 200
    sign_in(client, "std_a")
    assert ROWS.findall(client.get("/dashboard").text) == []
    assert client.get(f"/records/{colleague}").status_code == 404
    actions = [e.action for e in db.query(AuditEvent).filter_by(entity_type="account", field="role")]
    assert actions == ["grant", "withdraw"]


def test_csrf_is_required(client, people, db):
    token = sign_in(client, "admin_a")
    for sent in (None, "0" * 64, token[:-1] + ("0" if token[-1] != "0" else "1")):
        r = change(client, people, sent, "std_a", "admin")
        assert r.status_code == 403 and "This form has expired" in r.text
    assert role_of(db, people, "std_a") == "standard"
    assert db.query(AuditEvent).filter_by(entity_type="account").count() == 0


def test_another_organisations_accounts_are_not_found(client, people, db):
    token = sign_in(client, "admin_b")
    for who in ("std_a", "admin_a", "platform"):
        r = change(client, people, token, who, "admin")
        assert r.status_code == 404, who
    assert client.post(f"{PAGE}/999999/role", data={"role": "admin", "csrf_token": token}).status_code == 404
    assert role_of(db, people, "std_a") == "standard" and role_of(db, people, "admin_a") == "admin"
    assert "std_a@" not in client.get(PAGE).text
    assert client.get(f"{PAGE}?changed={people.ids['std_a']}").status_code == 200  # no banner, no leak
    assert "std_a" not in client.get(f"{PAGE}?changed={people.ids['std_a']}").text.split("<main")[1]


def test_no_self_demotion_and_no_other_roles(client, people, db):
    token = sign_in(client, "admin_a")
    r = change(client, people, token, "admin_a", "standard")
    assert r.status_code == 403 and "You cannot change your own role. Ask another admin." in r.text
    assert "There is a problem" in r.text
    assert role_of(db, people, "admin_a") == "admin"
    for bad in ("platform_admin", "", "superuser"):
        r = change(client, people, token, "std_a", bad)
        assert r.status_code == 400 and "Select a role for std_a" in r.text, bad
        assert f'href="#role-{people.ids["std_a"]}"' in r.text
    assert role_of(db, people, "std_a") == "standard"
    assert db.query(AuditEvent).filter_by(entity_type="account").count() == 0


def test_what_people_typed_is_escaped(client, people, db):
    db.get(Account, people.ids["std_a"]).display_name = "<script>alert(1)</script>"
    db.commit()
    token = sign_in(client, "admin_a")
    page = change(client, people, token, "std_a", "admin")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; is now admin" in page.text
