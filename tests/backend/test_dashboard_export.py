"""The dashboard's CSV export: labels and codes, only what the filters select, formulas neutralised,
streamed in chunks, and recorded in the audit trail."""

import csv
import io

import pytest
from sqlalchemy import select

from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from backend.auth.principal import Principal
from backend.dashboard import export, filters
from backend.taxonomy import get_taxonomy
from tests.backend.reporting import API, new_draft

EXPORT = f"{API}/dashboard/export.csv"


def _rows(response):
    assert response.status_code == 200, response.text
    assert response.text.startswith("\ufeff")  # so Excel reads the file as UTF-8
    return list(csv.DictReader(io.StringIO(response.text[1:])))


def _draft(client, h, desc, **extra):
    answers = [{"field": "Description", "value": desc}, {"field": "IncidentOccurredToday", "value": "n"},
               {"field": "ApproximateDate", "value": "2025-05-06"}, {"field": "ServiceArea", "value": ["9", "17"]},
               {"field": "InvolvedAgents", "value": ["3", "4"]}, {"field": "PatientCount", "value": 1},
               {"field": "PhysicalHarm", "patient": 1, "value": "3"}]
    return new_draft(client, h, "incident", channel="teams", answers=answers, **extra)["record"]["id"]


def test_labels_codes_and_headers(client, people):
    h = people.headers("std_a")
    rid = _draft(client, h, "Wrong dose of insulin given, 10 units, not 1")
    r = client.get(EXPORT, headers=h)
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="patient-safety-events-')
    [row] = _rows(r)
    assert row["Record ID"] == rid and row["Description"] == "Wrong dose of insulin given, 10 units, not 1"
    assert row["Event type"] == "Patient safety incident" and row["Status"] == "Draft"
    assert row["Physical harm"] == "Moderate physical harm" and row["Physical harm code"] == "3"
    assert row["Psychological harm"] == "Not recorded" and row["Psychological harm code"] == ""
    assert row["Agents involved"] == "Medications; Devices" and row["Agent codes"] == "4 3"  # taxonomy order
    assert row["Service areas"].startswith("GP including") and row["Service area codes"] == "17 9"
    assert (row["Channel"], row["Reporter type"], row["Event date"]) == ("Microsoft Teams", "I am a member of staff",
                                                                          "2025-05-06")


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1:A2)"])
def test_formulas_are_neutralised(client, people, text):
    h = people.headers("std_a")
    _draft(client, h, text)
    [row] = _rows(client.get(EXPORT, headers=h))
    assert row["Description"] == "'" + text  # the csv module quoted the rest; the apostrophe stops the formula


def test_neutralise():
    for cell in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert export.neutralise(cell) == "'" + cell
    for cell in ("ok", "1", "", " =1", "'=1"):
        assert export.neutralise(cell) == cell
    assert export.neutralise(None) == ""


def test_export_only_what_the_filters_select_and_audit(client, people, db):
    h = people.headers("std_a")
    _draft(client, h, "harm three")
    new_draft(client, h, "good_care", answers=[{"field": "Description", "value": "good care"}])
    rows = _rows(client.get(EXPORT, params={"physical_harm": "3"}, headers=h))
    assert [r["Description"] for r in rows] == ["harm three"]
    assert len(_rows(client.get(EXPORT, headers=h))) == 2
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.entity_type, e.actor_account_id, e.new_value) for e in events] == [
        ("dashboard", people.ids["std_a"], {"physical_harm": ["3"]}),
        ("dashboard", people.ids["std_a"], {}),
    ]


def test_streamed_in_chunks(client, people, db):
    h = people.headers("std_a")
    for n in range(5):
        _draft(client, h, f"record {n}")
    who = Principal(account_id=people.ids["std_a"], role=Role.standard, organisation_ods="G81019")
    parts = list(export.csv_text(db, get_taxonomy(), who, filters.Filters(), chunk=2))
    assert len(parts) == 1 + 3  # the header, then chunks of 2, 2 and 1 records
    rows = list(csv.DictReader(io.StringIO("".join(parts)[1:])))
    assert [r["Description"] for r in rows] == [f"record {n}" for n in (4, 3, 2, 1, 0)]
    assert all(r["Agent codes"] == "4 3" for r in rows)  # each chunk's facets found
