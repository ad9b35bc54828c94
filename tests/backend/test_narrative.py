"""Narrative analysis: suggested answers with evidence from a reporter's description (backend/narrative).

The pipeline is built once per session into a temporary directory and the app is pointed at it, so
the tests exercise the same build the service runs. All narratives are fictional; the NHS number is
the published test number and the phone number is from Ofcom's drama range.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from backend.narrative import agents_model, training
from backend.narrative.analyse import analyse
from backend.narrative.build import BUILD_FILE, INPUTS, build, is_current
from backend.narrative.devset import HELDOUT_PATHS, TRAIN_PATHS
from backend.narrative.extract import suggestions
from backend.narrative.lexicon import SECTIONS, load_lexicon
from backend.narrative.store import NarrativeModel, get_model
from backend.plan import get_plan
from backend.taxonomy import get_taxonomy

INSULIN = "yesterday 3pm on ward 7 a patient got 10 units of insulin instead of 1, needed glucose, fine now"
THURSDAY = datetime(2026, 3, 19, 10, 0, tzinfo=timezone.utc)  # 10:00 in London (GMT)
URL = "/api/v1/narrative/analyse"


OPENED: list[str] | None = None  # while the session's build runs: every file it opens


def _watch_opens(event: str, args: tuple) -> None:
    if OPENED is not None and event == "open" and isinstance(args[0], (str, Path)):
        OPENED.append(str(Path(args[0]).resolve()))


@pytest.fixture(scope="session")
def build_opened(tmp_path_factory) -> tuple[Path, list[str]]:
    """The session's build, with the files it opened (an audit hook sees every open() in the process)."""
    global OPENED
    out = tmp_path_factory.mktemp("narrative") / "model"
    sys.addaudithook(_watch_opens)  # cannot be removed; idle once OPENED is None again
    OPENED = []
    try:
        build(out)
        return out, OPENED
    finally:
        OPENED = None


@pytest.fixture(scope="session")
def model_dir(build_opened) -> Path:
    return build_opened[0]


@pytest.fixture(scope="session")
def model(model_dir) -> NarrativeModel:
    return get_model(model_dir)


@pytest.fixture
def settings(settings, model_dir):  # conftest's settings, with the session's pipeline
    return settings.model_copy(update={"narrative_model_dir": model_dir})


def run(model: NarrativeModel, text: str, reported_at: datetime = THURSDAY, audience: str = "staff") -> dict:
    return analyse(text, audience, reported_at, model=model, plan=get_plan(), tax=get_taxonomy())


def by_field(result: dict) -> dict[str, dict]:
    return {s["field"]: s for s in result["suggestions"]}


def assert_evidence_points_at(text: str, result: dict) -> None:
    for s in result["suggestions"]:
        ev = s["evidence"]
        assert text[ev["start"] : ev["end"]] == ev["text"] != "", s
        for span in s["spans"]:
            assert text[span["start"] : span["end"]] == span["text"], s


# --- the API -----------------------------------------------------------------


def test_insulin_example_through_the_api(client, people) -> None:
    r = client.post(URL, json={"text": INSULIN, "audience": "staff", "reported_at": THURSDAY.isoformat()},
                    headers=people.headers("std_a"))
    assert r.status_code == 200, r.text
    body = r.json()
    got = by_field(body)
    assert got["EventType"]["value"] == "incident"
    assert got["IncidentOccurredToday"]["value"] == "n"
    assert got["ApproximateDate"]["value"] == (THURSDAY.date() - timedelta(days=1)).isoformat()
    assert got["ApproximateDate"]["evidence"]["text"] == "yesterday"
    assert got["PreciseTime"]["value"] == "15:00" and got["PreciseTime"]["evidence"]["text"] == "3pm"
    assert got["InvolvedAgents"]["value"] == ["4"]
    assert got["DrugsInvolved"]["value"] == ["insulin"]
    assert got["ServiceArea"]["value"] == ["1"] and got["ServiceArea"]["evidence"]["text"] == "ward 7"
    assert got["LocationWithinService"]["value"] == "4"
    assert got["PhysicalHarm"]["value"] in ("4", "5")
    assert got["PhysicalHarm"]["evidence"]["text"] in ("needed glucose", "fine now")
    # Issue 14: what the first message also says, offered in the one confirmation instead of asked later.
    assert got["DrugInvolvementFactors"]["value"] == ["1"]  # "10 units of insulin instead of 1": too much
    assert got["DrugInvolvementFactors"]["evidence"]["text"] == "10 units of insulin instead of 1"
    assert got["PsychologicalHarm"]["value"] == "4" and got["PsychologicalHarm"]["evidence"]["text"] == "fine now"
    assert got["IdentifiedLocationOther"]["value"] == "ward 7"  # the ward, kept as said (LFPSE LocationDetails)
    assert all(0 <= s["confidence"] <= 1 for s in body["suggestions"])
    assert_evidence_points_at(INSULIN, body)
    assert body["identifiers"] == []


def test_public_reporters_get_public_wording_through_the_service_credential(client, people) -> None:
    text = "my dad was given the wrong tablets on the night shift at the hospital"
    r = client.post(URL, json={"text": text, "audience": "public"}, headers=people.headers("public:conversation-1"))
    assert r.status_code == 200, r.text
    got = by_field(r.json())
    assert got["EventType"]["label"] == "Something went wrong with care"
    assert got["InvolvedAgents"]["label"] == "Medicines"
    assert "EstimatedTime" not in got  # a staff-only question


def test_unauthenticated_call_is_refused(client) -> None:
    assert client.post(URL, json={"text": INSULIN, "audience": "staff"}).status_code == 401


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 5001])
def test_empty_blank_or_oversize_text_is_422(client, people, text) -> None:
    r = client.post(URL, json={"text": text, "audience": "staff"}, headers=people.headers("std_a"))
    assert r.status_code == 422


def test_unknown_audience_is_422(client, people) -> None:
    r = client.post(URL, json={"text": INSULIN, "audience": "everyone"}, headers=people.headers("std_a"))
    assert r.status_code == 422


def test_the_endpoint_is_documented(client) -> None:
    op = client.get("/api/v1/openapi.json").json()["paths"][URL]["post"]
    assert op["summary"] and "AnalyseResult" in json.dumps(op["responses"]["200"])


# --- when --------------------------------------------------------------------


@pytest.mark.parametrize(("reported", "expected"), [
    (THURSDAY, date(2026, 3, 17)),
    (datetime(2026, 3, 17, 9, 0, tzinfo=timezone.utc), date(2026, 3, 10)),  # said on a Tuesday: a week ago
])
def test_last_tuesday(model, reported, expected) -> None:
    got = by_field(run(model, "It happened last Tuesday on the ward", reported))
    assert got["ApproximateDate"]["value"] == expected.isoformat()
    assert got["ApproximateDate"]["evidence"]["text"] == "last Tuesday"


@pytest.mark.parametrize(("text", "expected"), [
    ("the patient fell on 3/4/2026", "2026-04-03"),
    ("the patient fell on 3/4", "2026-04-03"),
    ("the patient fell on 03.04.26", "2026-04-03"),
    ("the patient fell on 3rd March", "2026-03-03"),
    ("the patient fell on March 3rd", "2026-03-03"),
])
def test_dates_are_day_first(model, text, expected) -> None:
    got = by_field(run(model, text, datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)))
    assert got["ApproximateDate"]["value"] == expected


def test_today_is_a_yes_without_a_date(model) -> None:
    got = by_field(run(model, "this morning the pump alarmed at 9am"))
    assert got["IncidentOccurredToday"]["value"] == "y"
    assert "ApproximateDate" not in got
    assert got["PreciseTime"]["value"] == "09:00"


@pytest.mark.parametrize("text", [
    "fell on 3/4/2026", "fell on 3/4", "fell on 20/3", "on the 25th", "on 4th April", "on Friday", "Thursday",
    "yesterday", "2 days ago", "last week", "on 1/12", "December 24th",
])
def test_dates_are_never_in_the_future(model, text) -> None:
    got = by_field(run(model, text))
    if "ApproximateDate" in got:
        assert date.fromisoformat(got["ApproximateDate"]["value"]) < THURSDAY.date()


def test_a_date_in_the_future_is_not_suggested_and_nor_is_a_time_later_today(model) -> None:
    assert "ApproximateDate" not in by_field(run(model, "fell on 3/4/2026"))  # 3 April: two weeks ahead
    assert by_field(run(model, "fell on 20/3"))["ApproximateDate"]["value"] == "2025-03-20"
    got = by_field(run(model, "today at 11pm the patient fell"))
    assert got["IncidentOccurredToday"]["value"] == "y" and "PreciseTime" not in got


def test_shift_is_suggested_for_staff_when_no_time_is_given(model) -> None:
    got = by_field(run(model, "During the night shift the syringe driver ran too fast"))
    assert got["EstimatedTime"]["value"] == "2" and "PreciseTime" not in got
    assert got["InvolvedAgents"]["value"] == ["3"]
    got = by_field(run(model, "At about 0300 on the night shift the syringe driver ran too fast"))
    assert got["PreciseTime"]["value"] == "03:00" and "EstimatedTime" not in got


# --- what kind of event -------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("I would like to say a huge thank you to the nurses on the children's ward, they were so kind to my son",
     "good_care"),
    ("The fire door on the ground floor keeps getting propped open, someone could get hurt", "risk"),
    ("My mother died unexpectedly a day after her operation and we don't know why", "poor_outcome"),
    ("The nurse gave my dad a double dose of morphine by mistake", "incident"),
    # harm that happened is an incident, not a risk nor a poor outcome
    ("Pt on bay 2 fell getting out of bed at 0300 and broke her hip", "incident"),
    ("Blood results never filed, pt's cancer diagnosis was delayed by 3 months", "incident"),
    ("Knee replacement done on the wrong knee in theatre 3", "incident"),
    ("obs not done for 8 hours, nobody noticed the pt deteriorating, found unresponsive and went to ITU", "incident"),
    # hedged language marks a poor outcome
    ("Pt died two days after a routine operation, not sure if anyone's fault, review underway", "poor_outcome"),
    ("Baby born in poor condition and went to NICU, too early to say whether care was a factor", "poor_outcome"),
])
def test_event_types(model, text, expected) -> None:
    assert by_field(run(model, text))["EventType"]["value"] == expected


def test_the_build_records_its_decision_and_inputs(model, model_dir, tmp_path) -> None:
    info = json.loads((model_dir / BUILD_FILE).read_text())
    et = info["event_type"]
    assert et["method"] == ("classifier" if et["classifier_accuracy"] > et["rules_accuracy"] else "rules")
    assert et["held_out"] >= 60 and model.info == info
    assert is_current(model_dir)
    stale = tmp_path / "stale"
    shutil.copytree(model_dir, stale)
    (stale / BUILD_FILE).write_text(json.dumps({**info, "inputs_hash": "changed"}))
    assert not is_current(stale)  # the service rebuilds it on first use


def test_the_build_never_reads_the_held_out_messages(build_opened) -> None:
    _, opened = build_opened
    assert all(str(p.resolve()) in opened for p in TRAIN_PATHS)  # the hook sees the data files the build reads
    for held_out in HELDOUT_PATHS:
        assert held_out.exists()
        assert str(held_out.resolve()) not in opened
        assert held_out.resolve() not in {p.resolve() for p in INPUTS}


# --- where, what, harm, who ---------------------------------------------------


def test_organisation_is_matched_to_its_ods_code(model) -> None:
    text = "My mum was given the wrong tablets at Beacon surgery"
    org = by_field(run(model, text, audience="public"))["Organisation"]
    assert org["value"] == ["G81019"] and org["evidence"]["text"] == "Beacon surgery"
    assert org["candidates"][0]["value"] == "G81019" and org["candidates"][0]["score"] >= 90
    assert by_field(run(model, "she had hip surgery at the hospital")).get("Organisation") is None


def test_several_agents_and_medicines_keep_their_spelling(model) -> None:
    text = "Warfarin and Co-codamol were given via the wrong cannula after the EMIS system crashed"
    got = by_field(run(model, text))
    assert got["DrugsInvolved"]["value"] == ["Warfarin", "Co-codamol"]
    assert got["InvolvedAgents"]["value"] == ["4", "3", "9"]
    assert_evidence_points_at(text, run(model, text))


@pytest.mark.parametrize(("text", "harm"), [
    ("he passed away on the ward", "1"),
    ("she lost her sight in that eye", "2"),
    ("he was readmitted two days later", "3"),
    ("it did not need surgery, no harm done", "5"),
    ("the wrong dose could have killed him but it was a near miss", "5"),
    # an error caught before it reached the patient, and what did not follow
    ("pharmacist queried the dose and stopped it being given", "5"),
    ("wrong bag delivered for cot 2, spotted at the check, not connected", "5"),
    ("epidural infusion went into the iv line for a few minutes, stopped, no lasting effects", "5"),
    # more care: a unit, theatre, another hospital; treatment for a reaction
    ("deteriorated overnight and needed transfer to PICU", "3"),
    ("collapsed with a low BP and was transferred to the acute hospital", "3"),
    ("anaphylaxis to the contrast, treated with IM adrenaline, recovered", "3"),
    ("a baby born sleeping at 38 weeks", "1"),
    ("they saved some of her sight but not all", "2"),
    ("noradrenaline pump on ITU bed 4 switched off, MAP dropped, restarted", "4"),  # a bed number, not a move to ITU
])
def test_harm_cues(model, text, harm) -> None:
    assert by_field(run(model, text))["PhysicalHarm"]["value"] == harm


def test_identifiers_are_reported_and_never_used_as_evidence(model) -> None:
    text = "Patient 943 476 5919 fell at the care home, daughter on 07700 900999 was told"
    result = run(model, text)
    kinds = [(i["kind"], text[i["start"] : i["end"]]) for i in result["identifiers"]]
    assert kinds == [("nhs_number", "943 476 5919"), ("phone_number", "07700 900999")]
    for s in result["suggestions"][1:]:  # the event type may rest on the whole narrative
        assert s["field"] != "EventType"
        for span in s["spans"]:
            assert all(span["end"] <= i["start"] or span["start"] >= i["end"] for i in result["identifiers"]), s
    assert "3" not in by_field(result).get("ServiceArea", {}).get("value", [])  # not 999 inside the phone number


def test_every_code_in_the_lexicon_is_in_its_taxonomy_list() -> None:
    tax = get_taxonomy()
    lexicon = load_lexicon()
    for system, codes in lexicon.codes_by_system().items():
        known = {c.code for c in tax.code_system(system).codes}
        assert codes <= known, f"{system}: {sorted(codes - known)} not in the taxonomy"
    for field, system, _ in SECTIONS.values():
        assert tax.field(field).value_set == system
    plan = get_plan()
    assert {f for e in lexicon.entries for f, _ in e.implies} <= set(plan.questions)


def test_patient_count_and_harm_through_the_api(client, people) -> None:
    text = "Both patients in bay 2 were given each other's insulin at 17:30, no harm done"
    r = client.post(URL, json={"text": text, "audience": "staff", "reported_at": THURSDAY.isoformat()},
                    headers=people.headers("std_a"))
    got = by_field(r.json())
    assert got["PatientCount"]["value"] == 2 and got["PatientCount"]["evidence"]["text"] == "Both patients"
    assert got["PhysicalHarm"]["value"] == "5" and got["PhysicalHarm"]["evidence"]["text"] == "no harm"
    assert got["PreciseTime"]["value"] == "17:30"
    public = client.post(URL, json={"text": text, "audience": "public"}, headers=people.headers("public:conversation-1"))
    assert "PatientCount" not in by_field(public.json())  # the plan asks the count of staff only
    assert "rule" not in got["PatientCount"]  # the count the words state, not the plan's one-patient rule


def test_the_plans_inference_rules_mark_the_suggestions(client, people) -> None:
    r = client.post(URL, json={"text": INSULIN, "audience": "staff", "reported_at": THURSDAY.isoformat()},
                    headers=people.headers("std_a"))
    got = by_field(r.json())
    # Harm to "a patient" and no count: the plan's one-patient rule puts the count 1 beside it, to be confirmed.
    assert got["PatientCount"]["value"] == 1 and got["PatientCount"]["rule"] == "one_patient"
    assert got["PatientCount"]["confidence"] == 0.8 and got["PatientCount"]["evidence"] == got["PhysicalHarm"]["evidence"]
    assert got["PhysicalHarm"]["per_patient"] and not got["PreciseTime"]["per_patient"]
    assert not got["EventType"]["inferable"] and not got["PatientCount"]["inferable"]  # never read from a later answer
    assert got["PreciseTime"]["inferable"] is (got["PreciseTime"]["confidence"] >= 0.7)
    assert got["PreciseTime"]["corrects"] and not got["PhysicalHarm"]["corrects"]
    assert "rule" not in got["PhysicalHarm"]
    public = client.post(URL, json={"text": INSULIN, "audience": "public"}, headers=people.headers("public:conversation-1"))
    assert "PatientCount" not in by_field(public.json())  # the public are not asked the count: no rule for them


def test_event_type_confidence_is_a_calibrated_probability(model) -> None:
    et = by_field(run(model, "I would like to thank the ward 3 nurses, they were so kind"))["EventType"]
    assert et["value"] == "good_care"
    assert abs(sum(c["score"] for c in et["candidates"]) - 1) < 0.01 and et["confidence"] == et["candidates"][0]["score"]
    assert 0.3 <= model.temperature <= 4.0


@pytest.mark.parametrize(("text", "not_expected"), [
    ("The syringe pump stopped working halfway through the night and nobody noticed", "good_care"),
    ("could have died if the pharmacist had not spotted it, no harm done", "poor_outcome"),
])
def test_a_failed_device_is_not_good_care_nor_a_possible_death_a_poor_outcome(model, text, not_expected) -> None:
    assert by_field(run(model, text))["EventType"]["value"] != not_expected


@pytest.mark.parametrize(("text", "service"), [
    # where someone went because of what happened is not where it happened, when another place is named
    ("my mum was in the care home and nobody called the doctor for 3 days, she ended up in hospital with sepsis", ["12"]),
    ("the gp missed it and he was admitted to hospital", ["17"]),
    # the only place named is where it happened
    ("went to A&E with chest pain and waited 9 hours", ["1"]),
])
def test_where_someone_ended_up_is_not_where_it_happened(model, text, service) -> None:
    assert by_field(run(model, text))["ServiceArea"]["value"] == service


def test_a_ward_number_before_pt_is_not_a_patient_count(model) -> None:
    got = by_field(run(model, "3pm on ward 7 pt given 10 units insulin instead of 1, BM 2.1, needed iv glucose, fine now"))
    assert "PatientCount" not in got


@pytest.mark.parametrize(("text", "agents", "medicines"), [
    # a medicine nobody here listed, read from the dictionary of medicine names
    ("pt given sotalol instead of the new bisoprolol at the lunchtime round", ["4"], ["sotalol", "bisoprolol"]),
    ("dentist took a tooth out but nobody noted she was on alendronate", ["4"], ["alendronate"]),
    # a treatment of what happened, a treatment not needed, and things that are only the setting
    ("baby admitted for a septic screen and IV antibiotics after the callback was delayed", None, None),
    ("given bisoprolol twice, HR 42, atropine not needed", ["4"], ["bisoprolol"]),
    ("she fell down the stairs at home after the optician gave her the wrong glasses", ["3"], None),
    ("pt fell on the stairs at the health centre, the stairs are poorly lit", ["13"], None),
    # ICE the results system is not ice outside
    ("the x-ray report went to the wrong inbox in ICE", ["9"], None),
])
def test_things_involved_not_things_mentioned(model, text, agents, medicines) -> None:
    got = by_field(run(model, text))
    assert got.get("InvolvedAgents", {}).get("value") == agents
    assert got.get("DrugsInvolved", {}).get("value") == medicines


def test_a_tooth_socket_is_not_a_buildings(model) -> None:
    # (whether the message is about a medicine, as bone exposed after an extraction often is, is the
    # whole-message reading's guess for the reporter to confirm)
    got = by_field(run(model, "exposed bone in the socket 8 weeks after the extraction"))
    assert "13" not in got.get("InvolvedAgents", {}).get("value", [])


def test_the_build_learns_what_kinds_of_thing_a_message_is_about(model) -> None:
    pump = agents_model.about(model.nlp, "the volumetric pump failed mid infusion of heparin")
    kitchen = agents_model.about(model.nlp, "thanks to the staff nurse who spotted the deteriorating patient")
    assert pump is not None and kitchen is not None and set(pump) >= {"3", "4", "9", "13", "14"}
    assert pump["3"] > 0.5 > kitchen["3"]


def test_the_build_learns_a_second_opinion_on_things_involved(model, model_dir) -> None:
    assert (model_dir / "involved.json").exists() and model.involved is not None
    assert model.info["agent_mentions"] > 1000  # every thing named in the training messages is an example
    # its code and the rules it reads are build inputs: changing them rebuilds it
    assert {"involved_model.py", "involvement.py"} <= {p.name for p in INPUTS}


def test_the_build_learns_how_coders_read_harm(model, model_dir) -> None:
    assert (model_dir / "harm.json").exists() and model.harm is not None
    assert {"harm_model.py", "harm.py"} <= {p.name for p in INPUTS}  # changing either rebuilds it
    # a plain statement either way is read as the cue says, with the cue as evidence
    for text, level in (("she fell and broke her hip", "3"), ("wrong dose prescribed, no harm done", "5")):
        harm = by_field(run(model, text))["PhysicalHarm"]
        assert harm["value"] == level and harm["evidence"]["text"] != text


@pytest.mark.parametrize(("text", "rules_alone", "learnt_too"), [
    # praise for keeping a caller on the phone line: no line (device) was involved
    ("Thank you to the 111 call handler who kept my mum on the line until the crew arrived", ["3"], None),
    # a failed pump and the drug it gave are both involved, with or without the second opinion
    ("the volumetric pump failed mid infusion of heparin and nobody noticed for two hours", ["3", "4"], ["3", "4"]),
])
def test_the_learnt_readings_drop_a_thing_only_mentioned(model, text, rules_alone, learnt_too) -> None:
    # the rules alone: the entity ruler's matches and involvement.py, without the two learnt readings
    doc = model.nlp(text, disable=[training.TEXTCAT, agents_model.AGENTS_TEXTCAT])
    alone = {s.field: s.value for s in suggestions(doc, [], [])}
    assert alone.get("InvolvedAgents") == rules_alone
    assert by_field(run(model, text)).get("InvolvedAgents", {}).get("value") == learnt_too


@pytest.mark.parametrize(("text", "expected"), [
    # reported on Thursday 19 March 2026 at 10:00
    ("she had her cataract done on the fifth and the eye is cloudy", "2026-03-05"),
    ("the chemist rang us on Weds to query the dose", "2026-03-18"),
    ("paramedics came tues and were so kind", "2026-03-17"),
    ("she fainted wed morning and hit her head", "2026-03-18"),
    ("dad went into hospital on Monday and they sent him home last night", "2026-03-18"),
    # not dates: a recurring day, a floor, a daytime time still to come
    ("the callback queue goes over 4 hours every Sunday evening", None),
    ("residents on the 1st floor are stuck upstairs", None),
    ("clinic list cancelled at 1600 after pts starved", None),
])
def test_uk_reporting_dates(model, text, expected) -> None:
    assert by_field(run(model, text)).get("ApproximateDate", {}).get("value") == expected


@pytest.mark.parametrize("text", ["NEWS had gone up at the 0400 obs", "found on the floor at 0340, unwitnessed"])
def test_a_small_hours_time_alone_that_has_passed_is_today(model, text) -> None:
    got = by_field(run(model, text))
    assert got["IncidentOccurredToday"]["value"] == "y" and "ApproximateDate" not in got


def test_a_daytime_time_alone_dates_nothing(model) -> None:
    got = by_field(run(model, "methadone given at 0830 to the wrong man"))  # any day's 0830: the assistant asks
    assert "IncidentOccurredToday" not in got and "ApproximateDate" not in got and got["PreciseTime"]["value"] == "08:30"
