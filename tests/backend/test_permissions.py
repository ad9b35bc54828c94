"""The permission matrix: each role against its own record, a same-organisation record and another
organisation's record, for read, update (answer or amend), list and submit."""

import pytest

from tests.backend.reporting import API, answer, fill, new_draft

# The author of every record below is a standard account: std_a (organisation A) or std_b (B).
# (reader, author, state) -> may the reader read it?
ROLES = ["std_a", "std_a2", "org_a", "admin_a", "std_b", "org_b", "platform"]


def _record(client, people, author, submitted):
    h = people.headers(author)
    rid = new_draft(client, h, "good_care", answers=[{"field": "Description", "value": f"by {author}"}])["record"]["id"]
    if submitted:
        fill(client, h, rid)
        assert client.post(f"{API}/records/{rid}/submit", headers=h).status_code == 200
    return rid


def _may_read(reader, author, submitted):
    if reader == author:
        return True
    same_org = reader[-1] == author[-1] and reader != "platform"
    return submitted and same_org and reader.startswith(("org_", "admin_"))


@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
@pytest.mark.parametrize("author", ["std_a", "std_b"])
def test_matrix(client, people, author, submitted):
    rid = _record(client, people, author, submitted)
    for reader in ROLES:
        h = people.headers(reader)
        visible = _may_read(reader, author, submitted)
        read = client.get(f"{API}/records/{rid}", headers=h)
        assert read.status_code == (200 if visible else 404), (reader, author, submitted)
        listed = {i["id"] for i in client.get(f"{API}/records", headers=h).json()["items"]}
        assert (rid in listed) == visible, (reader, "list")
        for path in ("next-question", "versions", "audit", "missing"):
            assert client.get(f"{API}/records/{rid}/{path}", headers=h).status_code == (200 if visible else 404)

        upd = answer(client, h, rid, {"field": "StrengthsOfCare", "value": f"note from {reader}"})
        amend = client.post(f"{API}/records/{rid}/amend", headers=h,
                            json={"answers": [{"field": "StrengthsOfCare", "value": f"amended by {reader}"}]})
        sub = client.post(f"{API}/records/{rid}/submit", headers=h)
        if not visible:
            assert (upd.status_code, amend.status_code, sub.status_code) == (404, 404, 404), reader
        elif not submitted:  # only the author sees a draft, and may change and submit it
            assert upd.status_code == 200 and amend.status_code == 409
            assert sub.status_code == 422  # allowed, but the draft is not complete yet
        else:  # the author and their organisation's reviewers amend a submitted record
            assert (upd.status_code, amend.status_code, sub.status_code) == (409, 200, 409), reader


def test_public_reporters_see_only_their_own_conversation(client, people):
    mine, other = people.headers("public:sms:+447700900001"), people.headers("public:sms:+447700900002")
    rid = new_draft(client, mine, "incident")["record"]["id"]
    assert client.get(f"{API}/records/{rid}", headers=mine).status_code == 200
    assert client.get(f"{API}/records/{rid}", headers=other).status_code == 404
    assert client.get(f"{API}/records?status=draft", headers=other).json()["total"] == 0
    staff_rid = new_draft(client, people.headers("std_a"), "incident")["record"]["id"]
    assert client.get(f"{API}/records/{staff_rid}", headers=mine).status_code == 404
    assert answer(client, mine, staff_rid, {"field": "PatientCount", "value": 1}).status_code == 404


def test_public_report_reaches_the_named_organisation_once_submitted(client, people):
    public = people.headers("public:voice:CA0123456789")
    rid = new_draft(client, public, "good_care", answers=[{"field": "Description", "value": "Lovely nurse"},
                                                          {"field": "Organisation", "value": ["G81019"]}])["record"]["id"]
    assert client.get(f"{API}/records/{rid}", headers=people.headers("org_a")).status_code == 404  # a draft
    fill(client, public, rid)
    assert client.post(f"{API}/records/{rid}/submit", headers=public).status_code == 200
    assert client.get(f"{API}/records/{rid}", headers=people.headers("org_a")).status_code == 200
    assert client.get(f"{API}/records/{rid}", headers=people.headers("org_b")).status_code == 404


def test_the_public_key_is_stored_hashed(client, people, db):
    from backend.records.models import EventRecord

    new_draft(client, people.headers("public:sms:+447700900003"), "incident")
    stored = db.query(EventRecord).one()
    assert "+447700900003" not in (stored.public_key_hash or "") and len(stored.public_key_hash) == 64


def test_a_reviewer_cannot_move_a_public_record_off_their_organisation(client, people):
    """Issue 15: once submitted, a public record's owning organisation is fixed; an amendment may add
    organisations but must keep it first (backend/auth/permissions.py)."""
    public = people.headers("public:sms:+447700900003")
    rid = new_draft(client, public, "good_care", answers=[{"field": "Description", "value": "Kind staff"},
                                                          {"field": "Organisation", "value": ["G81019"]}])["record"]["id"]
    fill(client, public, rid)
    assert client.post(f"{API}/records/{rid}/submit", headers=public).status_code == 200
    reviewer = people.headers("org_a")
    moved = client.post(f"{API}/records/{rid}/amend", headers=reviewer,
                        json={"answers": [{"field": "Organisation", "value": ["RVJ"]}], "reason": "tidy up"})
    assert moved.status_code == 403 and "cannot move" in moved.json()["detail"]
    assert client.get(f"{API}/records/{rid}", headers=reviewer).status_code == 200  # still on their dashboard
    assert client.get(f"{API}/records/{rid}", headers=people.headers("org_b")).status_code == 404
    added = client.post(f"{API}/records/{rid}/amend", headers=reviewer,
                        json={"answers": [{"field": "Organisation", "value": ["G81019", "RVJ"]}], "reason": "both"})
    assert added.status_code == 200


def test_the_public_key_hash_is_keyed_not_a_plain_sha256(client, people, db, settings):
    """All UK mobile numbers can be tried against an unkeyed SHA-256 in half an hour (issue 16)."""
    import hashlib
    import hmac

    from backend.records.models import EventRecord

    new_draft(client, people.headers("public:sms:+447700900005"), "incident")
    stored = db.query(EventRecord).one().public_key_hash
    assert stored != hashlib.sha256(b"sms:+447700900005").hexdigest()
    assert stored == hmac.new(settings.public_key_secret.get_secret_value().encode(), b"sms:+447700900005",
                              hashlib.sha256).hexdigest()


def test_rotating_the_public_key_secret_keeps_reporters_with_their_drafts(database_url, people, client):
    """The old secret in PUBLIC_KEY_SECRET_PREVIOUS: the reporter's drafts move to the new hash on their
    next request; without it they would be cut off from them."""
    from fastapi.testclient import TestClient

    from backend.config import Settings
    from backend.main import create_app

    public = people.headers("public:voice:CA0000000000000000000000000000ffff")
    rid = new_draft(client, public, "incident")["record"]["id"]
    old = people.settings.public_key_secret
    rotated = Settings(environment="test", database_url=database_url, secret_key=people.settings.secret_key,
                       service_token=people.settings.service_token, public_key_secret="a new public key secret",
                       public_key_secret_previous=old)
    with TestClient(create_app(rotated)) as after:
        assert after.get(f"{API}/records/{rid}", headers=public).status_code == 200
        assert after.get(f"{API}/records?status=draft", headers=public).json()["total"] == 1
    without_previous = rotated.model_copy(update={"public_key_secret_previous": None,
                                                  "public_key_secret": people.settings.public_key_secret})
    with TestClient(create_app(without_previous)) as before:
        # The records have moved to the new key's hash: the old secret alone no longer finds them.
        assert before.get(f"{API}/records?status=draft", headers=public).json()["total"] == 0
