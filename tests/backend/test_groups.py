"""Questions asked together (the plan's groups): checked at load, offered by next-question to the
assistant as one question, and one reply read into each field by POST /interpret/group."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backend.plan.model import PLAN_PATH, get_plan, load_plan
from tests.backend.reporting import API, answer, new_draft

GROUP = f"{API}/interpret/group"
WHEN = "2026-11-26T14:00:00"  # a Thursday, London time


def test_the_plan_names_its_groups_each_with_its_reason():
    groups = get_plan().groups
    assert groups["Harm"].questions == ("PhysicalHarm", "PsychologicalHarm") and groups["Harm"].when == "one_patient"
    assert groups["MedicineProblem"].lead == "DrugInvolvementFactors" and groups["MedicineProblem"].kind == "detail"
    assert groups["WhichDay"].kind == "fold" and groups["Anonymity"].kind == "fold"
    assert all(g.why for g in groups.values())


def _group(name: str, **body):
    return lambda p: p["groups"][name].update(body)


@pytest.mark.parametrize(("mutate", "message"), [
    (_group("Harm", colour="blue"), "unknown fields"),
    (_group("Harm", kind="pair"), "kind must be"),
    (lambda p: p["groups"]["Harm"].pop("why"), "reason"),
    (_group("Harm", questions=["PhysicalHarm", "NotAQuestion"]), "not a plan question"),
    (_group("Harm", questions=["PhysicalHarm"]), "two or more"),
    (_group("Harm", when="sometimes"), "when must be"),
    (_group("Harm", questions=["PhysicalHarm", "PsychologicalHarm", "LevelOfConcern"]), "per-patient"),
    (_group("MedicineProblem", when="one_patient"), "one_patient is for per-patient"),
    # StrengthOfAssociation is asked for poor outcomes only: the group would span incidents where it cannot
    (_group("Harm", questions=["PhysicalHarm", "PsychologicalHarm", "StrengthOfAssociation"], choices=[]), "asks only"),
    (lambda p: p["groups"]["Harm"].pop("public"), "no question for public"),
    (_group("Harm", choices=[{"label": "No harm", "values": {"PhysicalHarm": "5"}}]), "a value for each"),
    (_group("Harm", choices=[{"label": "x", "values": {"PhysicalHarm": "9", "PsychologicalHarm": "4"}}]), "PhysicalHarm"),
    (_group("WhichDay", questions=["IncidentOccurredToday", "PreciseTime"]), "follow from IncidentOccurredToday"),
    (_group("WhichDay", questions=["InvolvedAgents", "DrugsInvolved"]), "yes/no"),
    (_group("MedicineProblem", questions=["DrugInvolvementFactors", "DrugsInvolved"]), "follow from"),
    (_group("MedicineProblem", questions=["DrugInvolvementFactors", "DrugInsufficientDetails", "DrugUsedTooMuch"]),
     "not listed together"),
    (lambda p: p["groups"].update(Again={"kind": "fold", "questions": ["IsAnonymous", "WhyAnonymous"], "why": "x"}),
     "already in group"),
    (_group("Anonymity", staff="Anonymous?"), None),  # a fold may word its lead: no error
])
def test_bad_groups_fail_at_load(tmp_path: Path, mutate, message):
    raw = yaml.safe_load(PLAN_PATH.read_text())
    mutate(raw)
    bad = tmp_path / "plan.yaml"
    bad.write_text(yaml.safe_dump(raw))
    if message is None:
        assert load_plan(bad).groups["Anonymity"].text("staff") == "Anonymous?"
        return
    with pytest.raises(ValueError, match=message):
        load_plan(bad)


def _read(client, people, group: str, text: str, audience: str = "staff") -> dict:
    r = client.post(GROUP, json={"group": group, "text": text, "audience": audience, "reported_at": WHEN},
                    headers=people.headers("public:test:groups"))
    assert r.status_code == 200, r.text
    return r.json()


def _values(reading: dict) -> dict:
    return {a["field"]: a["value"] for a in reading["answers"]}


@pytest.mark.parametrize(("text", "audience", "physical", "psychological"), [
    ("no harm", "staff", "5", "4"),
    ("none", "staff", "5", "4"),
    ("Not hurt or upset", "public", "5", "4"),  # the quick choice's button
    ("1", "public", "5", "4"),  # its number, over SMS
    ("low physical harm, no psychological", "staff", "4", "4"),
    ("moderate physical, none psychological", "staff", "3", "4"),
    ("not hurt but very upset", "public", "5", "2"),
    ("a little hurt, not upset", "public", "4", "4"),
    ("some bruising, she was upset", "public", "4", None),  # upset, but how much is not said: asked alone
    ("Needed more treatment", "public", "3", None),  # no word for the mind: the body, as the question leads
    ("no physical harm", "staff", "5", None),
])
def test_one_reply_fills_both_harms_and_leaves_the_unclear_one_open(client, people, text, audience, physical,
                                                                  psychological):
    reading = _read(client, people, "Harm", text, audience)
    expected = {k: v for k, v in (("PhysicalHarm", physical), ("PsychologicalHarm", psychological)) if v}
    assert reading["act"] == "answer" and _values(reading) == expected
    assert reading["unclear"] == [f for f in ("PhysicalHarm", "PsychologicalHarm") if f not in expected]


@pytest.mark.parametrize(("text", "act"), [("what does that mean", "help"), ("stop", "stop"), ("skip", "unknown"),
                                           ("the weather is nice", "none")])
def test_a_group_reply_that_is_no_answer_answers_nothing(client, people, text, act):
    reading = _read(client, people, "Harm", text)
    assert reading["act"] == act and reading["answers"] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("1", {"DrugInvolvementFactors": ["1"]}),  # the problem alone: how is offered later
    ("7", {"DrugInvolvementFactors": ["1"], "DrugUsedTooMuch": ["1"]}),  # a detail answers its problem too
    ("2, 13", {"DrugInvolvementFactors": ["2"], "DrugInsufficientDetails": ["1"]}),
    ("the dose was too high", {"DrugInvolvementFactors": ["1"], "DrugUsedTooMuch": ["1"]}),
    ("given too early", {"DrugInvolvementFactors": ["1"], "DrugUsedTooMuch": ["2"]}),
    ("I don't know", {"DrugInvolvementFactors": ["6"]}),
])
def test_the_medicine_problem_and_its_detail_in_one_pick(client, people, text, expected):
    reading = _read(client, people, "MedicineProblem", text)
    assert reading["act"] == "answer" and _values(reading) == expected, reading


def test_a_number_inside_words_is_no_pick_from_the_long_list(client, people):
    assert _read(client, people, "MedicineProblem", "10 units instead of 1")["answers"] == []


@pytest.mark.parametrize(("group", "text", "audience", "expected"), [
    ("WhichDay", "no, last tuesday", "staff", {"IncidentOccurredToday": "n", "ApproximateDate": "2026-11-24"}),
    ("WhichDay", "yes", "staff", {"IncidentOccurredToday": "y"}),
    ("Anonymity", "yes, I forgot my account details", "staff", {"IsAnonymous": True, "WhyAnonymous": ["2"]}),
    ("Anonymity", "no, ring me on 0113 496 0000", "public", {"IsAnonymous": False,
                                                              "ReporterContact": "ring me on 0113 496 0000"}),
])
def test_a_yes_or_no_and_its_follow_up_in_one_reply(client, people, group, text, audience, expected):
    assert _values(_read(client, people, group, text, audience)) == expected


def test_an_unknown_group_is_not_found(client, people):
    r = client.post(GROUP, json={"group": "Nope", "text": "x"}, headers=people.headers("public:test:groups"))
    assert r.status_code == 404


def _to_harm(client, headers, rid: str, patients: int) -> None:
    answer(client, headers, rid, {"field": "PatientCount", "value": patients})


def test_the_assistant_is_asked_the_harm_group_with_one_patient_only(client, people):
    staff = people.headers("std_a")
    rid = new_draft(client, staff, "incident", answers=[{"field": "Description", "value": "A fall on the ward"}, {"field": "IncidentOccurredToday", "value": "y"},
                    {"field": "ServiceArea", "value": ["1"]}, {"field": "LocationWithinService", "value": "11"},
                    {"field": "InvolvedAgents", "value": ["10"]}, {"field": "Process", "value": "6"},
                    {"field": "SafetyChallenges", "value": ["6"]}])["record"]["id"]
    _to_harm(client, staff, rid, 1)
    core = client.get(f"{API}/records/{rid}/next-question?core_only=true", headers=staff).json()["question"]
    assert core["field"] == "PhysicalHarm", core
    assert core["group"] == {"id": "Harm", "kind": "together", "fields": ["PhysicalHarm", "PsychologicalHarm"]}
    assert core["field"] == "PhysicalHarm" and core["patient"] == 1
    assert core["text"] == "How badly was the patient hurt, in body and in mind?"
    assert [c["label"] for c in core["choices"]] == ["No harm"]
    web = client.get(f"{API}/records/{rid}/next-question", headers=staff).json()["question"]
    assert web["group"] is None  # the web form asks every question; its pages show groups (web_plan)
    # The reply read, its answers saved: the field it left unclear is then asked alone.
    reading = _read(client, people, "Harm", "some bruising, she was upset")
    items = [{**a, "patient": 1} for a in reading["answers"]]
    nq = client.post(f"{API}/records/{rid}/answers?core_only=true", json={"answers": [
        {k: i[k] for k in ("field", "patient", "value")} for i in items]}, headers=staff).json()["next_question"]
    assert nq["field"] == "PsychologicalHarm" and nq["group"] is None
    assert nq["text"] == "What was the psychological harm to the patient?"
    # With two patients each harm is asked on its own, so whose it is stays clear.
    _to_harm(client, staff, rid, 2)
    nq = client.get(f"{API}/records/{rid}/next-question?core_only=true", headers=staff).json()["question"]
    assert nq["group"] is None


def test_the_medicine_group_is_one_list_the_problems_first(client, people):
    staff = people.headers("std_a")
    rid = new_draft(client, staff, "incident", answers=[{"field": "Description", "value": "A fall on the ward"}, {"field": "IncidentOccurredToday", "value": "y"},
                    {"field": "ServiceArea", "value": ["1"]}, {"field": "LocationWithinService", "value": "11"},
                    {"field": "InvolvedAgents", "value": ["4"]}, {"field": "DrugsInvolved", "value": ["insulin"]}])["record"]["id"]
    q = client.get(f"{API}/records/{rid}/next-question?core_only=true", headers=staff).json()["question"]
    assert q["group"]["id"] == "MedicineProblem" and q["multiple"] and q["field"] == "DrugInvolvementFactors"
    codes = [c["code"] for c in q["choices"]]
    assert codes[:6] == ["1", "2", "3", "4", "5", "6"] and codes[6] == "DrugUsedTooMuch:1"
    reading = _read(client, people, "MedicineProblem", "2, 13")
    r = client.post(f"{API}/records/{rid}/answers?core_only=true", json={"answers": [
        {"field": a["field"], "value": a["value"]} for a in reading["answers"]]}, headers=staff)
    assert r.status_code == 200, r.text
    fields = r.json()["record"]["answers"]["fields"]
    assert fields["DrugInvolvementFactors"] == ["2"] and fields["DrugInsufficientDetails"] == ["1"]


def test_the_plan_api_lists_the_groups_an_event_type_asks(client):
    r = client.get(f"{API}/plan/incident", params={"audience": "public"})
    groups = {g["id"]: g for g in r.json()["groups"]}
    assert groups["Harm"]["text"] == "How badly were you, or the person, hurt or upset?" and groups["Harm"]["why"]
    assert groups["Anonymity"]["questions"] == ["IsAnonymous", "ReporterContact"]  # WhyAnonymous is staff's
    assert "MedicineProblem" not in groups  # the public are not asked what went wrong with the medicines
    staff = {g["id"] for g in client.get(f"{API}/plan/incident", params={"audience": "staff"}).json()["groups"]}
    assert staff == {"Harm", "MedicineProblem", "WhichDay", "Anonymity"}
    risk = {g["id"] for g in client.get(f"{API}/plan/risk", params={"audience": "staff"}).json()["groups"]}
    assert risk == {"Anonymity"}
