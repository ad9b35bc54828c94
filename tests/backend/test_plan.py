"""The question plan per event type and audience, through the API the web form and bot use."""

import re
from pathlib import Path

import pytest
import yaml

from backend.plan.model import PLAN_PATH, load_plan

TYPES = ["incident", "poor_outcome", "risk", "good_care"]
REPORTER = {"IsAnonymous", "DataSharingOptOut"}


def plan(client, event_type, audience):
    r = client.get(f"/api/v1/plan/{event_type}", params={"audience": audience})
    assert r.status_code == 200, r.text
    return {q["field"]: q for q in r.json()["questions"]}, [q["field"] for q in r.json()["questions"]]


@pytest.mark.parametrize("event_type", TYPES)
def test_every_plan_starts_free_text_first_and_asks_reporter_questions(client, event_type):
    for audience in ("staff", "public"):
        qs, order = plan(client, event_type, audience)
        assert order[:2] == ["Description", "EventType"]
        assert REPORTER <= set(qs) and qs["DataSharingOptOut"]["mandatory"]
    staff, _ = plan(client, event_type, "staff")
    public, _ = plan(client, event_type, "public")
    assert "ReporterRole" in staff and "ReporterRole" not in public
    assert "ReporterType" in public and "ReporterType" not in staff  # implied "member of staff"


def test_incident_staff(client):
    qs, order = plan(client, "incident", "staff")
    must = {f for f, q in qs.items() if q["mandatory"]}
    assert {"IncidentOccurredToday", "ServiceArea", "InvolvedAgents", "Process", "SafetyChallenges",
            "PatientCount", "PhysicalHarm", "PsychologicalHarm", "Organisation"} <= must
    assert qs["PhysicalHarm"]["per_patient"] and qs["PsychologicalHarm"]["per_patient"]
    assert qs["DrugInvolvementFactors"]["when"] == {"field": "InvolvedAgents", "includes": "4"}
    assert order.index("InvolvedAgents") < order.index("DrugInvolvementFactors")
    assert "RiskImminent" not in qs and "HowFutureOccurrence" not in qs
    assert qs["PatientCount"]["why"] is None and qs["InvolvedAgents"]["why"]


def test_incident_public_is_short_and_plain(client):
    qs, _ = plan(client, "incident", "public")
    assert "Process" not in qs and "DrugInvolvementFactors" not in qs and "PatientCount" not in qs
    assert qs["PhysicalHarm"]["text"] == "How badly were you, or the person, hurt?"
    labels = {c["code"]: c["label"] for c in qs["PhysicalHarm"]["choices"]}
    assert labels["1"] == "They died" and labels["5"] == "Not hurt"
    assert not qs["Organisation"]["mandatory"]  # the public may not know the organisation's name
    for q in qs.values():
        words = re.findall(r"[A-Za-z']+", q["text"])
        assert len(words) <= 25, q["text"]
        assert not re.search(r"\b(LFPSE|ODS|taxonomy|agent|psychological)\b", q["text"], re.I), q["text"]


def test_poor_outcome_asks_strength_of_association(client):
    qs, _ = plan(client, "poor_outcome", "staff")
    assert qs["OutcomeType"]["mandatory"] and qs["StrengthOfAssociation"]["mandatory"]
    assert qs["StrengthOfAssociation"]["per_patient"]


def test_risk_asks_imminence_and_no_date(client):
    for audience in ("staff", "public"):
        qs, _ = plan(client, "risk", audience)
        assert qs["RiskImminent"]["mandatory"]
        assert "IncidentOccurredToday" not in qs and "PhysicalHarm" not in qs
    staff, _ = plan(client, "risk", "staff")
    assert staff["RiskTheme"]["mandatory"]


def test_good_care_asks_how_to_repeat_it(client):
    for audience in ("staff", "public"):
        qs, _ = plan(client, "good_care", audience)
        assert qs["HowFutureOccurrence"]["mandatory"]
        assert "PhysicalHarm" not in qs and "LevelOfConcern" not in qs


def test_unknown_event_type_and_audience(client):
    assert client.get("/api/v1/plan/complaint").status_code == 404
    assert client.get("/api/v1/plan/__prelude__").status_code == 404
    assert client.get("/api/v1/plan/incident", params={"audience": "robots"}).status_code == 422


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda p: p["questions"].update(NotAField={"staff": "x", "public": "y"}), "not a taxonomy"),
        (lambda p: p["questions"]["DrugsInvolved"].update(when={"field": "InvolvedAgents", "includes": "99"}), "not in InvolvedAgents"),
        (lambda p: p["questions"]["PhysicalHarm"].update(public_labels={"9": "x"}), "not in its code list"),
        (lambda p: p["event_types"]["risk"].append({"q": "Organisation"}), "listed twice"),
        (lambda p: p["event_types"].pop("risk"), "no plan for event types"),
        (lambda p: p["event_types"]["incident"].append({"q": "DeviceType", "mandatory": True}), "cannot be mandatory"),
        (lambda p: p["questions"]["Process"].pop("staff"), "no wording"),
        (lambda p: p.pop("inference"), "inference must be a mapping"),
        (lambda p: p["inference"]["later_answers"].update(min_confidence=1.5), "min_confidence must be a number"),
        (lambda p: p["inference"]["later_answers"].update(min_confidence=0), "min_confidence must be a number"),
        (lambda p: p["inference"]["first_message"]["one_patient"].update(confidence="high"), "one_patient confidence"),
        (lambda p: p["inference"]["later_answers"].update(guess=True), r"later_answers has unknown fields \['guess'\]"),
        (lambda p: p["inference"].update(always={"why": "x"}), "inference has unknown fields"),
        (lambda p: p["inference"]["later_answers"].pop("never_why"), r"needs its reasons \['never_why'\]"),
        (lambda p: p["inference"]["corrections"].update(why=""), "corrections needs its reasons"),
        (lambda p: p["inference"]["corrections"].update(replaces=["Shoe"]), "not plan questions"),
        (lambda p: p["inference"]["later_answers"].update(never=[]), "never must list fields"),
        (lambda p: p["inference"]["first_message"]["one_patient"].update(audiences=["public"]), "asked the patient count"),
        (lambda p: p["inference"]["first_message"]["one_patient"].update(audiences=["everyone"]), "audiences must be"),
    ],
)
def test_bad_plans_fail_at_load(tmp_path: Path, mutate, message):
    raw = yaml.safe_load(PLAN_PATH.read_text())
    mutate(raw)
    bad = tmp_path / "plan.yaml"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError, match=message):
        load_plan(bad)


def test_every_inference_rule_is_in_the_plan_with_its_reason():
    rules = load_plan().inference
    assert rules is not None
    assert rules.min_confidence == 0.7 and rules.one_patient.confidence == 0.8
    assert rules.never == {"Description", "EventType", "PatientCount"}
    assert rules.one_patient.audiences == ("staff",)
    assert {"PreciseTime", "PatientCount", "DrugsInvolved"} <= rules.corrections and "PhysicalHarm" not in rules.corrections
    reasons = [rules.first_message_why, rules.one_patient.why, rules.named_event_type_why, rules.later_answers_why,
               rules.never_why, rules.per_patient_why, rules.corrections_why]
    assert all(len(why.split()) > 5 for why in reasons)


def test_the_plan_api_states_each_inference_rule_with_its_reason(client):
    r = client.get("/api/v1/plan/incident", params={"audience": "staff"})
    rules = r.json()["inference"]
    assert rules["first_message"]["one_patient"]["audiences"] == ["staff"] and rules["first_message"]["one_patient"]["why"]
    assert "PatientCount" in rules["later_answers"]["never"] and rules["later_answers"]["never_why"]
    assert "PreciseTime" in rules["corrections"]["replaces"] and rules["corrections"]["why"]
    assert all(section["why"] for section in rules.values())
