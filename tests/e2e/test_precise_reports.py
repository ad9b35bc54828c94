"""End to end (issue 14): what people say precisely is kept precisely. A member of staff's first message
names the patient's age ("an 84 year old lady"): confirmed with the rest and kept as LFPSE's
AgeAtTimeOfIncidentDays with its band derived; at check your answers they say it happened somewhere the
organisation list does not know, which is kept in their words (OrganisationOther) and their account's
organisation is not assumed."""

from __future__ import annotations

from tests.e2e.reporter import NURSE, role_on_account, tally
from tests.e2e.test_reports import YESTERDAY, _identity, _latest_draft

FIRST = ("yesterday 3pm on ward 7 an 84 year old lady got 10 units of insulin instead of 1, needed glucose, "
         "fine now")


def test_staff_incident_keeps_the_age_and_a_place_not_in_the_list(staff):
    role_on_account(staff)
    act = _identity(staff)
    out = staff.text(staff.say(FIRST))
    assert "Age: 84 years" in out, out
    staff.say("yes")
    record_id = _latest_draft(staff, act)
    stored = staff.backend("GET", f"/records/{record_id}", **act)["answers"]
    assert stored["patients"][0]["AgeAtTimeOfIncidentDays"] == 30681 and stored["patients"][0]["AgeBracket"] == "11"
    recap = staff.text(staff.answer_questions(record_id, act, {
        "ServiceArea": "1", "Process": "6", "SafetyChallenges": "None of the above"}))
    assert "Age: 84 years" in recap and "Age group: 66-85 years" in recap, recap
    changed = staff.text(staff.say("it happened at rosewood house care home in harrogate, not our trust"))
    assert "rosewood house care home in harrogate" in changed, changed
    stored = staff.backend("GET", f"/records/{record_id}", **act)["answers"]
    assert stored["fields"]["OrganisationOther"] == "rosewood house care home in harrogate"
    assert "Organisation" not in stored["fields"] and "Organisation" in stored["skipped"]
    done = staff.text(staff.say("yes"))
    assert "PSE-" in done, done
    record = staff.backend("GET", f"/records/{record_id}", **act)
    assert record["status"] == "submitted"
    answers = record["answers"]
    assert answers["fields"]["ApproximateDate"] == YESTERDAY and answers["fields"]["ReporterRole"] == NURSE
    assert answers["patients"] == [{"PhysicalHarm": "4", "PsychologicalHarm": "4",
                                    "AgeAtTimeOfIncidentDays": 30681, "AgeBracket": "11"}]
    assert answers["skipped"] == ["Organisation"] and "Organisation" not in answers["defaulted"]
    tally("staff incident with an age and a place not in the list", "REST", staff)
