"""What people say precisely is kept precisely (issue 14): an exact age as LFPSE's AgeAtTimeOfIncidentDays
with its band derived (one source, never asked twice, never from a date of birth), and a place the
organisation list does not know kept as OrganisationOther for staff too, without the account's default."""

from pathlib import Path

import pytest
import yaml

from backend.narrative.ages import find_age, read_age
from backend.plan import age
from backend.plan.model import PLAN_PATH, load_plan
from backend.taxonomy import get_taxonomy
from tests.backend.reporting import API, answer, new_draft

AGE, BAND = "AgeAtTimeOfIncidentDays", "AgeBracket"


def _answers(client, h, rid):
    return client.get(f"{API}/records/{rid}", headers=h).json()["answers"]


def _rows(client, h, rid):
    return {(r["field"], r["patient"]): r for r in client.get(f"{API}/records/{rid}/summary", headers=h).json()["answers"]}


@pytest.mark.parametrize("number, unit, band", [
    (0, "day", "1"), (14, "day", "1"), (15, "day", "2"), (28, "day", "2"), (29, "day", "3"), (6, "week", "3"),
    (11, "month", "3"), (1, "year", "4"), (4, "year", "4"), (5, "year", "5"), (15, "year", "6"), (16, "year", "7"),
    (17, "year", "7"), (18, "year", "8"), (45, "year", "9"), (46, "year", "10"), (65, "year", "10"),
    (66, "year", "11"), (84, "year", "11"), (85, "year", "11"), (86, "year", "12"), (104, "year", "12"),
])
def test_the_band_is_the_first_whose_upper_end_the_age_has_not_passed(number, unit, band):
    assert age.age_band(age.to_days(number, unit), get_taxonomy()) == band


@pytest.mark.parametrize("number, unit, shown", [
    (84, "year", "84 years"), (1, "year", "1 year"), (6, "week", "6 weeks"), (18, "month", "18 months"),
    (3, "month", "3 months"), (10, "day", "10 days"),
])
def test_an_age_reads_back_as_it_was_said(number, unit, shown):
    assert age.describe(age.to_days(number, unit)) == shown


def test_a_day_count_no_unit_gives_back_is_shown_as_days():
    assert age.describe(30000) == "30000 days (82 years)"


@pytest.mark.parametrize("text, days, band", [
    ("an 84 year old lady fell on ward 7", age.to_days(84, "year"), "11"),
    ("6 week old baby given the wrong dose", 42, "3"),
    ("my dad who is 91 was left on a trolley", age.to_days(91, "year"), "12"),
    ("3yo with croup waited 5 hours", age.to_days(3, "year"), "4"),
    ("a man in his 70s fell", None, "11"),               # no exact age: the band only
    ("aged about 80, she fell out of bed", None, "11"),  # approximate: the band only
])
def test_an_age_in_a_narrative(text, days, band):
    found = find_age(text, [], get_taxonomy())
    assert found is not None and (found.days, found.band) == (days, band)


@pytest.mark.parametrize("text", [
    "a 25 year old nurse gave the wrong dose", "the 3 day old cannula tissued", "she has been married 50 years",
    "it happened 2 weeks ago", "a lady in her 60s",     # 60 to 69 spans two bands: nothing
    "DOB 12/03/1940, fell in the bathroom",             # never an age from a date of birth
    "an 84 year old and a 60 year old were both given it",  # two ages: whose is unclear
])
def test_no_age_where_it_is_not_the_patients_or_not_certain(text):
    assert find_age(text, [], get_taxonomy()) is None


@pytest.mark.parametrize("reply, days, band", [
    ("shes 84", age.to_days(84, "year"), "11"), ("72", age.to_days(72, "year"), "11"), ("6 weeks", 42, "3"),
    ("about 80", None, "11"), ("80ish", None, "11"), ("late 70s", None, "11"), ("84 or 85", None, "11"),
])
def test_a_reply_to_the_age_question(reply, days, band):
    said = read_age(reply, get_taxonomy())
    assert said is not None and (said.days, said.band) == (days, band)


def test_the_plan_derives_the_band_from_the_age_and_says_why(tmp_path: Path):
    plan = load_plan()
    derive = plan.questions[BAND].derive
    assert derive is not None and derive.source == AGE and derive.rule == "age_band" and derive.why
    assert plan.questions[AGE].per_patient and plan.questions[BAND].per_patient
    raw = yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8"))
    raw["questions"][BAND]["derive"] = {"from": "Gender", "rule": "age_band", "why": "x"}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="must be asked before it"):
        load_plan(path)


def _incident(client, h):
    rid = new_draft(client, h, "incident")["record"]["id"]
    assert answer(client, h, rid, {"field": "PatientCount", "value": 1}).status_code == 200
    return rid


def test_an_exact_age_is_stored_in_days_with_its_band_derived_and_shown_as_said(client, people):
    h = people.headers("std_a")
    rid = _incident(client, h)
    offered = client.get(f"{API}/records/{rid}/next-question", headers=h, params={"core_only": True}).json()["offered"]
    assert AGE in {o["field"] for o in offered} and BAND not in {o["field"] for o in offered}  # one question
    r = answer(client, h, rid, {"field": AGE, "patient": 1, "value": age.to_days(84, "year")})
    assert r.status_code == 200 and set(r.json()["changed"]) == {f"{AGE}:1", f"{BAND}:1"}
    assert _answers(client, h, rid)["patients"] == [{AGE: 30681, BAND: "11"}]
    rows = _rows(client, h, rid)
    assert rows[(AGE, 1)]["answer"] == "84 years" and rows[(AGE, 1)]["label"] == "Age"
    assert rows[(BAND, 1)]["answer"] == "66-85 years" and rows[(BAND, 1)]["derived_from"] == AGE
    audit = client.get(f"{API}/records/{rid}/audit", headers=h).json()
    assert any(a["action"] == "derive" and a["field"] == BAND for a in audit)
    # The age changes: the band follows. A band that disagrees with the age is refused, nothing changes.
    answer(client, h, rid, {"field": AGE, "patient": 1, "value": age.to_days(6, "week")})
    assert _answers(client, h, rid)["patients"] == [{AGE: 42, BAND: "3"}]
    r = answer(client, h, rid, {"field": BAND, "patient": 1, "value": "11"})
    assert r.status_code == 422 and "worked out from the age" in r.text
    assert _answers(client, h, rid)["patients"] == [{AGE: 42, BAND: "3"}]
    # "About 80" at check your answers: the exact age left out, the band kept.
    r = answer(client, h, rid, {"field": AGE, "patient": 1, "skip": True}, {"field": BAND, "patient": 1, "value": "11"})
    assert r.status_code == 200
    answers = _answers(client, h, rid)
    assert answers["patients"] == [{BAND: "11"}] and f"{AGE}:1" in answers["skipped"]


def test_an_age_over_130_years_is_refused(client, people):
    h = people.headers("std_a")
    rid = _incident(client, h)
    r = answer(client, h, rid, {"field": AGE, "patient": 1, "value": age.to_days(131, "year")})
    assert r.status_code == 422 and _answers(client, h, rid)["patients"] == []


def test_the_narrative_analysis_reads_an_exact_age_or_only_a_band(client, people):
    h = people.headers("public:web:conversation-ages")
    body = client.post(f"{API}/narrative/analyse", headers=h,
                       json={"text": "an 84 year old lady was left on the floor for an hour", "audience": "public"}).json()
    got = {s["field"]: s for s in body["suggestions"]}
    assert got[AGE]["value"] == 30681 and got[AGE]["label"] == "84 years" and BAND not in got
    body = client.post(f"{API}/narrative/analyse", headers=h,
                       json={"text": "a man in his 70s was sent home too early", "audience": "public"}).json()
    got = {s["field"]: s for s in body["suggestions"]}
    assert got[BAND]["value"] == "11" and got[BAND]["label"] == "66-85 years" and AGE not in got


def test_the_reply_interpreter_keeps_an_approximate_age_as_its_band_only(client, people):
    h = people.headers("public:web:conversation-ages")
    read = client.post(f"{API}/interpret/reply", headers=h,
                       json={"field": AGE, "text": "she's about 80", "audience": "public", "mandatory": False}).json()
    assert read["act"] == "answer" and read["value"] is None and read["approximate"]
    assert read["others"] == [{"field": BAND, "value": "11", "label": "66-85 years", "per_patient": True}]
    read = client.post(f"{API}/interpret/reply", headers=h,
                       json={"field": AGE, "text": "shes 84", "audience": "public", "mandatory": False}).json()
    assert (read["act"], read["value"], read["label"]) == ("answer", 30681, "84 years")


def test_a_correction_of_the_age_changes_the_age_and_about_keeps_the_band_only(client, people):
    h = people.headers("std_a")
    body = {"event_type": "incident", "audience": "staff", "answered": [AGE, BAND]}
    found = client.post(f"{API}/interpret/correction", headers=h, json={**body, "text": "change the age to 86"}).json()
    assert (found["field"], found["patient"], found["value"]) == (AGE, 1, age.to_days(86, "year"))
    found = client.post(f"{API}/interpret/correction", headers=h, json={**body, "text": "age group should be 46-65"}).json()
    assert (found["field"], found["value"]) == (BAND, "10")
    assert found["others"] == [{"field": AGE, "patient": 1, "skip": True}]


def test_a_place_the_list_does_not_know_is_kept_as_organisation_other_for_staff(client, people):
    h = people.headers("std_b")
    rid = new_draft(client, h, "incident")["record"]["id"]
    assert _answers(client, h, rid)["fields"]["Organisation"] == ["RVJ"]  # the account's, assumed
    found = client.post(f"{API}/interpret/correction", headers=h, json={
        "text": "it happened at rosewood house care home in harrogate, not our trust", "event_type": "incident",
        "audience": "staff", "answered": ["Organisation"]}).json()
    assert (found["field"], found["value"]) == ("OrganisationOther", "rosewood house care home in harrogate")
    assert found["others"] == [{"field": "Organisation", "skip": True}]
    # Left out alone, the organisation is still missing for staff (and not assumed again); the place in words meets it.
    assert answer(client, h, rid, {"field": "Organisation", "skip": True}).status_code == 200
    missing = client.get(f"{API}/records/{rid}/missing", headers=h).json()["missing"]
    assert "Organisation" in {m["field"] for m in missing}
    assert "Organisation" not in _answers(client, h, rid)["fields"]
    r = answer(client, h, rid, *found["others"], {"field": found["field"], "value": found["value"]})
    assert r.status_code == 200
    answers = _answers(client, h, rid)
    assert answers["fields"]["OrganisationOther"] == "rosewood house care home in harrogate"
    assert "Organisation" in answers["skipped"] and "Organisation" not in answers["fields"]
    assert "Organisation" not in answers.get("defaulted", [])  # the account's default is not put back
    missing = client.get(f"{API}/records/{rid}/missing", headers=h).json()["missing"]
    assert "Organisation" not in {m["field"] for m in missing}
    # A known place said later is its ODS code, and the words no longer apply.
    answer(client, h, rid, {"field": "Organisation", "value": ["G81019"]})
    answers = _answers(client, h, rid)
    assert answers["fields"]["Organisation"] == ["G81019"] and "OrganisationOther" not in answers["fields"]


def test_the_web_form_takes_the_age_as_typed_and_derives_the_band(client, people):
    from tests.backend.web_client import post, sign_in

    token = sign_in(client, "std_a")
    h = people.headers("std_a")
    rid = _incident(client, h)
    url = f"/records/{rid}/questions/{AGE}?patient=1"
    assert "How old was the patient?" in client.get(url).text
    r = post(client, url, token, value="about eighty", action="continue")
    assert r.status_code == 400 and "Enter the age as a number" in r.text
    r = post(client, url, token, value="6 weeks", action="continue")
    assert r.status_code == 303 and f"/questions/{BAND}" not in r.headers["location"]  # the band is not asked
    assert _answers(client, h, rid)["patients"] == [{AGE: 42, BAND: "3"}]
    assert 'value="6 weeks"' in client.get(url).text  # shown as typed, not as a day count
    check = client.get(f"/records/{rid}/check").text
    assert "1-11 months" in check and "worked out from the age given" in check
    assert f'href="/records/{rid}/questions/{BAND}' not in check  # its Change link opens the age
    assert client.get(f"/records/{rid}/questions/{BAND}?patient=1").status_code == 404


def test_a_value_read_from_other_words_fills_only_open_questions_and_is_marked_until_answered(client, people):
    h = people.headers("std_a")
    rid = _incident(client, h)
    assert answer(client, h, rid, {"field": "PreciseTime", "value": "15:00"}).status_code == 200
    # Never over the reporter's answer: refused, and the answer stays.
    r = answer(client, h, rid, {"field": "PreciseTime", "value": "16:00", "inferred": True})
    assert r.status_code == 422 and "never replaces it" in r.text
    assert _answers(client, h, rid)["fields"]["PreciseTime"] == "15:00"
    r = answer(client, h, rid, {"field": "IdentifiedLocationOther", "value": "ward 9", "inferred": True},
               {"field": AGE, "patient": 1, "value": age.to_days(84, "year"), "inferred": True})
    assert r.status_code == 200
    answers = _answers(client, h, rid)
    assert answers["fields"]["IdentifiedLocationOther"] == "ward 9"
    assert answers["inferred"] == [f"{AGE}:1", f"{BAND}:1", "IdentifiedLocationOther"]  # the band with its age
    rows = _rows(client, h, rid)
    assert rows[("IdentifiedLocationOther", None)]["inferred"] and not rows[("PreciseTime", None)]["inferred"]
    audit = client.get(f"{API}/records/{rid}/audit", headers=h).json()
    assert any(a["action"] == "infer" and a["field"] == "IdentifiedLocationOther" for a in audit)
    # Answered by the reporter (the same value or another): theirs now.
    answer(client, h, rid, {"field": "IdentifiedLocationOther", "value": "ward 9"})
    assert _answers(client, h, rid)["inferred"] == [f"{AGE}:1", f"{BAND}:1"]


@pytest.mark.parametrize("field, value", [("PatientCount", 2), ("EventType", "risk"), ("Description", "words")])
def test_the_fields_the_plan_never_infers_are_refused_when_marked_inferred(client, people, field, value):
    h = people.headers("std_a")
    rid = _incident(client, h)
    before = _answers(client, h, rid)
    r = answer(client, h, rid, {"field": field, "value": value, "inferred": True})
    assert r.status_code == 422 and "never read from other words" in r.text  # the plan's inference: never
    assert _answers(client, h, rid) == before  # nothing saved
    assert answer(client, h, rid, {"field": field, "value": value}).status_code == 200  # the reporter's own word


def test_on_the_web_form_staff_give_a_place_not_in_the_list_in_words(client, people):
    from tests.backend.web_client import post, sign_in

    token = sign_in(client, "std_b")
    h = people.headers("std_b")
    rid = new_draft(client, h, "incident")["record"]["id"]
    page = client.get(f"/records/{rid}/questions/Organisation").text
    assert "It is not in the list" in page
    r = post(client, f"/records/{rid}/questions/Organisation", token, action="skip")
    assert r.status_code == 303  # on to the first open question; the place in words is asked in its turn
    url = f"/records/{rid}/questions/OrganisationOther"
    assert "If the organisation is not in the list, what is its name?" in client.get(url).text
    r = post(client, url, token, value="Rosewood House care home, Harrogate", action="continue")
    assert r.status_code == 303
    answers = _answers(client, h, rid)
    assert answers["fields"]["OrganisationOther"] == "Rosewood House care home, Harrogate"
    assert "Organisation" in answers["skipped"] and "Organisation" not in answers.get("defaulted", [])
    missing = client.get(f"{API}/records/{rid}/missing", headers=h).json()["missing"]
    assert "Organisation" not in {m["field"] for m in missing}


def test_the_plan_api_states_the_derivation_and_the_alternative(client, people):
    questions = {q["field"]: q for q in client.get(f"{API}/plan/incident", params={"audience": "staff"}).json()["questions"]}
    assert questions[BAND]["derive"] == {"from": AGE, "rule": "age_band",
                                         "why": "worked out from the age given, so it is not asked twice"}
    assert questions[AGE]["type"] == "age" and questions[AGE]["per_patient"] and not questions[AGE]["mandatory"]
    assert questions["Organisation"]["alternative"] == "OrganisationOther"


@pytest.mark.parametrize("text, expected", [
    ("it happened at rosewood house care home in harrogate, not our trust", ("rosewood house care home in harrogate", None)),
    ("change the organisation to Beacon Surgery", ("Beacon Surgery", ["G81019"])),
    ("it happened at The Laurels care home", ("The Laurels care home", None)),
    ("change the service to care home", None),          # the kind of service (ServiceArea), not a place
    ("it was in the care home", None),                  # a kind of place, not its name
    ("it happened at my mum's care home", None),
    ("it was at 4pm", None),
    ("it happened on ward 9", None),                    # the ward is IdentifiedLocationOther, not an organisation
])
def test_a_place_said_as_a_correction(text, expected):
    from backend.interpret.places import read_place

    found = read_place(text)
    assert (None if found is None else (found.name, found.codes)) == expected


def test_a_value_the_plan_implies_may_be_sent_back_but_not_another(client, people):
    # An undone delete sends the whole draft back, implied values included (ReporterType for staff).
    h = people.headers("std_a")
    rid = new_draft(client, h, "incident")["record"]["id"]
    assert answer(client, h, rid, {"field": "ReporterType", "value": "3"}).status_code == 200
    assert answer(client, h, rid, {"field": "ReporterType", "value": "1"}).status_code == 422
    p = people.headers("public:web:conversation-implied")
    rid = new_draft(client, p, "incident")["record"]["id"]
    assert answer(client, p, rid, {"field": "PatientCount", "value": 1}).status_code == 200
    assert answer(client, p, rid, {"field": "PatientCount", "value": 2}).status_code == 422
