"""The plan's defaults (issue 14): what the system already knows is put in unasked, marked as assumed,
shown with its reason, and changed like any answer; a member of staff's role is kept from their last report."""

from pathlib import Path

import pytest
import yaml

from backend.plan.model import PLAN_PATH, load_plan
from tests.backend.reporting import API, answer, fill, new_draft


def _record(client, headers, rid):
    return client.get(f"{API}/records/{rid}", headers=headers).json()


def test_every_default_in_the_plan_has_its_reason_and_is_a_valid_answer():
    plan = load_plan()
    defaulted = {q.id: q.defaults for q in plan.questions.values() if q.defaults}
    assert set(defaulted) == {"Organisation", "ReporterRole", "IsAnonymous", "DataSharingOptOut"}
    assert all(d.why for ds in defaulted.values() for d in ds.values())
    assert defaulted["Organisation"]["staff"].source == "account.organisation"
    assert defaulted["IsAnonymous"]["public"].value is True and defaulted["IsAnonymous"]["staff"].value is False


@pytest.mark.parametrize("bad, message", [
    ({"value": False}, "needs its reason"),
    ({"value": "maybe", "why": "x"}, "the default for staff"),
    ({"from": "account.shoe_size", "why": "x"}, "unknown default source"),
])
def test_a_default_without_a_reason_or_with_a_wrong_value_fails_loading(tmp_path: Path, bad, message):
    raw = yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8"))
    raw["questions"]["IsAnonymous"]["default"] = {"staff": bad}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_plan(path)


def test_the_plan_api_states_each_default_and_why(client, people):
    questions = client.get(f"{API}/plan/incident", params={"audience": "staff"}).json()["questions"]
    by_field = {q["field"]: q for q in questions}
    assert by_field["Organisation"]["default"]["from"] == "account.organisation"
    assert by_field["DataSharingOptOut"]["default"]["value"] is False and by_field["DataSharingOptOut"]["default"]["why"]
    assert by_field["ServiceArea"]["default"] is None


def test_a_public_report_is_anonymous_and_shared_unless_the_reporter_says_otherwise(client, people):
    h = people.headers("public:web:conversation-defaults")
    rid = new_draft(client, h, "risk", answers=[{"field": "Description", "value": "Loose step at the entrance"}])["record"]["id"]
    asked = {q["field"] for q in fill(client, h, rid)}
    assert not asked & {"IsAnonymous", "DataSharingOptOut", "ReporterContact"}
    fields = _record(client, h, rid)["answers"]["fields"]
    assert fields["IsAnonymous"] is True and fields["DataSharingOptOut"] is False
    # Changed at check your answers: now the reporter's answer, and the contact question opens up.
    r = answer(client, h, rid, {"field": "IsAnonymous", "value": False})
    assert r.json()["next_question"]["field"] == "ReporterContact"
    assert _record(client, h, rid)["answers"]["defaulted"] == ["DataSharingOptOut"]


def test_the_organisation_comes_from_the_account_and_can_be_changed(client, people):
    h = people.headers("std_b")
    rid = new_draft(client, h, "incident")["record"]["id"]
    assert _record(client, h, rid)["answers"]["fields"]["Organisation"] == ["RVJ"]
    rows = client.get(f"{API}/records/{rid}/summary", headers=h).json()["answers"]
    org = next(r for r in rows if r["field"] == "Organisation")
    assert org["defaulted"] and "where they work" in org["why"]
    answer(client, h, rid, {"field": "Organisation", "value": ["G81019"]})  # it happened elsewhere
    answers = _record(client, h, rid)["answers"]
    assert answers["fields"]["Organisation"] == ["G81019"] and "Organisation" not in answers["defaulted"]
    audit = client.get(f"{API}/records/{rid}/audit", headers=h).json()
    assert any(a["action"] == "default" and a["field"] == "IsAnonymous" for a in audit)


def test_the_role_of_the_first_report_is_kept_on_the_account_and_assumed_next_time(client, people):
    h = people.headers("std_a")
    assert client.get(f"{API}/me", headers=h).json()["reporter_role"] is None
    first = new_draft(client, h, "good_care", answers=[{"field": "Description", "value": "Quick kind care"}])["record"]["id"]
    assert "ReporterRole" in {q["field"] for q in fill(client, h, first)}  # asked: the account has none yet
    assert client.post(f"{API}/records/{first}/submit", headers=h).status_code == 200
    role = _record(client, h, first)["answers"]["fields"]["ReporterRole"]
    assert client.get(f"{API}/me", headers=h).json()["reporter_role"] == role
    second = new_draft(client, h, "good_care", answers=[{"field": "Description", "value": "More kind care"}])["record"]["id"]
    assert "ReporterRole" not in {q["field"] for q in fill(client, h, second)}
    answers = _record(client, h, second)["answers"]
    assert answers["fields"]["ReporterRole"] == role and "ReporterRole" in answers["defaulted"]


def test_a_member_of_staff_sets_or_clears_their_role(client, people):
    h = people.headers("std_a")
    r = client.put(f"{API}/me/reporter-role", json={"reporter_role": "5"}, headers=h)
    assert r.status_code == 200 and r.json()["reporter_role"] == "5"
    assert client.put(f"{API}/me/reporter-role", json={"reporter_role": "99"}, headers=h).status_code == 422
    rid = new_draft(client, h, "incident")["record"]["id"]
    assert _record(client, h, rid)["answers"]["fields"]["ReporterRole"] == "5"
    assert client.put(f"{API}/me/reporter-role", json={"reporter_role": None}, headers=h).json()["reporter_role"] is None
    rid = new_draft(client, h, "incident")["record"]["id"]
    assert "ReporterRole" not in _record(client, h, rid)["answers"]["fields"]
    # The service credential acts on records only, never on accounts.
    service = people.headers("public:web:conversation-role")
    assert client.put(f"{API}/me/reporter-role", json={"reporter_role": "5"}, headers=service).status_code in (401, 403)
