"""The dashboard API: counts, filters on every dimension, who sees what, pages and the CSV export.

Records are made through the records API, as reporters make them, so the dashboard columns and
facets come from the real derivation.
"""

import csv
import io

import pytest

from tests.backend.reporting import API, fill, new_draft

DASH = f"{API}/dashboard"


def _draft(client, h, desc, event_type="incident", date=None, harm=None, psych=None, agents=(), areas=(),
           channel="api", **fields):
    answers = [{"field": "Description", "value": desc}]
    if date:
        answers += [{"field": "IncidentOccurredToday", "value": "n"}, {"field": "ApproximateDate", "value": date}]
    if areas:
        answers.append({"field": "ServiceArea", "value": list(areas)})
    if agents:
        answers.append({"field": "InvolvedAgents", "value": list(agents)})
    if harm or psych:
        answers.append({"field": "PatientCount", "value": 1})
        answers += [{"field": f, "patient": 1, "value": v} for f, v in
                    (("PhysicalHarm", harm), ("PsychologicalHarm", psych)) if v]
    answers += [{"field": f, "value": v} for f, v in fields.items()]
    return new_draft(client, h, event_type, channel=channel, answers=answers)["record"]["id"]


def _submitted(client, h, desc, **kw):
    rid = _draft(client, h, desc, **kw)
    fill(client, h, rid)
    assert client.post(f"{API}/records/{rid}/submit", headers=h).status_code == 200
    return rid


def _listed(client, h, query="", **params):
    r = client.get(f"{DASH}/records?{query}", params={"page_size": 100, **params}, headers=h)
    assert r.status_code == 200, r.text
    return {i["first_words"] for i in r.json()["items"]}


def _by(rows):
    return {row["code"]: row["count"] for row in rows}


@pytest.fixture
def mine(client, people):
    """Drafts of one standard account, which sees exactly these on its dashboard."""
    h = people.headers("std_a")
    _draft(client, h, "r1", date="2025-01-10", harm="4", psych="3", agents=["4"], areas=["17"], channel="teams")
    _draft(client, h, "r2", date="2025-01-20", harm="1", psych="4", agents=["4", "3"], areas=["1"], channel="sms")
    _draft(client, h, "r3", "poor_outcome", date="2025-03-05", harm="5", psych="4", agents=["9"], areas=["17"])
    _draft(client, h, "r4", "good_care", date="2025-03-31", areas=["9"], channel="web")
    _draft(client, h, "r5", "risk")  # no date asked: the recorded date counts (today)
    return h


def test_counts(client, mine):
    s = client.get(f"{DASH}/summary", params={"date_to": "2025-12-31"}, headers=mine).json()
    assert s["total"] == 4 and s["filters"] == {"date_to": ["2025-12-31"]}
    assert s["by_month"] == [{"month": "2025-01", "count": 2}, {"month": "2025-02", "count": 0},
                             {"month": "2025-03", "count": 2}]
    assert _by(s["by_event_type"]) == {"incident": 2, "poor_outcome": 1, "risk": 0, "good_care": 1}
    harm = {row["label"]: row["count"] for row in s["by_physical_harm"]}
    assert harm == {"No physical harm": 1, "Low physical harm": 1, "Moderate physical harm": 0,
                    "Severe physical harm": 0, "Fatal": 1, "Not recorded": 1}  # good care asks no harm
    assert _by(s["by_psychological_harm"]) == {"4": 2, "3": 1, "2": 0, "1": 0, None: 1}
    assert _by(s["by_agent"]) == {"4": 2, "3": 1, "9": 1, "13": 0, "14": 0, "11": 0, "12": 0, "8": 0, "10": 0}
    everything = client.get(f"{DASH}/summary", headers=mine).json()
    assert everything["total"] == 5 and sum(m["count"] for m in everything["by_month"]) == 5


@pytest.mark.parametrize("params, expected", [
    ({"date_from": "2025-01-20", "date_to": "2025-03-05"}, {"r2", "r3"}),  # both ends inclusive
    ({"date_from": "2025-03-31"}, {"r4", "r5"}),
    ({"event_type": "poor_outcome"}, {"r3"}),
    ({"event_type": ["incident", "good_care"]}, {"r1", "r2", "r4"}),
    ({"physical_harm": "4,1"}, {"r1", "r2"}),  # comma-separated is the same as repeated
    ({"psychological_harm": "3"}, {"r1"}),
    ({"agent": "4"}, {"r1", "r2"}),
    ({"agent": ["3", "9"]}, {"r2", "r3"}),
    ({"service_area": "17"}, {"r1", "r3"}),
    ({"channel": ["teams", "web"]}, {"r1", "r4"}),
    ({"status": "draft"}, {"r1", "r2", "r3", "r4", "r5"}),
    ({"status": "submitted"}, set()),
    ({"reporter_type": "3"}, {"r1", "r2", "r3", "r4", "r5"}),  # staff reporters are implied "3"
    ({"agent": "4", "physical_harm": "1", "channel": "sms"}, {"r2"}),  # filters combine with AND
    ({"event_type": ""}, {"r1", "r2", "r3", "r4", "r5"}),  # a form's empty "any" option
])
def test_each_filter(client, mine, params, expected):
    assert _listed(client, mine, **params) == expected
    assert client.get(f"{DASH}/summary", params=params, headers=mine).json()["total"] == len(expected)


def test_status_and_reporter_type_for_a_reviewer(client, people):
    _submitted(client, people.headers("std_a"), "staff report")
    _draft(client, people.headers("std_a"), "colleague's draft")
    public = people.headers("public:sms:+447700900123")
    _submitted(client, public, "public report", channel="sms", ReporterType="1", Organisation=["G81019"])
    h = people.headers("org_a")
    assert _listed(client, h) == {"staff report", "public report"}
    assert _listed(client, h, status="submitted") == {"staff report", "public report"}
    assert _listed(client, h, status="draft") == set()
    assert _listed(client, h, reporter_type="1") == {"public report"}
    assert _listed(client, h, channel="sms") == {"public report"}
    item = client.get(f"{DASH}/records", params={"reporter_type": "1"}, headers=h).json()["items"][0]
    assert item["reporter_type_label"] == "I am the affected patient" and item["reference"]


# Every author makes a draft and a submitted record; who sees which on their dashboard.
AUTHORS = ["std_a", "std_a2", "org_a", "std_b"]
READERS = ["std_a", "std_a2", "org_a", "admin_a", "std_b", "org_b", "admin_b"]


def _may_see(reader, author, submitted):
    if reader == author:
        return True
    same_org = reader.split("_")[1][0] == author.split("_")[1][0]  # std_a2 is in organisation a
    return submitted and same_org and reader.startswith(("org_", "admin_"))


def test_scope_matrix(client, people):
    for author in AUTHORS:
        _draft(client, people.headers(author), f"draft by {author}", "good_care")
        _submitted(client, people.headers(author), f"submitted by {author}", event_type="good_care")
    for reader in READERS:
        h = people.headers(reader)
        expected = {f"{state} by {author}" for author in AUTHORS for state in ("draft", "submitted")
                    if _may_see(reader, author, state == "submitted")}
        assert _listed(client, h) == expected, reader
        assert client.get(f"{DASH}/summary", headers=h).json()["total"] == len(expected), reader
        exported = list(csv.DictReader(io.StringIO(client.get(f"{DASH}/export.csv", headers=h).text.lstrip("\ufeff"))))
        assert {r["Description"] for r in exported} == expected, reader


def test_who_has_no_dashboard(client, people):
    for who in ("platform", "public:sms:+447700900123"):
        for path in ("summary", "records", "export.csv", "options"):
            r = client.get(f"{DASH}/{path}", headers=people.headers(who))
            assert r.status_code == 403, (who, path)
    assert client.get(f"{DASH}/summary").status_code == 401


def test_pages(client, people):
    h = people.headers("std_a")
    dates = ["2025-02-01", "2025-02-03", "2025-02-03", "2025-02-03", "2025-01-15", "2025-02-02", "2025-02-03"]
    for n, d in enumerate(dates):
        _draft(client, h, f"p{n}", "good_care", date=d)
    pages = [client.get(f"{DASH}/records", params={"page": n, "page_size": 3}, headers=h).json() for n in (1, 2, 3)]
    assert [(p["total"], p["pages"], len(p["items"])) for p in pages] == [(7, 3, 3), (7, 3, 3), (7, 3, 1)]
    seen = [i["first_words"] for p in pages for i in p["items"]]
    # Newest event first; records of the same day newest-made first, so pages never overlap.
    assert seen == ["p6", "p3", "p2", "p1", "p5", "p0", "p4"]
    past_end = client.get(f"{DASH}/records", params={"page": 4, "page_size": 3}, headers=h).json()
    assert past_end["items"] == [] and past_end["total"] == 7
    assert len(client.get(f"{DASH}/records", headers=h).json()["items"]) == 7  # default 25
    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 101}, {"page": "x"}):
        assert client.get(f"{DASH}/records", params=bad, headers=h).status_code == 422, bad
    assert client.get(f"{DASH}/records", params={"page_size": 100}, headers=h).status_code == 200


@pytest.mark.parametrize("params, names", [
    ({"physical_harm": "9"}, ["physical_harm"]),
    ({"event_type": "accident"}, ["event_type"]),
    ({"agent": "4,99"}, ["agent"]),
    ({"service_area": "x"}, ["service_area"]),
    ({"status": "deleted"}, ["status"]),
    ({"channel": "fax"}, ["channel"]),
    ({"reporter_type": "0", "psychological_harm": "5"}, ["psychological_harm", "reporter_type"]),
    ({"date_from": "2025-13-01"}, ["date_from"]),
    ({"date_to": "yesterday"}, ["date_to"]),
    ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, ["date_from"]),
])
def test_bad_filters_are_422_naming_the_parameter(client, people, params, names):
    for path in ("summary", "records", "export.csv"):
        r = client.get(f"{DASH}/{path}", params=params, headers=people.headers("org_a"))
        assert r.status_code == 422, (path, r.text)
        assert sorted(e["loc"][-1] for e in r.json()["detail"]) == names
    if "agent" in params:
        assert "'99'" in r.json()["detail"][0]["msg"] and "allowed: 4, 3, 9" in r.json()["detail"][0]["msg"]


def test_options_list_codes_and_labels(client, people):
    o = client.get(f"{DASH}/options", headers=people.headers("std_a")).json()
    assert {"code": "1", "label": "Fatal"} in o["physical_harm"]
    assert {"code": "4", "label": "Medications"} in o["agent"]
    assert {c["code"] for c in o["status"]} == {"draft", "submitted"}


def test_a_reviewers_own_records_count_wherever_they_are(client, people, db):
    """The reviewer's own records outside their organisation's submitted ones (a draft, a record
    filed under another or no organisation) count once, beside the organisation's."""
    from backend.records.models import EventRecord

    h = people.headers("org_a")
    elsewhere = _submitted(client, h, "mine, filed under B")
    nowhere = _submitted(client, h, "mine, no organisation")
    _draft(client, h, "my draft")
    _submitted(client, people.headers("std_a"), "colleague's")
    for rid, ods in ((elsewhere, "RVJ"), (nowhere, None)):
        db.query(EventRecord).filter_by(public_id=rid).update({"organisation_ods": ods})
    db.commit()
    assert _listed(client, h) == {"mine, filed under B", "mine, no organisation", "my draft", "colleague's"}
    assert client.get(f"{DASH}/summary", headers=h).json()["total"] == 4
    assert _listed(client, people.headers("org_b")) == {"mine, filed under B"}  # submitted in B's name


def test_every_channel_has_a_label():
    from typing import get_args

    from backend.dashboard.filters import CHANNELS
    from backend.records.schemas import Channel

    assert set(CHANNELS) == set(get_args(Channel))
