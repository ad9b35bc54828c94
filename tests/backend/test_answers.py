"""Answering questions on a draft: every field type, validation, skipping, pruning, identifiers."""

from datetime import date, timedelta

import pytest

from tests.backend.reporting import API, answer, new_draft

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@pytest.fixture
def staff(people):
    return people.headers("std_a")


@pytest.fixture
def draft(client, staff):
    return new_draft(client, staff)["record"]


# What the plan assumes for this member of staff, unasked: their account's organisation, not anonymous, shared.
DEFAULTS = {"Organisation": ["G81019"], "IsAnonymous": False, "DataSharingOptOut": False}


def fields(client, headers, rid):
    return client.get(f"{API}/records/{rid}", headers=headers).json()["answers"]


def test_every_field_type_is_stored_normalised(client, staff, draft):
    rid = draft["id"]
    r = answer(
        client, staff, rid,
        {"field": "Description", "value": "  Insulin given at ten times the dose.  "},  # text
        {"field": "IncidentOccurredToday", "value": "n"},  # single code
        {"field": "ApproximateDate", "value": YESTERDAY},  # date (a String field with format: date)
        {"field": "PreciseTime", "value": "15:00"},  # time
        {"field": "InvolvedAgents", "value": ["4", "3", "4"]},  # code list, de-duplicated
        {"field": "DrugsInvolved", "value": ["insulin", "glucose"]},  # list of texts
        {"field": "PatientCount", "value": 2},  # integer
        {"field": "PhysicalHarm", "patient": 2, "value": "3"},  # per patient
        {"field": "IsAnonymous", "value": False},  # boolean
        {"field": "Organisation", "value": ["g81019"]},  # the ODS list (codes are upper case)
    )
    assert r.status_code == 422  # lower-case ODS code is not a code
    assert r.json()["detail"]["errors"] == [
        {"field": "Organisation", "message": "'g81019' is not one of the allowed codes", "allowed": "a code from the ods-codes-5 list"}
    ]
    # Nothing half-written: only what the plan implies or assumes (issue 14's defaults, marked as such).
    stored = fields(client, staff, rid)
    assert stored["fields"] == {"EventType": "incident", "ReporterType": "3", **DEFAULTS}
    assert stored["defaulted"] == sorted(DEFAULTS)

    r = answer(
        client, staff, rid,
        {"field": "Description", "value": "  Insulin given at ten times the dose.  "},
        {"field": "IncidentOccurredToday", "value": "n"},
        {"field": "ApproximateDate", "value": YESTERDAY},
        {"field": "PreciseTime", "value": "15:00"},
        {"field": "InvolvedAgents", "value": ["4", "3", "4"]},
        {"field": "DrugsInvolved", "value": ["insulin", "glucose"]},
        {"field": "PatientCount", "value": 2},
        {"field": "PhysicalHarm", "patient": 2, "value": "3"},
        {"field": "IsAnonymous", "value": False},
        {"field": "Organisation", "value": ["G81019"]},
    )
    assert r.status_code == 200, r.text
    stored = r.json()["record"]["answers"]
    assert stored["fields"] == {
        "EventType": "incident", "ReporterType": "3", "Description": "Insulin given at ten times the dose.",
        "IncidentOccurredToday": "n", "ApproximateDate": YESTERDAY, "PreciseTime": "15:00",
        "InvolvedAgents": ["4", "3"], "DrugsInvolved": ["insulin", "glucose"], "PatientCount": 2,
        "IsAnonymous": False, "Organisation": ["G81019"], "DataSharingOptOut": False,
    }
    assert stored["defaulted"] == ["DataSharingOptOut"]  # the two said again are the reporter's answers now
    assert stored["patients"] == [{}, {"PhysicalHarm": "3"}]
    assert r.json()["record"]["event_date"] == YESTERDAY


@pytest.mark.parametrize(
    "item, message",
    [
        ({"field": "PhysicalHarm", "patient": 1, "value": "9"}, "'9' is not one of the allowed codes"),
        ({"field": "IncidentOccurredToday", "value": True}, "must be a code from its list"),
        ({"field": "IncidentOccurredToday", "value": ["y"]}, "must be a code from its list"),
        ({"field": "PatientCount", "value": "two"}, "must be a whole number"),
        ({"field": "PatientCount", "value": 51}, "must be between 0 and 50"),
        ({"field": "IsAnonymous", "value": "no"}, "must be true or false"),
        ({"field": "PreciseTime", "value": "25:00"}, "must be a 24-hour time as HH:MM"),
        ({"field": "ApproximateDate", "value": "12/03/2026"}, "must be a date as YYYY-MM-DD"),
        ({"field": "ApproximateDate", "value": (date.today() + timedelta(days=2)).isoformat()}, "cannot be in the future"),
        ({"field": "Description", "value": "x" * 5001}, "must be at most 5000 characters (got 5001)"),
        ({"field": "Description", "value": "   "}, "must not be empty"),
        ({"field": "Description", "value": 42}, "must be text"),
        ({"field": "InvolvedAgents", "value": []}, "choose at least one"),
        ({"field": "Description", "value": None}, "needs a value; to leave a question out, skip it"),
        ({"field": "NoSuchField", "value": "x"}, "is not a question in the plan"),
        ({"field": "PhysicalHarm", "value": "3"}, "needs a patient number"),
        ({"field": "Description", "patient": 1, "value": "x"}, "is not asked per patient"),
        ({"field": "ReporterType", "value": "1"}, "is not asked of staff reporters"),
        ({"field": "EventType", "value": "complaint"}, "'complaint' is not one of the allowed codes"),
    ],
)
def test_bad_answers_are_refused_with_the_field_named(client, staff, draft, item, message):
    before = client.get(f"{API}/records/{draft['id']}", headers=staff).json()
    r = answer(client, staff, draft["id"], {"field": "PatientCount", "value": 1}, item)
    assert r.status_code == 422
    errors = r.json()["detail"]["errors"]
    assert [e["message"] for e in errors] == [message] and errors[0]["field"] == item["field"]
    after = client.get(f"{API}/records/{draft['id']}", headers=staff).json()
    assert after == before  # the valid answer in the same batch was not written either


def test_allowed_values_are_listed(client, staff, draft):
    r = answer(client, staff, draft["id"], {"field": "LevelOfConcern", "value": "2"})
    assert r.json()["detail"]["errors"][0]["allowed"] == ["5", "4", "3", "1"]


def test_malformed_requests(client, staff, draft):
    url = f"{API}/records/{draft['id']}/answers"
    assert client.post(url, json={"answers": []}, headers=staff).status_code == 422
    assert client.post(url, json={"answers": [{"field": "X", "bogus": 1}]}, headers=staff).status_code == 422
    assert client.post(url, content=b"not json", headers={**staff, "Content-Type": "application/json"}).status_code == 422
    assert client.post(f"{API}/records", json={"event_type": "complaint"}, headers=staff).status_code == 422
    assert client.post(f"{API}/records", json={"channel": "pigeon"}, headers=staff).status_code == 422


def test_answers_to_questions_that_do_not_apply_are_refused(client, staff, draft):
    r = answer(client, staff, draft["id"], {"field": "DrugsInvolved", "value": ["insulin"]})
    assert r.status_code == 422
    assert "does not apply" in r.json()["detail"]["errors"][0]["message"]
    r = answer(client, staff, draft["id"], {"field": "RiskImminent", "value": "y"})
    assert r.status_code == 422


def test_changing_an_answer_removes_answers_that_no_longer_apply(client, staff, draft):
    rid = draft["id"]
    answer(client, staff, rid, {"field": "InvolvedAgents", "value": ["4"]},
           {"field": "DrugInvolvementFactors", "value": ["1"]}, {"field": "DrugUsedTooMuch", "value": ["1"]},
           {"field": "PatientCount", "value": 2}, {"field": "PhysicalHarm", "patient": 2, "value": "4"})
    r = answer(client, staff, rid, {"field": "InvolvedAgents", "value": ["3"]}, {"field": "PatientCount", "value": 1})
    stored = r.json()["record"]["answers"]
    assert "DrugInvolvementFactors" not in stored["fields"] and "DrugUsedTooMuch" not in stored["fields"]
    assert stored["patients"] == []
    assert set(r.json()["changed"]) >= {"InvolvedAgents", "DrugInvolvementFactors", "DrugUsedTooMuch", "PhysicalHarm:2"}
    trail = client.get(f"{API}/records/{rid}/audit", headers=staff).json()
    assert {"remove"} == {e["action"] for e in trail if e["field"] == "DrugUsedTooMuch" and e["new_value"] is None}


def test_changing_the_event_type_keeps_only_what_the_new_type_asks(client, staff, draft):
    rid = draft["id"]
    answer(client, staff, rid, {"field": "Description", "value": "Broken bed rail"},
           {"field": "IncidentOccurredToday", "value": "y"}, {"field": "ServiceArea", "value": ["1"]})
    r = answer(client, staff, rid, {"field": "EventType", "value": "risk"}, {"field": "RiskImminent", "value": "n"})
    assert r.status_code == 200
    assert r.json()["record"]["event_type"] == "risk"
    assert r.json()["record"]["answers"]["fields"] == {
        "EventType": "risk", "Description": "Broken bed rail", "ServiceArea": ["1"], "ReporterType": "3", "RiskImminent": "n",
        **DEFAULTS,
    }


def test_skipping(client, staff, draft):
    rid = draft["id"]
    r = answer(client, staff, rid, {"field": "PreciseTime", "skip": True})
    assert r.status_code == 200
    assert r.json()["record"]["answers"]["skipped"] == ["PreciseTime"]
    # Skipping the exact time brings in the shift bracket; "I don't know" stands in for mandatory ones.
    assert answer(client, staff, rid, {"field": "EstimatedTime", "value": "2"}).status_code == 200
    r = answer(client, staff, rid, {"field": "IncidentOccurredToday", "skip": True})
    assert r.status_code == 422
    assert r.json()["detail"]["errors"][0]["message"] == "is needed before submission and cannot be skipped (answer \"I don't know\" instead)"
    assert answer(client, staff, rid, {"field": "IncidentOccurredToday", "value": "u"}).status_code == 200
    r = answer(client, staff, rid, {"field": "PreciseTime", "value": "15:00"})
    assert r.json()["record"]["answers"]["skipped"] == []
    assert "EstimatedTime" not in r.json()["record"]["answers"]["fields"]  # it no longer applies


def test_answering_the_same_thing_twice_changes_nothing(client, staff, draft):
    rid = draft["id"]
    item = {"field": "InvolvedAgents", "value": ["4", "3"]}
    first = answer(client, staff, rid, item).json()
    audit_before = client.get(f"{API}/records/{rid}/audit", headers=staff).json()
    again = answer(client, staff, rid, {"field": "InvolvedAgents", "value": ["4", "3"]}).json()
    assert again["changed"] == []
    assert again["record"]["revision"] == first["record"]["revision"]
    assert again["record"]["updated_at"] == first["record"]["updated_at"]
    assert client.get(f"{API}/records/{rid}/audit", headers=staff).json() == audit_before


def test_stale_revision_is_a_conflict(client, staff, draft):
    rid = draft["id"]
    rev = draft["revision"]
    assert answer(client, staff, rid, {"field": "PatientCount", "value": 1}, expected_revision=rev).status_code == 200
    r = answer(client, staff, rid, {"field": "PatientCount", "value": 2}, expected_revision=rev)
    assert r.status_code == 409


def test_identifiers_in_text_are_redacted_and_reported(client, staff, draft):
    text = "Pt 943 476 5919 (DOB: 12/03/1956) rang from 07700 900123 at SW1A 1AA, j.doe@example.com"
    r = answer(client, staff, draft["id"], {"field": "Description", "value": text})
    assert r.json()["record"]["answers"]["fields"]["Description"] == (
        "Pt [NHS number removed] (DOB: [date of birth removed]) rang from [phone number removed] at "
        "[postcode removed], [email removed]"
    )
    kinds = [(w["field"], w["kind"]) for w in r.json()["identifiers_found"]]
    assert kinds == [("Description", k) for k in ("nhs_number", "date_of_birth", "phone_number", "postcode", "email")]
    assert "943 476 5919" not in client.get(f"{API}/records/{draft['id']}/audit", headers=staff).text


def test_invalid_nhs_number_is_left_alone(client, staff, draft):
    r = answer(client, staff, draft["id"], {"field": "Description", "value": "Ref 943 476 5918 on the form"})
    assert r.json()["identifiers_found"] == []
    assert r.json()["record"]["answers"]["fields"]["Description"] == "Ref 943 476 5918 on the form"


def test_contact_details_are_kept_where_asked_for(client, people):
    public = people.headers("public:sms:conversation-0001")
    rid = new_draft(client, public, "incident")["record"]["id"]
    r = answer(client, public, rid, {"field": "IsAnonymous", "value": False},
               {"field": "ReporterContact", "value": "07700 900123"})
    assert r.status_code == 200
    assert r.json()["record"]["answers"]["fields"]["ReporterContact"] == "07700 900123"
    assert r.json()["identifiers_found"] == []


def test_next_question_follows_the_plan(client, staff):
    created = new_draft(client, staff, None, answers=[{"field": "Description", "value": "A fall on the ward"}])
    assert created["next_question"]["field"] == "EventType"
    assert [c["code"] for c in created["next_question"]["choices"]] == ["incident", "poor_outcome", "risk", "good_care"]
    rid = created["record"]["id"]
    q = answer(client, staff, rid, {"field": "EventType", "value": "incident"}).json()["next_question"]
    assert q["field"] == "IncidentOccurredToday" and q["unknown_code"] == "u" and q["mandatory"]
    q = answer(client, staff, rid, {"field": "IncidentOccurredToday", "value": "n"}).json()["next_question"]
    assert q["field"] == "ApproximateDate" and q["type"] == "date"
    answer(client, staff, rid, {"field": "ApproximateDate", "value": YESTERDAY}, {"field": "PreciseTime", "skip": True},
           {"field": "EstimatedTime", "value": "1"})
    q = client.get(f"{API}/records/{rid}/next-question", headers=staff).json()["question"]
    assert q["field"] == "ServiceArea"  # the organisation is the account's, assumed (and shown at the recap)
    assert fields(client, staff, rid)["defaulted"] == sorted(DEFAULTS)
    answer(client, staff, rid, {"field": "ServiceArea", "value": ["17"]}, {"field": "LocationWithinService", "value": "11"})
    full = client.get(f"{API}/records/{rid}/next-question", headers=staff).json()
    core = client.get(f"{API}/records/{rid}/next-question", params={"core_only": True}, headers=staff).json()
    assert full["question"]["field"] == "IdentifiedLocationOther"  # the ward or unit: the web asks it
    assert core["question"]["field"] == "InvolvedAgents"  # the assistant leaves web-only and optional ones out
    assert core["offered"][0]["field"] == "IdentifiedLocationOther"  # offered at check your answers instead
    assert core["missing_mandatory"] > 0 and not core["ready_to_submit"]


def test_per_patient_wording(client, staff, draft):
    rid = draft["id"]
    answer(client, staff, rid, {"field": "PatientCount", "value": 2})
    answer(client, staff, rid, {"field": "PhysicalHarm", "patient": 1, "value": "5"})
    missing = client.get(f"{API}/records/{rid}/missing", headers=staff).json()["missing"]
    harm = [m for m in missing if m["field"] in ("PhysicalHarm", "PsychologicalHarm")]
    assert harm == [
        {"field": "PsychologicalHarm", "patient": 1, "text": "What was the psychological harm to patient 1?"},
        {"field": "PhysicalHarm", "patient": 2, "text": "What was the physical harm to patient 2?"},
        {"field": "PsychologicalHarm", "patient": 2, "text": "What was the psychological harm to patient 2?"},
    ]


def test_an_answer_brings_the_assistants_next_question_when_asked(client, people):
    from tests.backend.reporting import answer as post_answer
    headers = people.headers("std_a")
    draft = new_draft(client, headers, "incident")["record"]
    item = {"field": "Description", "value": "Insulin given twice on the ward."}
    full = post_answer(client, headers, draft["id"], item).json()["next_question"]
    core = client.post(f"{API}/records/{draft['id']}/answers?core_only=true", json={"answers": [item]},
                       headers=headers).json()["next_question"]
    expected = client.get(f"{API}/records/{draft['id']}/next-question?core_only=true", headers=headers).json()
    assert core == expected["question"]
    assert full == client.get(f"{API}/records/{draft['id']}/next-question", headers=headers).json()["question"]


def test_a_date_reads_as_people_write_it_in_the_summary(client, people):
    from tests.backend.reporting import answer, new_draft
    who = people.headers("std_a")
    rid = new_draft(client, who, "incident")["record"]["id"]
    answer(client, who, rid, {"field": "IncidentOccurredToday", "value": "n"}, {"field": "ApproximateDate", "value": "2026-11-03"})
    rows = client.get(f"/api/v1/records/{rid}/summary", headers=who).json()["answers"]
    assert next(r["answer"] for r in rows if r["field"] == "ApproximateDate") == "3 November 2026"
