"""End to end: a real Rasa server, action server and backend, driven through the REST channel,
complete a report of each event type from a realistic first message; the record read back from
the backend is the expected structured answer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.reporter import Reporter
from tests.e2e.system import http

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
TURNS: dict[str, int] = {}


def _identity(reporter: Reporter) -> dict:
    if reporter.staff_token:
        status, me = http("GET", f"{reporter.system.backend}/api/v1/me",
                          headers={"Authorization": f"Bearer {reporter.staff_token}"})
        return {"account_id": me["id"]}
    return {"public_key": f"rest:{reporter.sender}"}


def _latest_draft(reporter: Reporter, act: dict) -> str:
    items = reporter.backend("GET", "/records?status=draft", **act)["items"]
    assert items, reporter.transcript
    return items[0]["id"]


def report(reporter: Reporter, first: str, replies: dict[str, str], confirm: str = "yes") -> dict:
    act = _identity(reporter)
    out = reporter.text(reporter.say(first))
    if "understood" in out:
        out = reporter.text(reporter.say(confirm))
    record_id = _latest_draft(reporter, act)
    recap = reporter.text(reporter.answer_questions(record_id, act, replies))
    assert "check" in recap.lower(), recap
    done = reporter.text(reporter.say("yes"))
    assert "PSE-" in done, done
    record = reporter.backend("GET", f"/records/{record_id}", **act)
    assert record["status"] == "submitted" and record["reference"] in done
    return record


def test_staff_incident_from_one_message(staff):
    record = report(staff, "yesterday 3pm on ward 7 a patient got 10 units of insulin instead of 1, needed glucose, fine now", {
        "Organisation": "Beacon Surgery", "ServiceArea": "1", "DrugInvolvementFactors": "1", "DrugUsedTooMuch": "1",
        "Process": "6", "SafetyChallenges": "None of the above", "PatientCount": "1", "PsychologicalHarm:1": "1",
        "ReporterRole": "Nurse or midwife", "IsAnonymous": "no", "DataSharingOptOut": "no",
    })
    fields = record["answers"]["fields"]
    assert record["event_type"] == "incident" and record["channel"] == "chat"
    assert fields["DrugsInvolved"] == ["insulin"] and fields["InvolvedAgents"] == ["4"]
    assert fields["ApproximateDate"] == YESTERDAY and fields["PreciseTime"] == "15:00"
    assert record["answers"]["patients"] == [{"PhysicalHarm": "4", "PsychologicalHarm": "4"}] or \
        record["answers"]["patients"][0]["PsychologicalHarm"] == "4"
    TURNS["staff incident"] = staff.turns
