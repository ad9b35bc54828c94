"""Action unit tests against the fake backend: the exact events and messages of each action."""

import asyncio

from rasa_sdk.events import ActiveLoop, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.confirm_form import ActionAskExtractionOk, ValidateConfirmForm
from actions.describe_form import ValidateDescribeForm
from actions.digressions import ActionCorrectAnswer, ActionDanger, ActionExplain, ActionHuman, ActionStopReport
from actions.recap_form import ActionSubmitReport
from actions.report_form import ActionAskAnswer, ValidateReportForm
from actions.resume_form import ActionListDrafts, ValidateResumeForm
from actions.start import ActionSessionStart, ActionStartReport
from tests.bot.helpers import fake, run, texts, tracker, validate
from wording.message import structured

PUBLIC = "public:rest:conv-1"
INSULIN = {"field": "PreciseTime", "value": "15:00", "label": "15:00", "confidence": 0.9}


def test_session_start_takes_identity_only_from_verified_metadata():
    t = tracker(slots={"session_started_metadata": {"account_id": 7}})
    events, _ = run(ActionSessionStart(), t)
    assert events[0] == SessionStarted()
    assert SlotSet("account_id", "7") in events and SlotSet("audience", "staff") in events
    events, _ = run(ActionSessionStart(), tracker(slots={"session_started_metadata": {}}))
    assert SlotSet("account_id", None) in events and SlotSet("audience", "public") in events


def test_opening_with_a_narrative_makes_it_the_description():
    events, _ = run(ActionStartReport(), tracker(text="a patient fell on ward 7", intent="describe_event"))
    assert events[-1] == SlotSet("description", "a patient fell on ward 7")
    assert SlotSet("record_id", None) in events


def test_description_is_saved_at_once_and_analysed():
    backend = fake(analysis=[INSULIN])
    result, d = validate(ValidateDescribeForm(), "description", "Pt 943 476 5919 fell at 3pm", tracker())
    # Marked by the plan's inference rules, as the backend's analysis marks it (actions/fake_backend.py).
    marked = {**INSULIN, "per_patient": False, "inferable": True, "corrects": True}
    assert result == {"description": "Pt 943 476 5919 fell at 3pm", "record_id": "rec-1", "extraction": [marked],
                      "extraction_ok": None, "opening": None, "session_drafts": ["rec-1"]}
    assert backend.calls[0] == ("create_record", (PUBLIC, "chat"))
    assert backend.records["rec-1"]["answers"]["Description"] == "Pt [NHS number removed] fell at 3pm"
    assert texts(d) == ["I took an NHS number out of what you wrote, so that nobody can be named from it. "
                        "Everything else is saved. Please don't include details like that."]


def test_nothing_understood_skips_the_confirmation():
    fake()
    result, _ = validate(ValidateDescribeForm(), "description", "It went wrong", tracker(slots={"account_id": "3"}))
    assert result["extraction"] is None and result["extraction_ok"] == "nothing"


def test_backend_down_keeps_asking_and_says_so():
    fake().down = True
    result, d = validate(ValidateDescribeForm(), "description", "It went wrong", tracker())
    assert result == {"description": None}
    assert "Everything you've already told me is kept" in texts(d)[0]


def test_extraction_is_shown_then_saved_only_when_confirmed():
    backend = fake()
    rid = asyncio.run(backend.create_record(PUBLIC, "chat"))["record"]["id"]
    slots = {"record_id": rid, "extraction": [INSULIN]}
    _, d = run(ActionAskExtractionOk(), tracker(slots=slots))
    assert texts(d) == ["Here's what I understood:\n- Time: 15:00\nIs that right?"]
    assert backend.records[rid]["answers"] == {}
    # A bare "no" asks which part is wrong; nothing is saved, nothing thrown away.
    result, d = validate(ValidateConfirmForm(), "extraction_ok", "no", tracker(slots=slots, intent="deny"))
    assert result == {"extraction_ok": None} and backend.records[rid]["answers"] == {}
    assert texts(d)[0].startswith("Which part is wrong?")
    result, d = validate(ValidateConfirmForm(), "extraction_ok", "none of it", tracker(slots=slots, intent="deny"))
    assert result == {"extraction_ok": "no", "extraction": None} and backend.records[rid]["answers"] == {}
    result, d = validate(ValidateConfirmForm(), "extraction_ok", "yes", tracker(slots=slots, intent="affirm"))
    first = asyncio.run(backend.next_question(PUBLIC, rid))["question"]
    # The save's response gives the first question: the questions start without asking for it again.
    assert result == {"extraction_ok": "yes", "extraction": None, "question": first, "question_synced": True}
    assert backend.records[rid]["answers"] == {"PreciseTime": "15:00"}
    assert texts(d) == ["Thank you, I've saved that."]


def test_a_form_started_without_its_question_fetches_it_once_and_passes_it_on():
    backend = fake()
    rid = asyncio.run(backend.create_record("account:3", "chat", answers=[{"field": "Description", "value": "x"}]))["record"]["id"]
    slots = {"record_id": rid, "account_id": "3"}
    backend.calls.clear()
    domain = {"forms": {"report_form": {"required_slots": ["answer"]}}}
    events = asyncio.run(ValidateReportForm().run(CollectingDispatcher(), tracker(slots=slots, active_loop="report_form"),
                                                  domain))
    set_ = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert set_["question"]["field"] == "PreciseTime" and set_["question_synced"] is True
    events, d = run(ActionAskAnswer(), tracker(slots={**slots, **set_}))
    assert d.messages[0]["text"].startswith("What time did it happen?")
    assert [name for name, _ in backend.calls] == ["next_question"]  # once, for the validation run and the ask


def test_each_answer_is_saved_and_the_next_question_asked():
    backend = fake()
    rid = asyncio.run(backend.create_record("account:3", "chat", answers=[{"field": "Description", "value": "x"}]))["record"]["id"]
    slots = {"record_id": rid, "account_id": "3"}
    events, d = run(ActionAskAnswer(), tracker(slots=slots))
    question = events[0]["value"]
    assert question["field"] == "PreciseTime"
    assert d.messages[0]["text"] == "What time did it happen? (for example 15:30 or 3pm) You can say 'skip'."
    backend.calls.clear()
    result, d = validate(ValidateReportForm(), "answer", "3pm", tracker(slots={**slots, "question": question}))
    harm = result["question"]  # the next question came back with the saved answer ...
    assert result == {"answer": None, "question": harm, "question_synced": True} and harm["field"] == "PhysicalHarm"
    assert backend.records[rid]["answers"]["PreciseTime"] == "15:00"
    after = tracker(slots={**slots, **result})
    assert asyncio.run(ValidateReportForm().required_slots(["answer"], None, after, {})) == ["answer"]
    events, d = run(ActionAskAnswer(), after)
    assert d.messages[0]["buttons"] == [{"title": c["label"], "payload": c["label"]} for c in harm["choices"]]
    # ... so the whole turn made two backend calls: the reply read against the question, and the save.
    assert [name for name, _ in backend.calls] == ["interpret_reply", "answer"]
    result, d = validate(ValidateReportForm(), "answer", "skip", tracker(slots={**slots, "question": harm}, intent="skip"))
    assert texts(d) == ["I need an answer to this one before the report can be sent."]
    result, d = validate(ValidateReportForm(), "answer", "moderat", tracker(slots={**slots, "question": harm}))
    assert backend.records[rid]["answers"]["PhysicalHarm:1"] == "3"
    assert asyncio.run(ValidateReportForm().required_slots(["answer"], None, tracker(slots=slots), {})) == []


def test_submit_gives_the_reference_or_asks_what_is_missing():
    backend = fake()
    rid = asyncio.run(backend.create_record(PUBLIC, "chat", answers=[{"field": "Description", "value": "x"}]))["record"]["id"]
    events, d = run(ActionSubmitReport(), tracker(slots={"record_id": rid}))
    assert events == [SlotSet("recap_ok", None), SlotSet("answer", None), FollowupAction("report_form")]
    assert texts(d) == ["I need a few more answers first."]
    asyncio.run(backend.answer(PUBLIC, rid, [{"field": "PreciseTime", "skip": True},
                                             {"field": "PhysicalHarm", "patient": 1, "value": "5"}]))
    events, d = run(ActionSubmitReport(), tracker(slots={"record_id": rid}))
    assert texts(d) == ["Thank you. Your report has been sent. Your reference is PSE-2026-000001."]
    sent = structured(d.messages[0])  # what the channels act on: the phone hangs up, SMS and screens show it
    assert sent["id"] == "submitted" and sent["ended"] and sent["reference"] == "PSE-2026-000001"
    assert SlotSet("record_id", None) in events


def test_danger_is_answered_first_and_the_form_continues():
    events, d = run(ActionDanger(), tracker(text="he's not breathing", active_loop="report_form", intent="danger"))
    assert texts(d)[0].startswith("If someone is in danger now, call 999")
    assert events == [FollowupAction("report_form")]
    # The NLU's danger intent alone is not enough: an age is an answer, and no alarm.
    events, d = run(ActionDanger(), tracker(text="She's 52", active_loop="report_form", intent="danger"))
    assert texts(d) == [] and events == [FollowupAction("report_form")]


def test_asking_for_a_person_differs_for_staff_and_public():
    _, d = run(ActionHuman(), tracker())
    assert "Patient Advice and Liaison Service" in texts(d)[0]
    _, d = run(ActionHuman(), tracker(slots={"account_id": "3"}))
    assert "patient safety specialist" in texts(d)[0]


def test_help_focuses_on_what_was_asked():
    backend = fake()
    rid = asyncio.run(backend.create_record(PUBLIC, "chat"))["record"]["id"]
    t = tracker(slots={"record_id": rid, "question": {"field": "PhysicalHarm", "help": "x"}},
                text="what counts as moderate harm?", intent="ask_help", active_loop="report_form")
    events, d = run(ActionExplain(), t)
    assert texts(d) == ["Moderate: significant but not permanent harm."]
    assert events == [FollowupAction("report_form")]


def test_correcting_an_earlier_answer():
    backend = fake()
    rid = asyncio.run(backend.create_record(PUBLIC, "chat"))["record"]["id"]
    t = tracker(slots={"record_id": rid}, text="change the harm to low", intent="correct",
                entities=[{"entity": "field_name", "value": "PhysicalHarm"}], active_loop="recap_form")
    events, d = run(ActionCorrectAnswer(), t)
    assert backend.records[rid]["answers"]["PhysicalHarm:1"] == "4"
    assert texts(d) == ["Thanks, I've changed physicalharm to 4."]  # the fake's labels are field names
    assert events == [SlotSet("pending_field", None), SlotSet("question", None), SlotSet("question_synced", None),
                      SlotSet("recap_ok", None), FollowupAction("recap_form")]


def test_stop_keeps_the_draft_and_says_how_to_come_back():
    backend = fake()
    rid = asyncio.run(backend.create_record("account:3", "chat"))["record"]["id"]
    events, d = run(ActionStopReport(), tracker(slots={"record_id": rid, "account_id": "3"}, active_loop="report_form"))
    assert events[:2] == [ActiveLoop(None), SlotSet("requested_slot", None)]
    assert rid in backend.records
    assert texts(d) == ["Stopped. Your draft is saved: say 'resume my draft' to carry on, or finish it on the web form."]


def test_resume_lists_drafts_and_continues_the_chosen_one():
    backend = fake()
    for text in ("first draft", "second draft"):
        asyncio.run(backend.create_record("account:3", "chat", answers=[{"field": "Description", "value": text}]))
    events, _ = run(ActionListDrafts(), tracker(slots={"account_id": "3"}))
    drafts = events[-1]["value"]
    assert [d["label"] for d in drafts] == ["Report, 20 Nov 2026: first draft", "Report, 20 Nov 2026: second draft"]
    result, d = validate(ValidateResumeForm(), "draft_choice", "2", tracker(slots={"account_id": "3", "drafts": drafts}))
    assert result == {"draft_choice": "rec-2", "record_id": "rec-2", "drafts": None}
    events, d = run(ActionListDrafts(), tracker(slots={}))  # the public conversation has none: only a code opens one
    assert events[-1] == FollowupAction("describe_form") and "draft code" in texts(d)[0]


def test_a_correction_replaces_what_was_understood_and_asks_again():
    backend = fake(analysis=[{"field": "PreciseTime", "value": "16:00", "label": "16:00", "confidence": 0.9}])
    slots = {"record_id": "rec-x", "extraction": [INSULIN, {"field": "DrugsInvolved", "value": ["insulin"], "label": "insulin"}]}
    result, d = validate(ValidateConfirmForm(), "extraction_ok", "no it was 4pm", tracker(slots=slots, intent="correct"))
    assert result == {"extraction_ok": None, "extraction": [
        {"field": "DrugsInvolved", "value": ["insulin"], "label": "insulin"},
        {"field": "PreciseTime", "value": "16:00", "label": "16:00", "confidence": 0.9,
         "per_patient": False, "inferable": True, "corrects": True}]}  # a time: the plan lets a correction replace it
    assert "analyse" in [c[0] for c in backend.calls] and texts(d) == []


def test_yes_with_a_correction_the_analysis_misses_saves_the_interpreters_reading():
    backend = fake(analysis=[])  # the narrative analysis finds nothing in "change the harm to low"
    rid = asyncio.run(backend.create_record("public:rest:x", "chat", answers=[{"field": "Description", "value": "x"}]))
    slots = {"record_id": rid["record"]["id"], "extraction": [
        {"field": "PhysicalHarm", "value": "3", "label": "Moderate", "confidence": 0.7}]}
    result, d = validate(ValidateConfirmForm(), "extraction_ok", "yes but change the harm to low",
                         tracker(slots=slots, intent="affirm"))
    assert result["extraction_ok"] == "yes"
    assert "interpret_correction" in [c[0] for c in backend.calls]
    record = asyncio.run(backend.record("public:rest:x", rid["record"]["id"]))
    assert record["answers"]["patients"] == [{"PhysicalHarm": "4"}]  # the correction, not what was understood


def test_present_danger_is_caught_even_if_the_nlu_misses_it():
    from actions.safety import danger_now

    assert danger_now("my dad has collapsed and is not breathing right now")
    assert danger_now("I want to kill myself")
    assert not danger_now("the patient collapsed on the ward yesterday and was fine after")
    fake()
    t = tracker(text="he's not breathing now", intent="stop", slots={"requested_slot": "description"},
                active_loop="describe_form")
    _, d = run(ValidateDescribeForm(), t)
    assert texts(d)[0].startswith("If someone is in danger now, call 999")


def test_an_answer_that_looks_like_a_question_is_still_an_answer():
    backend = fake()
    rid = asyncio.run(backend.create_record(PUBLIC, "chat", answers=[{"field": "Description", "value": "x"},
                                                                       {"field": "PreciseTime", "skip": True}]))["record"]["id"]
    harm = asyncio.run(backend.next_question(PUBLIC, rid))["question"]
    slots = {"record_id": rid, "question": harm}
    t = tracker(slots=slots, text="moderate", intent="ask_help")
    result, d = validate(ValidateReportForm(), "answer", "moderate", t)
    assert backend.records[rid]["answers"]["PhysicalHarm:1"] == "3" and texts(d) == []
    t = tracker(slots=slots, text="what counts as moderate harm?", intent="ask_help")
    result, d = validate(ValidateReportForm(), "answer", "what counts as moderate harm?", t)
    assert result == {"answer": None} and texts(d) == ["Moderate: significant but not permanent harm."]


def test_slots_cleared_by_a_reset_are_not_answers():
    fake()
    for form, slot in ((ValidateDescribeForm(), "description"), (ValidateConfirmForm(), "extraction_ok"),
                       (ValidateReportForm(), "answer"), (ValidateResumeForm(), "draft_choice")):
        result, d = validate(form, slot, None, tracker(slots={"record_id": "rec-1"}))
        assert result == {slot: None} and texts(d) == []


def test_what_the_reporter_said_they_report_beats_the_classifier():
    from actions.describe_form import extraction_items

    analysis = {"suggestions": [{"field": "EventType", "value": "incident", "label": "Patient safety incident",
                                 "confidence": 0.6, "candidates": [{"value": "good_care", "label": "Good care"}]}]}
    items = extraction_items(analysis, "good_care")
    assert items == [{"field": "EventType", "value": "good_care", "label": "Good care", "confidence": 1.0}]


def test_a_long_first_message_misread_as_a_correction_starts_a_report():
    fake()
    text = "My mum was given the wrong tablets at the chemist yesterday and was sick all night"
    events, d = run(ActionCorrectAnswer(), tracker(text=text, intent="correct"))
    assert SlotSet("description", text) in events and events[-1] == FollowupAction("describe_form")
    assert texts(d) == []
    events, d = run(ActionExplain(), tracker(text="what does that mean?", intent="ask_help"))
    assert events == [] and len(texts(d)) == 1  # short, nothing under way: a plain explanation


def test_a_new_session_with_an_unfinished_draft_offers_to_carry_on():
    events, d = run(ActionSessionStart(), tracker(slots={"record_id": "rec-9",
                                                         "session_started_metadata": {"account_id": 7}}))
    assert SlotSet("record_id", "rec-9") in events
    assert texts(d) == ["Welcome back. You have a report you haven't finished. Say 'carry on' to go on with it, "
                        "or tell me about something new."]


def test_a_patient_count_the_description_states_is_kept_when_harm_is_found():
    from actions.describe_form import extraction_items
    from actions.fake_backend import FakeBackend

    # The plan's one-patient rule (inference: first_message), applied by the analysis as the backend applies it.
    harm = {"field": "PhysicalHarm", "value": "4", "label": "Low harm", "confidence": 0.8}
    count = {"field": "PatientCount", "value": 3, "label": "3", "confidence": 0.9}

    def understood(found: list[dict], audience: str = "staff") -> dict:
        analysis = asyncio.run(FakeBackend(found).analyse("staff-1", "words", audience))
        return {i["field"]: i for i in extraction_items(analysis, None)}

    assert understood([harm, count])["PatientCount"]["value"] == 3  # was overwritten with 1 whenever harm was found
    assert understood([harm])["PatientCount"]["value"] == 1  # harm to "a patient": one patient, shown to confirm
    assert "PatientCount" not in understood([harm], "public")  # the public are not asked the count


def test_a_hint_that_names_no_event_type_leaves_the_classifier_alone():
    from actions.describe_form import extraction_items

    guess = {"field": "EventType", "value": "incident", "label": "Patient safety incident", "confidence": 0.7,
             "candidates": [{"value": "incident", "label": "Patient safety incident"}]}
    assert extraction_items({"suggestions": [guess]}, "wrong") == [guess]


def test_a_correction_changes_an_understood_kind_service_or_harm_only_when_it_names_it():
    """'he had to go to hospital' is not where it happened, and 'rosewood care home' is no kind of report:
    the analysis of a correction adds what was not understood and replaces only words, days and times."""
    hospital = {"field": "ServiceArea", "value": ["1"], "label": "Hospital", "confidence": 0.9}
    outcome = {"field": "EventType", "value": "poor_outcome", "label": "Poor outcome", "confidence": 0.95}
    date = {"field": "ApproximateDate", "value": "2026-11-28", "label": "28 November 2026", "confidence": 0.9}
    fake(analysis=[hospital, outcome, date])
    care_home = {"field": "ServiceArea", "value": ["12"], "label": "Care home", "confidence": 0.9}
    slots = {"record_id": "rec-x", "extraction": [INSULIN, care_home]}
    result, d = validate(ValidateConfirmForm(), "extraction_ok", "no he had to go to hospital on saturday",
                         tracker(slots=slots, intent="correct"))
    added = {**date, "per_patient": False, "inferable": True, "corrects": True}  # as the plan's rules mark it
    assert result == {"extraction_ok": None, "extraction": [INSULIN, care_home, added]}  # the day added, nothing replaced


def test_a_correction_that_only_repeats_what_was_understood_asks_which_part():
    today = {"field": "IncidentOccurredToday", "value": "y", "label": "Yes", "confidence": 0.9}
    fake(analysis=[today])
    slots = {"record_id": "rec-x", "extraction": [INSULIN, today]}
    result, d = validate(ValidateConfirmForm(), "extraction_ok", "no, we only found it today",
                         tracker(slots=slots, intent="deny"))
    assert result == {"extraction_ok": None}  # nothing changed, so the recap is not shown again as if it had
    assert "Which part" in texts(d)[0]


def test_a_choice_by_its_place_in_the_list():
    from actions.interpret import match_choice
    listed = [{"code": "a", "label": "Beacon Surgery"}, {"code": "b", "label": "Beacon Medical"}]
    assert match_choice("the second one", listed)["code"] == "b"
    assert match_choice("the last", listed)["code"] == "b"
    assert match_choice("the fifth one", listed) is None  # not in the list
