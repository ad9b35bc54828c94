"""An anonymous record shows its author to nobody but the author (issue 16).

A reviewer (organisational and admin accounts of the record's organisation) walks every GET endpoint of
the API and every page, print, PDF and export the application serves, and no body holds the author's
account id, name or e-mail. The author still sees themselves, and a public reporter's key hash is
shown to nobody, not even in part."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from backend.accounts.models import Account, Role
from backend.auth import tokens
from tests.backend.conftest import ORG_A, SERVICE_TOKEN
from tests.backend.reporting import API, answer, fill, new_draft
from tests.backend.web_client import sign_in

AUTHOR_NAME = "Ariadne Quillfeather"
AUTHOR_EMAIL = "ariadne.quillfeather@test.example.org"
# People lists (who is in the organisation, roles): they name the author as a member, never with a record.
PEOPLE_LISTS = {"/api/v1/accounts", "/admin/accounts"}


def get_paths(app) -> list[str]:
    """Every GET path the application serves, across FastAPI's ways of holding included routers."""
    paths = []

    def walk(routes) -> None:
        for r in routes:
            contexts = getattr(r, "effective_route_contexts", None)
            if contexts is not None:
                walk(contexts() if callable(contexts) else contexts)
            elif "GET" in (getattr(r, "methods", None) or ()):
                paths.append(r.path)

    walk(app.routes)
    return paths


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def author(db, password_hash) -> int:
    account = Account(email=AUTHOR_EMAIL, display_name=AUTHOR_NAME, password_hash=password_hash,
                      organisation_ods=ORG_A, role=Role.standard.value)
    db.add(account)
    db.commit()
    return account.id


def author_headers(settings, author: int, via_service: bool = False) -> dict[str, str]:
    if via_service:
        return {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Act-As": f"account:{author}"}
    return {"Authorization": f"Bearer {tokens.issue(settings, author)[0]}"}


def submitted_record(client, headers, anonymous: bool) -> str:
    rid = new_draft(client, headers, "incident")["record"]["id"]
    assert answer(client, headers, rid, {"field": "IsAnonymous", "value": anonymous},
                  {"field": "Organisation", "value": ["G81019"]}).status_code == 200
    fill(client, headers, rid)
    assert client.post(f"{API}/records/{rid}/submit", headers=headers).status_code == 200
    return rid


@pytest.fixture
def anonymous_record(client, people, settings, author) -> str:
    """Begun through the assistant (service credential), submitted, then amended by the author and a reviewer."""
    rid = submitted_record(client, author_headers(settings, author, via_service=True), anonymous=True)
    amend = {"answers": [{"field": "Description", "value": "The pump alarm was silenced and not checked."}]}
    assert client.post(f"{API}/records/{rid}/amend", json=amend,
                       headers=author_headers(settings, author)).status_code == 200
    amend = {"answers": [{"field": "Description", "value": "Reviewed: pump alarm silenced."}], "reason": "review"}
    assert client.post(f"{API}/records/{rid}/amend", json=amend, headers=people.headers("org_a")).status_code == 200
    return rid


def forbidden(author: int) -> list[str]:
    return [f"account:{author}", AUTHOR_NAME, AUTHOR_EMAIL, "Quillfeather"]


def fill_path(path: str, rid: str) -> str:
    return (path.replace("{record_id}", rid).replace("{system_id}", "event-types")
            .replace("{event_type}", "incident").replace("{field}", "Description"))


@pytest.mark.parametrize("reviewer", ["org_a", "admin_a"])
def test_no_api_response_shows_a_reviewer_the_anonymous_author(app, client, people, author, anonymous_record,
                                                               reviewer) -> None:
    headers = people.headers(reviewer)
    seen = []
    for path in get_paths(app):
        if not path.startswith(API) or path in PEOPLE_LISTS:
            continue
        r = client.get(fill_path(path, anonymous_record), headers=headers)
        body = pdf_text(r.content) if r.headers.get("content-type", "").startswith("application/pdf") else r.text
        seen.append((path, r.status_code))
        for secret in forbidden(author):
            assert secret not in body, f"{path} shows {secret!r} to {reviewer}"
    # The walk reached the record, its history and the exports, not just 404s.
    reached = dict(seen)
    for path in ("/records/{record_id}", "/records/{record_id}/versions", "/records/{record_id}/audit",
                 "/records/{record_id}/summary.pdf", "/dashboard/export.csv", "/dashboard/records"):
        assert reached[API + path] == 200, (path, reached[API + path])
    for path in PEOPLE_LISTS & set(get_paths(app)):
        if path.startswith(API):
            assert anonymous_record not in client.get(path, headers=headers).text


@pytest.mark.parametrize("reviewer", ["org_a", "admin_a"])
def test_no_page_shows_a_reviewer_the_anonymous_author(app, client, people, author, anonymous_record,
                                                       reviewer) -> None:
    sign_in(client, reviewer)
    reached = {}
    for path in get_paths(app):
        if path.startswith(API) or path in PEOPLE_LISTS or path.startswith("/chat/static"):
            continue
        r = client.get(fill_path(path, anonymous_record), follow_redirects=True)
        body = pdf_text(r.content) if r.headers.get("content-type", "").startswith("application/pdf") else r.text
        reached[path] = r.status_code
        for secret in forbidden(author):
            assert secret not in body, f"{path} shows {secret!r} to {reviewer}"
    for path in ("/records/{record_id}", "/records/{record_id}/print", "/records/{record_id}/summary.pdf",
                 "/dashboard", "/dashboard/export.csv"):
        assert reached[path] == 200, (path, reached[path])


def test_history_shows_the_anonymous_author_as_reporter_to_reviewers_and_as_themselves_to_the_author(
        client, people, settings, author, anonymous_record) -> None:
    reviewer = people.headers("org_a")
    actors = {e["actor"] for e in client.get(f"{API}/records/{anonymous_record}/audit", headers=reviewer).json()}
    assert actors == {"reporter via service", "reporter", f"account:{people.ids['org_a']}"}
    versions = client.get(f"{API}/records/{anonymous_record}/versions", headers=reviewer).json()
    assert [v["created_by"] for v in versions] == ["reporter via service", "reporter", f"account:{people.ids['org_a']}"]
    mine = author_headers(settings, author)
    own = client.get(f"{API}/records/{anonymous_record}/versions", headers=mine).json()
    assert [v["created_by"] for v in own] == [f"account:{author} via service", f"account:{author}",
                                              f"account:{people.ids['org_a']}"]


def test_a_named_record_still_shows_its_author_to_reviewers(client, people, settings, author) -> None:
    rid = submitted_record(client, author_headers(settings, author), anonymous=False)
    trail = client.get(f"{API}/records/{rid}/audit", headers=people.headers("org_a")).json()
    assert {e["actor"] for e in trail} == {f"account:{author}"}


def test_no_part_of_a_public_reporters_key_hash_is_shown(client, people, db) -> None:
    from backend.records.models import EventRecord

    public = people.headers("public:sms:+447700900004")
    rid = new_draft(client, public, "incident")["record"]["id"]
    stored = db.query(EventRecord).one().public_key_hash
    for path in ("audit", "versions"):
        r = client.get(f"{API}/records/{rid}/{path}", headers=public)
        assert r.status_code == 403 and stored[:6] not in r.text  # the service credential reads no history (issue 15)
    from backend.audit.models import AuditEvent

    actors = {e.actor for e in db.query(AuditEvent).filter(AuditEvent.entity_id == rid)}
    assert actors == {"public via service"}  # what a reviewer would be shown, once they may read it
