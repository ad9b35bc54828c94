"""The web form pages, server side: sign-in and sessions, CSRF, the question pages from the plan,
save and come back later, check your answers, submission, and who may open what."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from backend.web import session
from tests.backend.reporting import API, answer, new_draft
from tests.backend.web_client import csrf, post, sign_in

QUESTION = re.compile(r"/records/([0-9a-f-]{36})/questions/(\w+)(?:\?patient=(\d+))?")


def start(client, token, event_type="incident") -> tuple[str, str]:
    r = post(client, "/records/new", token, event_type=event_type)
    assert r.status_code == 303, r.text
    m = QUESTION.fullmatch(r.headers["location"])
    assert m and m.group(2) == "Description"
    return m.group(1), r.headers["location"]


def test_pages_need_sign_in_and_come_back_after_it(client, people):
    r = client.get("/records/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=/records/new"
    page = client.get("/sign-in?next=/records/new")
    r = client.post("/sign-in", data={"email": "std_a@test.example.org", "password": "wrong",
                                      "csrf_token": csrf(page.text), "next": "/records/new"})
    assert r.status_code == 400 and "email address or password is not right" in r.text
    assert "nhsuk-error-summary" in r.text and r.text.count("<title>Error: ") == 1
    r = client.post("/sign-in", data={"email": "std_a@test.example.org", "password": "correct horse battery staple",
                                      "csrf_token": csrf(page.text), "next": "/records/new"}, follow_redirects=False)
    assert r.headers["location"] == "/records/new"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client, people, target):
    page = client.get("/sign-in")
    r = client.post("/sign-in", data={"email": "std_a@test.example.org", "password": "correct horse battery staple",
                                      "csrf_token": csrf(page.text), "next": target}, follow_redirects=False)
    assert r.headers["location"] == "/records"


def test_every_form_post_needs_the_csrf_token(client, people):
    token = sign_in(client, "std_a")
    assert post(client, "/records/new", "forged", event_type="incident").status_code == 403
    assert client.post("/records/new", data={"event_type": "incident"}).status_code == 403
    assert post(client, "/sign-out", "forged").status_code == 403
    assert post(client, "/records/new", token, event_type="incident").status_code == 303


def test_sessions_expire_and_sign_out_ends_them(client, people, settings):
    sign_in(client, "std_a")
    assert client.get("/records").status_code == 200
    # A session older than the absolute limit is refused even if it was used a minute ago.
    started = datetime.now(timezone.utc) - timedelta(hours=session.ABSOLUTE_HOURS, minutes=1)
    old = jwt.encode({"sub": str(people.ids["std_a"]), "aud": "web", "iss": session.ISSUER,
                      "iat": datetime.now(timezone.utc), "exp": datetime.now(timezone.utc) + timedelta(minutes=5),
                      "start": int(started.timestamp())}, settings.secret_key.get_secret_value(), algorithm="HS256")
    assert session.read(settings, old) is None  # inside its own expiry, but signed in too long ago
    assert session.read(settings, session.issue(settings, people.ids["std_a"], started=started)) is None
    client.cookies.clear()
    client.cookies.set(session.SESSION_COOKIE, old)
    r = client.get("/records", follow_redirects=False)
    assert r.status_code == 303 and "expired=true" in r.headers["location"]
    token = sign_in(client, "std_a")
    r = post(client, "/sign-out", token)
    assert r.headers["location"] == "/sign-in"
    assert client.get("/records", follow_redirects=False).status_code == 303


def test_a_web_form_report_from_event_type_to_reference(client, people):
    token = sign_in(client, "std_a")
    record_id, url = start(client, token)
    page = client.get(url)
    assert "<textarea" in page.text and "Save and come back later" in page.text
    seen = 0
    while not url.endswith("/check"):
        page = client.get(url)
        assert page.status_code == 200, url
        field = QUESTION.fullmatch(url).group(2)
        if "Skip this question" in page.text:
            r = post(client, url, token, action="skip")
        elif field == "Description":
            r = post(client, url, token, value="A patient was given <b>twice</b> the dose =1+1", action="continue")
        elif 'name="query"' in page.text:  # the organisation list is searched first
            found = post(client, url, token, action="search", query="beacon")
            assert found.status_code == 200 and "G81019" in found.text
            r = post(client, url, token, value="G81019", action="continue")
        elif 'type="radio"' in page.text or 'type="checkbox"' in page.text:
            # The first choice of each question on the page (questions asked together share one page).
            names = dict.fromkeys(re.findall(r'name="(\w+)" type="(?:radio|checkbox)"', page.text))
            chosen = {n: re.search(rf'name="{n}" type="(?:radio|checkbox)" value="([^"]*)"', page.text).group(1)
                      for n in names}
            r = post(client, url, token, **chosen, action="continue")
        elif "date-day" in page.text:
            r = post(client, url, token, **{"date-day": "3", "date-month": "11", "date-year": "2026", "action": "continue"})
        else:
            r = post(client, url, token, value="1", action="continue")
        assert r.status_code == 303, (url, re.findall(r'error-message"[^>]*>(.*?)</span>', r.text, re.S))
        url = r.headers["location"]
        seen += 1
        assert seen < 60
    check = client.get(url)
    assert "Check your answers" in check.text and "Submit" in check.text
    assert "A patient was given &lt;b&gt;twice&lt;/b&gt;" in check.text  # typed text is escaped
    r = post(client, f"/records/{record_id}/submit", token)
    assert r.headers["location"] == f"/records/{record_id}/submitted"
    done = client.get(r.headers["location"])
    reference = re.search(r'id="reference">(PSE-\d{4}-\d{6})<', done.text).group(1)
    record = client.get(f"{API}/records/{record_id}", headers=people.headers("std_a")).json()
    assert record["status"] == "submitted" and record["reference"] == reference and record["channel"] == "web"
    assert record["answers"]["fields"]["Organisation"] == ["G81019"]
    assert record["answers"]["fields"]["Description"].startswith("A patient was given <b>twice</b>")
    mine = client.get("/records").text
    assert reference in mine


def test_validation_errors_are_shown_with_the_answer_kept(client, people):
    token = sign_in(client, "std_a")
    record_id, url = start(client, token)
    r = post(client, url, token, value="", action="continue")
    assert r.status_code == 400 and "nhsuk-error-summary" in r.text and 'href="#value"' in r.text
    r = post(client, url, token, value="x" * 6000, action="continue")  # over the plan's length limit
    assert r.status_code == 400 and "nhsuk-error-message" in r.text
    post(client, url, token, value="Wrong patient's bloods were taken on the ward.", action="continue")
    date_url = f"/records/{record_id}/questions/ApproximateDate"
    answer(client, people.headers("std_a"), record_id, {"field": "IncidentOccurredToday", "value": "n"})
    r = post(client, date_url, token, **{"date-day": "31", "date-month": "2", "date-year": "2026", "action": "continue"})
    assert r.status_code == 400 and "Enter a real date" in r.text and 'value="31"' in r.text
    r = post(client, date_url, token, **{"date-day": "1", "date-month": "1", "date-year": "2999", "action": "continue"})
    assert r.status_code == 400  # the backend's own rule: not in the future


def test_save_and_come_back_later_keeps_the_answer_and_lists_the_draft(client, people):
    token = sign_in(client, "std_a")
    record_id, url = start(client, token)
    r = post(client, url, token, value="The fridge for vaccines was found switched off.", action="later")
    assert r.headers["location"] == f"/records?saved={record_id}"
    listing = client.get(r.headers["location"]).text
    assert "Your draft is saved" in listing and "The fridge for vaccines" in listing
    nxt = client.get(f"/records/{record_id}/continue", follow_redirects=False).headers["location"]
    assert QUESTION.fullmatch(nxt).group(2) == "IncidentOccurredToday"  # the first question still open


def test_a_draft_begun_by_chat_opens_at_its_first_missing_question(client, people):
    chat = people.headers("std_a")
    draft = new_draft(client, chat, "incident", channel="chat")["record"]
    answer(client, chat, draft["id"], {"field": "Description", "value": "Fall in the waiting room."},
           {"field": "IncidentOccurredToday", "value": "y"})
    sign_in(client, "std_a")
    listing = client.get("/records").text
    assert "Fall in the waiting room." in listing and "Web chat" in listing
    nxt = client.get(f"/records/{draft['id']}/continue", follow_redirects=False).headers["location"]
    assert QUESTION.fullmatch(nxt).group(2) == "PreciseTime"


def test_changing_an_answer_returns_to_check_your_answers(client, people):
    token = sign_in(client, "std_a")
    record_id, url = start(client, token)
    post(client, url, token, value="First version of the description.", action="continue")
    r = post(client, f"{url}?change=1", token, value="Second version of the description.", action="continue")
    assert r.headers["location"] == f"/records/{record_id}/check"
    assert "Second version" in client.get(f"/records/{record_id}/check").text


def test_who_may_open_a_draft_or_a_record(client, people):
    owner_token = sign_in(client, "std_a")
    record_id, url = start(client, owner_token)
    post(client, url, owner_token, value="Needle-stick injury in the treatment room.", action="continue")
    for who in ("std_a2", "org_a", "admin_a", "std_b", "org_b", "platform"):
        client.cookies.clear()
        sign_in(client, who)
        for path in (url, f"/records/{record_id}", f"/records/{record_id}/print", f"/records/{record_id}/summary.pdf",
                     f"/records/{record_id}/check", f"/records/{record_id}/continue"):
            r = client.get(path, follow_redirects=False)
            assert r.status_code == 404, (who, path, r.status_code)
            assert "Needle-stick" not in r.text
    # Submitted: the organisation's reviewers may read it; other organisations still get 404.
    client.cookies.clear()
    sign_in(client, "std_a")
    client.post(f"{API}/records/{record_id}/submit", headers=people.headers("std_a"))
    fill_and_submit_api(client, people, record_id)
    for who, expected in (("org_a", 200), ("admin_a", 200), ("std_a2", 404), ("org_b", 404), ("platform", 404)):
        client.cookies.clear()
        sign_in(client, who)
        for path in (f"/records/{record_id}", f"/records/{record_id}/print", f"/records/{record_id}/summary.pdf"):
            assert client.get(path).status_code == expected, (who, path)
        # Nobody edits a submitted record through the draft pages.
        assert client.get(url, follow_redirects=False).status_code in (404, 409)


def fill_and_submit_api(client, people, record_id):
    from tests.backend.reporting import fill
    headers = people.headers("std_a")
    fill(client, headers, record_id)
    r = client.post(f"{API}/records/{record_id}/submit", headers=headers)
    assert r.status_code == 200, r.text


def test_summary_and_print_show_labels_and_escape_typed_text(client, people):
    headers = people.headers("std_a")
    draft = new_draft(client, headers, "incident")["record"]
    answer(client, headers, draft["id"], {"field": "Description", "value": "<script>alert(1)</script> wrong site"})
    fill_and_submit_api(client, people, draft["id"])
    sign_in(client, "std_a")
    for path in (f"/records/{draft['id']}", f"/records/{draft['id']}/print"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "Patient safety incident" in page.text  # the label, not the code "incident"
        assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    pdf = client.get(f"/records/{draft['id']}/summary.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_chat_page_knows_a_signed_in_member_of_staff(client, people):
    public = client.get("/chat").text
    assert "data-staff-token" not in public and "You don't need to sign in" in public
    sign_in(client, "std_a")
    page = client.get("/chat")
    token = re.search(r'data-staff-token="([^"]+)"', page.text).group(1)
    assert "reporting as a member of staff (std_a)" in page.text and page.headers["cache-control"] == "no-store"
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["id"] == people.ids["std_a"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 15 * 60  # short-lived: only to open the chat


def test_the_sharing_question_is_asked_as_the_check_page_shows_it(client, people):
    """'Can this record be shared?' Yes stores no opt-out, and the check page shows that question with Yes."""
    token = sign_in(client, "std_a")
    record_id, url = start(client, token)
    post(client, url, token, value="A patient fell in the bay.", action="continue")
    sharing = f"/records/{record_id}/questions/DataSharingOptOut"
    page = client.get(sharing).text
    assert "opt out" not in page.split("<h1")[1].split("</h1>")[0].lower()
    yes = re.search(r'type="radio" value="([^"]*)"[^>]*>\s*<label[^>]*>Yes</label>', page).group(1)
    post(client, sharing, token, value=yes, action="continue")
    record = client.get(f"{API}/records/{record_id}", headers=people.headers("std_a")).json()
    assert record["answers"]["fields"]["DataSharingOptOut"] is False
    check = re.sub(r"\s+", " ", client.get(f"/records/{record_id}/check").text)
    row = re.search(r'key">([^<]*shared[^<]*)</dt> <dd class="nhsuk-summary-list__value">([^<]*)<', check)
    assert row and "opt out" not in row.group(1).lower() and row.group(2).strip() == "Yes", row and row.groups()
