"""Issue 14, the real actions against the real backend (a process on a free port): an exact age read from
the first message and kept with its band; "about 80" at check your answers kept as the band only; a place
the list does not know kept as OrganisationOther for staff; what a free-text answer says besides noted
for open questions, shown at check your answers, never over an answer. After each turn, what the backend
stored is read back."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest

from actions.backend_client import BackendClient, set_client
from actions.confirm_form import ActionAskExtractionOk, ValidateConfirmForm
from actions.describe_form import ValidateDescribeForm
from actions.recap_form import ActionAskRecapOk, ValidateRecapForm
from actions.report_form import ValidateReportForm
from tests.bot.helpers import run, texts, tracker, validate
from tests.support.live_backend import LiveBackend

AGE, BAND = "AgeAtTimeOfIncidentDays", "AgeBracket"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    backend = LiveBackend(tmp_path_factory.mktemp("live-backend")).start()
    yield backend
    backend.stop()


@pytest.fixture
def client(live) -> BackendClient:
    # No kept-alive connections: each action runs in its own event loop (asyncio.run), as rasa-sdk's calls do not.
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
    client = BackendClient(live.url, token=live.service_token, transport=transport)
    set_client(client)
    return client


def _call(coro):
    return asyncio.run(coro)


def _stored(client: BackendClient, who: str, rid: str) -> dict:
    return _call(client.record(who, rid))["answers"]


def _draft(client: BackendClient, who: str, event_type: str, **answers) -> str:
    items = [{"field": "Description", "value": "A report made for a test of the assistant."},
             *({"field": f, "value": v} for f, v in answers.items())]
    return _call(client.create_record(who, "chat", event_type, items))["record"]["id"]


def test_an_exact_age_in_the_first_message_is_confirmed_and_kept_with_its_band(live, client):
    staff = {"account_id": live.staff_account}
    who = f"account:{live.staff_account}"
    text = "yesterday 3pm on ward 7 an 84 year old lady got 10 units of insulin instead of 1, needed glucose, fine now"
    result, _ = validate(ValidateDescribeForm(), "description", text, tracker(slots=staff, text=text))
    rid, items = result["record_id"], result["extraction"]
    assert {i["field"]: i["label"] for i in items}[AGE] == "84 years"
    assert _stored(client, who, rid)["patients"] == []  # nothing read is saved before it is confirmed
    slots = {**staff, "record_id": rid, "extraction": items}
    _, d = run(ActionAskExtractionOk(), tracker(slots=slots))
    assert "- Age: 84 years" in texts(d)[0]
    validate(ValidateConfirmForm(), "extraction_ok", "yes", tracker(slots=slots, text="yes", intent="affirm"))
    stored = _stored(client, who, rid)
    assert stored["patients"][0][AGE] == 30681 and stored["patients"][0][BAND] == "11"
    assert stored["fields"]["PatientCount"] == 1


def test_about_80_at_check_your_answers_keeps_the_band_and_says_why(live, client):
    who = "public:rest:conv-age"
    rid = _draft(client, who, "incident")
    slots = {"record_id": rid}
    _, d = run(ActionAskRecapOk(), tracker(slots=slots, sender="conv-age"))
    offered = [o.strip() for o in texts(d)[0].split("You can also tell me:")[1].split("\n")[0].split(",")]
    assert "age" in offered and "age group" not in offered  # the age is offered once: its band comes with it
    result, d = validate(ValidateRecapForm(), "recap_ok", "she's about 80",
                         tracker(slots=slots, text="she's about 80", sender="conv-age"))
    assert result == {"recap_ok": None}
    stored = _stored(client, who, rid)
    assert stored["patients"] == [{BAND: "11"}] and f"{AGE}:1" in stored["skipped"]
    assert texts(d) == ["You said about 80 years, so I've put the age group 66-85 years."]


def test_a_place_the_list_does_not_know_is_kept_for_staff_and_their_organisation_not_assumed(live, client):
    staff = {"account_id": live.staff_account}
    who = f"account:{live.staff_account}"
    rid = _draft(client, who, "incident")
    assert _stored(client, who, rid)["fields"]["Organisation"] == ["RVJ"]  # from the account, assumed
    said = "it happened at rosewood house care home in harrogate, not our trust"
    result, d = validate(ValidateRecapForm(), "recap_ok", said,
                         tracker(slots={**staff, "record_id": rid}, text=said, intent="correct"))
    stored = _stored(client, who, rid)
    assert stored["fields"]["OrganisationOther"] == "rosewood house care home in harrogate"
    assert "Organisation" not in stored["fields"] and "Organisation" in stored["skipped"]
    assert "Organisation" not in stored.get("defaulted", [])
    assert texts(d)[0] == "Changed place to rosewood house care home in harrogate."
    # The words say more: a care home is the kind of service, noted for the open questions, to check at the end.
    assert texts(d)[1].startswith("From that I've also noted service: Care home services")
    assert stored["fields"]["ServiceArea"] == ["12"] and "ServiceArea" in stored["inferred"]
    missing = _call(client.next_question(who, rid))
    assert missing["question"]["field"] != "Organisation"


def test_a_free_text_answer_fills_open_questions_it_answers_and_they_are_shown_at_the_check(live, client):
    who = "public:rest:conv-good"
    rid = _draft(client, who, "good_care", Organisation=["RVJ"])
    question = _call(client.next_question(who, rid))["question"]
    assert question["field"] == "HowFutureOccurrence"
    said = "share it at the ward 9 huddle, it was yesterday about 4pm when the pump alarmed and the nurse caught it"
    t = tracker(slots={"record_id": rid, "question": question}, text=said, sender="conv-good")
    result, d = validate(ValidateReportForm(), "answer", said, t)
    stored = _stored(client, who, rid)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert stored["fields"]["HowFutureOccurrence"] == said
    assert stored["fields"]["IncidentOccurredToday"] == "n" and stored["fields"]["ApproximateDate"] == yesterday
    assert set(stored["inferred"]) >= {"IncidentOccurredToday", "ApproximateDate"}
    assert any(m.startswith("You also told me ") and "You can check it at the end." in m for m in texts(d))
    # Not asked later, not offered: shown on one line of check your answers, to confirm or change.
    nq = _call(client.next_question(who, rid))
    assert {"IncidentOccurredToday", "ApproximateDate"}.isdisjoint({o["field"] for o in nq["offered"]})
    _, d = run(ActionAskRecapOk(), tracker(slots={"record_id": rid}, sender="conv-good"))
    assert "- From what you told me: " in texts(d)[0]


def test_what_a_free_text_answer_says_never_replaces_an_answer(live, client):
    who = "public:rest:conv-keep"
    earlier = (date.today() - timedelta(days=5)).isoformat()
    rid = _draft(client, who, "good_care", Organisation=["RVJ"], IncidentOccurredToday="n", ApproximateDate=earlier)
    question = _call(client.next_question(who, rid))["question"]
    said = "tell the team, it was yesterday at 4pm and the nurse was brilliant with my dad"
    validate(ValidateReportForm(), "answer", said,
             tracker(slots={"record_id": rid, "question": question}, text=said, sender="conv-keep"))
    stored = _stored(client, who, rid)
    assert stored["fields"]["HowFutureOccurrence"] == said
    assert stored["fields"]["ApproximateDate"] == earlier and "inferred" not in stored


def test_staff_asked_for_their_organisation_can_name_a_place_not_in_the_list(live, client):
    staff = {"account_id": live.unplaced_account}
    who = f"account:{live.unplaced_account}"
    rid = _draft(client, who, "incident", IncidentOccurredToday="y", PreciseTime="15:00")
    question = _call(client.next_question(who, rid))["question"]
    assert question["field"] == "Organisation" and question["mandatory"]  # no organisation on the account
    said = "Rosewood House care home"
    result, d = validate(ValidateReportForm(), "answer", said,
                         tracker(slots={**staff, "record_id": rid, "question": question}, text=said))
    stored = _stored(client, who, rid)
    assert stored["fields"]["OrganisationOther"] == said and "Organisation" in stored["skipped"]
    assert texts(d)[0] == f"That name isn't in the list, so I've kept it as you wrote it: {said}."
    # The kind of place the name says answers the service and place questions, marked inferred, said back.
    assert "Care home" in texts(d)[1] and "check it at the end" in texts(d)[1]
    assert stored["fields"]["ServiceArea"] == ["12"] and "ServiceArea" in stored["inferred"]
    assert result["question"]["field"] not in ("Organisation", "ServiceArea")  # met: the questions go on


def test_the_age_is_changed_at_check_your_answers_and_its_band_follows(live, client):
    staff = {"account_id": live.staff_account}
    who = f"account:{live.staff_account}"
    rid = _draft(client, who, "incident", PatientCount=1)
    _call(client.answer(who, rid, [{"field": AGE, "patient": 1, "value": 30681}]))  # 84 years
    said = "change the age to 86"
    validate(ValidateRecapForm(), "recap_ok", said, tracker(slots={**staff, "record_id": rid}, text=said, intent="correct"))
    assert _stored(client, who, rid)["patients"] == [{AGE: 31412, BAND: "12"}]
    said = "sorry the age is wrong, she's about 60"
    result, d = validate(ValidateRecapForm(), "recap_ok", said,
                         tracker(slots={**staff, "record_id": rid}, text=said, intent="correct"))
    stored = _stored(client, who, rid)
    assert stored["patients"] == [{BAND: "10"}] and f"{AGE}:1" in stored["skipped"]
    assert texts(d) == ["Changed age group: from 85+ years to 46-65 years."]


def test_what_went_well_answered_at_check_your_answers_is_read_for_the_when_too(live, client):
    who = "public:rest:conv-well"
    rid = _draft(client, who, "good_care", Organisation=["RVJ"])
    said = "what went well was the nurse on ward 9"
    slots = {"record_id": rid}
    result, d = validate(ValidateRecapForm(), "recap_ok", said,
                         tracker(slots=slots, text=said, intent="correct", sender="conv-well"))
    assert result["pending_field"] == {"field": "StrengthsOfCare", "patient": None}  # asked for the words
    said = "yesterday about 4pm the pump alarmed and the nurse caught it before the patient came to harm"
    result, d = validate(ValidateRecapForm(), "recap_ok", said,
                         tracker(slots={**slots, **result}, text=said, sender="conv-well"))
    stored = _stored(client, who, rid)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert stored["fields"]["StrengthsOfCare"] == said
    assert stored["fields"]["ApproximateDate"] == yesterday and "ApproximateDate" in stored["inferred"]
    assert texts(d)[0].startswith("Thanks, I've changed what went well to ")
    assert texts(d)[1].startswith("You also told me ")


def test_an_undone_delete_keeps_what_was_inferred_marked(live, client):
    from actions.delete import restore_items

    who = f"account:{live.staff_account}"
    rid = _draft(client, who, "incident", PatientCount=1)
    _call(client.answer(who, rid, [{"field": AGE, "patient": 1, "value": 42, "inferred": True},
                                   {"field": "IdentifiedLocationOther", "value": "ward 9", "inferred": True}]))
    before = _stored(client, who, rid)
    again = _call(client.create_record(who, "chat", "incident", restore_items(before)))["record"]["id"]
    after = _stored(client, who, again)
    assert after["inferred"] == before["inferred"] == [f"{AGE}:1", f"{BAND}:1", "IdentifiedLocationOther"]
    assert after["patients"] == before["patients"] == [{AGE: 42, BAND: "3"}]


def test_yes_but_only_one_of_the_medicines_read_keeps_only_that_one(live, client):
    """'yes but only insulin, the metformin was his own dose': the list read is narrowed, not saved whole."""
    staff = {"account_id": live.staff_account}
    who = f"account:{live.staff_account}"
    text = "3pm today on ward 7 pt given 10 units insulin instead of 1 and his metformin twice by mistake, fine now"
    result, _ = validate(ValidateDescribeForm(), "description", text, tracker(slots=staff, text=text))
    rid, items = result["record_id"], result["extraction"]
    assert {i["field"]: i["value"] for i in items}["DrugsInvolved"] == ["insulin", "metformin"]
    said = "yes but only insulin, the metformin was his own dose"
    slots = {**staff, "record_id": rid, "extraction": items}
    validate(ValidateConfirmForm(), "extraction_ok", said, tracker(slots=slots, text=said, intent="affirm"))
    assert _stored(client, who, rid)["fields"]["DrugsInvolved"] == ["insulin"]
