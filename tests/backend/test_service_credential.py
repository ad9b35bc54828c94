"""The service credential as a caller in the permission matrix (issue 15): through it the assistant
may work on the person's own drafts (create, answer, submit, list, delete, summary), resume codes,
narrative analysis and the Teams link, and nothing else: no accounts, roles, organisations,
dashboard, exports, audit or versions, and never an organisation reviewer's rights."""

import pytest

from tests.backend.conftest import SERVICE_TOKEN
from tests.backend.reporting import API, fill, new_draft


def service_as(people, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Act-As": f"account:{people.ids[who]}"}


REFUSED = [  # (method, path, body): what no service call may do, whoever it acts for
    ("GET", "/accounts", None),
    ("POST", "/accounts", {"email": "x@test.example.org", "display_name": "X", "password": "a long password"}),
    ("PUT", "/accounts/{std_a}/role", {"role": "admin"}),
    ("PUT", "/accounts/{std_a}/active", {"active": False}),
    ("GET", "/organisations", None),
    ("POST", "/organisations", {"ods_code": "RM1"}),
    ("GET", "/me", None),
    ("GET", "/dashboard/summary", None),
    ("GET", "/dashboard/records", None),
    ("GET", "/dashboard/options", None),
    ("GET", "/dashboard/export.csv", None),
    ("GET", "/records?status=submitted", None),
    ("GET", "/records", None),
]


@pytest.mark.parametrize("acting_for", ["std_a", "org_a", "admin_a", "platform"])
def test_the_service_credential_reaches_no_account_role_organisation_dashboard_or_export(client, people, acting_for):
    h = service_as(people, acting_for)
    for method, path, body in REFUSED:
        r = client.request(method, API + path.format(std_a=people.ids["std_a"]), headers=h, json=body)
        assert r.status_code == 403, (acting_for, method, path, r.status_code)
    for method, path, body in REFUSED[:6]:  # a public conversation neither
        r = client.request(method, API + path.format(std_a=people.ids["std_a"]), json=body,
                           headers=people.headers("public:rest:conversation-1"))
        assert r.status_code == 403, (method, path)


def test_acting_for_a_reviewer_gives_only_their_own_records(client, people):
    """A leaked service token acting for an organisational or admin account cannot review anyone's records."""
    author = people.headers("std_a")
    rid = new_draft(client, author, "good_care", answers=[{"field": "Description", "value": "kind words"}])["record"]["id"]
    fill(client, author, rid)
    assert client.post(f"{API}/records/{rid}/submit", headers=author).status_code == 200
    assert client.get(f"{API}/records/{rid}", headers=people.headers("org_a")).status_code == 200  # as themselves
    for reviewer in ("org_a", "admin_a"):
        h = service_as(people, reviewer)
        assert client.get(f"{API}/records/{rid}", headers=h).status_code == 404
        assert client.get(f"{API}/records/{rid}/summary", headers=h).status_code == 404
        assert client.post(f"{API}/records/{rid}/amend", headers=h,
                           json={"answers": [{"field": "StrengthsOfCare", "value": "x"}]}).status_code == 403
        assert rid not in {i["id"] for i in client.get(f"{API}/records?status=draft", headers=h).json()["items"]}


def test_what_the_assistant_needs_still_works_through_it(client, people):
    h = service_as(people, "std_a")
    rid = new_draft(client, h, "good_care", answers=[{"field": "Description", "value": "kind words"}])["record"]["id"]
    assert [i["id"] for i in client.get(f"{API}/records?status=draft", headers=h).json()["items"]] == [rid]
    assert client.get(f"{API}/records/{rid}/next-question", headers=h).status_code == 200
    assert client.get(f"{API}/records/{rid}/summary", headers=h).status_code == 200
    assert client.post(f"{API}/narrative/analyse", headers=h,
                       json={"text": "a nurse was very kind", "audience": "staff"}).status_code == 200
    # The assistant reads each reply, and each correction, with the backend's interpreter.
    reading = client.post(f"{API}/interpret/reply", headers=h,
                          json={"field": "IsAnonymous", "text": "no thanks", "audience": "staff"})
    assert reading.status_code == 200 and reading.json()["act"] == "answer" and reading.json()["value"] is False
    assert client.post(f"{API}/interpret/correction", headers=h,
                       json={"text": "change the time to 4pm", "audience": "staff"}).status_code == 200
    fill(client, h, rid)
    assert client.post(f"{API}/records/{rid}/submit", headers=h).status_code == 200
    # A submitted record is the web's to show, amend and audit, not the assistant's.
    for path in ("versions", "audit", "summary.pdf"):
        assert client.get(f"{API}/records/{rid}/{path}", headers=h).status_code == 403, path
    other = new_draft(client, h, "incident")["record"]["id"]
    assert client.delete(f"{API}/records/{other}", headers=h).status_code == 204
    public = people.headers("public:voice:CA0000000000001")
    pid = new_draft(client, public, "incident")["record"]["id"]
    assert client.post(f"{API}/records/{pid}/resume-code", headers=public).status_code in (200, 201)
