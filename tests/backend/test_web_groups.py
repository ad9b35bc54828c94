"""The web form shows each group of questions (the plan's groups) on one page, validated together and
saved in one change, with the plan's defaults; the real app and database."""

from __future__ import annotations

import re

from tests.backend.reporting import API, answer, new_draft
from tests.backend.web_client import post, sign_in

BEFORE_HARM = [{"field": "Description", "value": "A fall on the ward"}, {"field": "IncidentOccurredToday", "value": "y"},
               {"field": "PreciseTime", "value": "10:00"}, {"field": "ServiceArea", "value": ["1"]},
               {"field": "LocationWithinService", "value": "11"}, {"field": "InvolvedAgents", "value": ["10"]},
               {"field": "Process", "value": "6"}, {"field": "SafetyChallenges", "value": ["6"]}]


def _record(client, people, answers=None) -> str:
    return new_draft(client, people.headers("std_a"), "incident", channel="web", answers=answers or [])["record"]["id"]


def _stored(client, people, rid) -> dict:
    return client.get(f"{API}/records/{rid}", headers=people.headers("std_a")).json()


def _errors(html: str) -> list[str]:
    return re.findall(r'<li><a href="#([\w-]+)">', html)


def test_both_harms_on_one_page_with_one_patient(client, people):
    rid = _record(client, people, [*BEFORE_HARM, {"field": "PatientCount", "value": 1}])
    token = sign_in(client, "std_a")
    url = f"/records/{rid}/questions/PhysicalHarm?patient=1"
    page = client.get(url).text
    assert "How badly was the patient hurt, in body and in mind?" in page
    assert 'name="value" type="radio" value="5"' in page and 'name="PsychologicalHarm" type="radio" value="4"' in page
    # Validated together: the psychological harm is needed too, and what was chosen is not saved alone.
    r = post(client, url, token, value="4", action="continue")
    assert r.status_code == 400 and _errors(r.text) == ["PsychologicalHarm"]
    assert _stored(client, people, rid)["answers"]["patients"] == []
    revision = _stored(client, people, rid)["revision"]
    r = post(client, url, token, value="4", PsychologicalHarm="3", action="continue")
    assert r.status_code == 303 and "PsychologicalHarm" not in r.headers["location"]
    record = _stored(client, people, rid)
    assert record["answers"]["patients"] == [{"PhysicalHarm": "4", "PsychologicalHarm": "3"}]
    assert record["revision"] == revision + 1  # one change for the page
    # The page shows what is stored when it is opened again.
    again = client.get(url + "&change=1").text
    assert re.search(r'name="PsychologicalHarm" type="radio" value="3" checked', again)


def test_with_two_patients_each_harm_has_its_own_page(client, people):
    rid = _record(client, people, [*BEFORE_HARM, {"field": "PatientCount", "value": 2}])
    sign_in(client, "std_a")
    page = client.get(f"/records/{rid}/questions/PhysicalHarm?patient=1").text
    assert "in body and in mind" not in page and 'name="PsychologicalHarm"' not in page


def test_the_day_is_asked_beside_did_it_happen_today(client, people):
    rid = _record(client, people, [{"field": "Description", "value": "A fall on the ward"}])
    token = sign_in(client, "std_a")
    url = f"/records/{rid}/questions/IncidentOccurredToday"
    page = client.get(url).text
    assert 'name="value" type="radio" value="n"' in page and 'name="ApproximateDate-date-day"' in page
    r = post(client, url, token, value="n", action="continue")  # no: then which day is needed
    assert r.status_code == 400 and _errors(r.text) == ["ApproximateDate"]
    day = {"ApproximateDate-date-day": "3", "ApproximateDate-date-month": "11", "ApproximateDate-date-year": "2026"}
    r = post(client, url, token, value="y", action="continue", **day)  # a day given with "yes" is not dropped
    assert r.status_code == 400 and _errors(r.text) == ["ApproximateDate"]
    assert 'value="3"' in r.text  # what was typed is kept on the page
    r = post(client, url, token, value="n", action="continue", **day)
    assert r.status_code == 303 and "ApproximateDate" not in r.headers["location"]
    fields = _stored(client, people, rid)["answers"]["fields"]
    assert fields["IncidentOccurredToday"] == "n" and fields["ApproximateDate"] == "2026-11-03"


def test_the_medicine_problem_and_its_detail_on_one_page(client, people):
    rid = _record(client, people, [{"field": "Description", "value": "Insulin dose given twice"},
                                   {"field": "IncidentOccurredToday", "value": "y"},
                                   {"field": "InvolvedAgents", "value": ["4"]}])
    token = sign_in(client, "std_a")
    url = f"/records/{rid}/questions/DrugInvolvementFactors"
    page = client.get(url).text
    assert 'name="DrugUsedTooMuch" type="checkbox" value="5"' in page
    assert 'name="ProblemMedicationPackaging" type="checkbox"' in page
    # A detail ticked answers its problem too; the details left blank are left out, not asked again.
    r = post(client, url, token, DrugUsedTooMuch="5", action="continue")
    assert r.status_code == 303 and "Drug" not in r.headers["location"] and "Medication" not in r.headers["location"]
    record = _stored(client, people, rid)["answers"]
    assert record["fields"]["DrugInvolvementFactors"] == ["1"] and record["fields"]["DrugUsedTooMuch"] == ["5"]
    assert "DrugInsufficientDetails" not in record["fields"]


def test_anonymity_and_why_on_one_page_from_the_default(client, people):
    rid = _record(client, people, [{"field": "Description", "value": "A fall on the ward"}])
    token = sign_in(client, "std_a")
    url = f"/records/{rid}/questions/IsAnonymous?change=1"
    page = client.get(url).text
    assert re.search(r'name="value" type="radio" value="false" checked', page)  # the plan's default, as in chat
    assert 'name="WhyAnonymous" type="checkbox"' in page
    r = post(client, url, token, value="true", WhyAnonymous="1", action="continue")
    assert r.status_code == 303 and r.headers["location"] == f"/records/{rid}/check"
    fields = _stored(client, people, rid)["answers"]["fields"]
    assert fields["IsAnonymous"] is True and fields["WhyAnonymous"] == ["1"]


def test_a_web_group_page_answer_is_what_the_assistant_would_save(client, people):
    """Both ways reach the same record: the assistant's one reply and the web's one page."""
    chat = people.headers("std_a")
    rid = _record(client, people, [*BEFORE_HARM, {"field": "PatientCount", "value": 1}])
    reading = client.post(f"{API}/interpret/group", json={"group": "Harm", "text": "low physical, moderate psychological"},
                          headers=people.headers("public:test:web")).json()
    answer(client, chat, rid, *({"field": a["field"], "patient": 1, "value": a["value"]} for a in reading["answers"]))
    assert _stored(client, people, rid)["answers"]["patients"] == [{"PhysicalHarm": "4", "PsychologicalHarm": "2"}]
