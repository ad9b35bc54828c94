"""Issue 12 in the actions, against the fake backend: a delete is asked for, confirmed and undoable;
'submit' never deletes; more of the story is kept whatever question shows; a greeting is not a
description; corrections say what changed or ask."""

import asyncio
from datetime import datetime, timedelta, timezone

from rasa_sdk.events import ActiveLoop, FollowupAction

from actions.backend_client import set_client
from actions.delete import ActionAfterDelete, ActionDeleteDraft, ActionUndoDelete, ValidateDeleteForm
from actions.describe_form import ValidateDescribeForm
from actions.digressions import ActionCorrectAnswer
from actions.fake_backend import FakeBackend
from actions.recap_form import ValidateRecapForm
from actions.report_form import ValidateReportForm
from tests.bot.helpers import fake, run, texts, tracker, validate

PUBLIC = "public:rest:conv-1"
T0 = datetime(2026, 11, 26, 14, 0, tzinfo=timezone.utc)


def _draft(backend, **answers):
    items = [{"field": "Description", "value": "a fall on the ward"}, *({"field": f, "value": v} for f, v in answers.items())]
    return asyncio.run(backend.create_record(PUBLIC, "chat", answers=items))["record"]["id"]


def _slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_delete_is_asked_first_then_confirmed_then_undoable():
    backend = fake()
    rid = _draft(backend, PreciseTime="15:00")
    events, d = run(ActionDeleteDraft(), tracker(slots={"record_id": rid}, text="delete my draft", intent="delete_draft",
                                                 active_loop="report_form"))
    assert _slots(events) == {"delete_return": "report_form", "delete_ok": None}
    assert rid in backend.records and texts(d) == []  # nothing deleted on the first word
    # "no" keeps it, and goes back to the question.
    result, d = validate(ValidateDeleteForm(), "delete_ok", "no", tracker(slots={"record_id": rid}))
    assert result == {"delete_ok": "kept"} and rid in backend.records
    events, _ = run(ActionAfterDelete(), tracker(slots={"delete_ok": "kept", "delete_return": "report_form"}))
    assert events[-1] == FollowupAction("report_form")
    # "yes, delete it" deletes, and keeps the answers for a while.
    form = ValidateDeleteForm()
    form.clock = lambda: T0
    result, d = validate(form, "delete_ok", "yes, delete it", tracker(slots={"record_id": rid}))
    assert result["delete_ok"] == "deleted" and rid not in backend.records
    assert "undo" in texts(d)[0]
    kept = result["deleted_draft"]
    # Undo within the window: a draft with the same answers.
    undo = ActionUndoDelete()
    undo.clock = lambda: T0 + timedelta(minutes=10)
    events, d = run(undo, tracker(slots={"deleted_draft": kept}, text="undo", intent="undo"))
    restored = _slots(events)["record_id"]
    assert backend.records[restored]["answers"] == {"Description": "a fall on the ward", "PreciseTime": "15:00"}
    assert events[-1] == FollowupAction("report_form") and texts(d) == ["Your report is back, with everything you told me."]
    # Too late: nothing comes back.
    undo.clock = lambda: T0 + timedelta(hours=2)
    events, d = run(undo, tracker(slots={"deleted_draft": kept}, text="undo", intent="undo"))
    assert "too long ago" in texts(d)[0] and "record_id" not in _slots(events)


def test_a_message_that_says_submit_never_deletes():
    backend = fake()
    rid = _draft(backend, PreciseTime="15:00")
    t = tracker(slots={"record_id": rid}, text="forget it, just submit", intent="delete_draft", active_loop="recap_form")
    events, _ = run(ActionDeleteDraft(), t)
    assert _slots(events)["delete_ok"] == "submit"
    result, _ = validate(ValidateDeleteForm(), "delete_ok", "submit", tracker(slots={"record_id": rid}))
    assert result == {"delete_ok": "submit"} and rid in backend.records
    asyncio.run(backend.answer(PUBLIC, rid, [{"field": "PhysicalHarm", "patient": 1, "value": "5"}]))
    events, d = run(ActionAfterDelete(), tracker(slots={"record_id": rid, "delete_ok": "submit", "delete_return": "recap_form"}))
    assert backend.records[rid]["status"] == "submitted" and "PSE-2026-000001" in texts(d)[0]
    # At the recap, the words themselves submit.
    rid = _draft(backend, PreciseTime="15:00")
    result, _ = validate(ValidateRecapForm(), "recap_ok", "just submit it", tracker(slots={"record_id": rid}))
    assert result == {"recap_ok": "yes"} and rid in backend.records


def test_more_of_the_story_is_added_to_the_description_whatever_question_shows():
    backend = fake()
    rid = _draft(backend, PreciseTime="15:00")
    question = asyncio.run(backend.next_question(PUBLIC, rid))["question"]
    assert question["field"] == "PhysicalHarm"
    story = "she was left on the floor for an hour before anyone came to help her up"
    result, d = validate(ValidateReportForm(), "answer", story, tracker(slots={"record_id": rid, "question": question}))
    assert backend.records[rid]["answers"]["Description"] == f"a fall on the ward\n\n{story}"
    assert texts(d) == ["Thank you, I've added that to what happened."]
    assert result["question_synced"] is None  # the question is asked again


def test_a_greeting_and_a_request_to_report_is_not_the_description():
    backend = fake()
    result, d = validate(ValidateDescribeForm(), "description", "hi i need to report something about my mums care home",
                         tracker())
    opening = "i need to report something about my mums care home"  # the greeting goes, nothing is added
    assert result == {"description": None, "opening": opening} and backend.records == {}
    result, d = validate(ValidateDescribeForm(), "description", "she was left without her tablets for two days",
                         tracker(slots={"opening": opening}))
    rid = result["record_id"]
    assert backend.records[rid]["answers"]["Description"] == f"{opening}\n\nshe was left without her tablets for two days"
    result, d = validate(ValidateDescribeForm(), "description", "Hello, I want to report something", tracker())
    assert result == {"description": None, "opening": None}


def test_a_correction_says_what_changed_or_asks_for_the_new_wording():
    backend = fake()
    rid = _draft(backend, PreciseTime="15:00")
    t = tracker(slots={"record_id": rid}, text="the description is wrong", intent="correct", active_loop="recap_form")
    events, d = run(ActionCorrectAnswer(), t)
    assert backend.records[rid]["answers"]["Description"] == "a fall on the ward"  # unchanged
    assert _slots(events)["pending_field"] == {"field": "Description", "patient": None}
    assert texts(d) == ["What's missing from what happened? I'll add what you write to it."]
    result, d = validate(ValidateRecapForm(), "recap_ok", "she hit her head as well",
                         tracker(slots={"record_id": rid, "pending_field": {"field": "Description", "patient": None}}))
    assert backend.records[rid]["answers"]["Description"] == "a fall on the ward\n\nshe hit her head as well"
    assert result == {"recap_ok": None, "pending_field": None}
    # Unsure which answer: asks, changes nothing.
    before = dict(backend.records[rid]["answers"])
    events, d = run(ActionCorrectAnswer(), tracker(slots={"record_id": rid}, text="that's wrong", intent="correct"))
    assert backend.records[rid]["answers"] == before and texts(d)[0].startswith("What would you like to change?")
    # The time, changed: said with the old and the new value, after the save.
    events, d = run(ActionCorrectAnswer(), tracker(slots={"record_id": rid}, text="change the time to 4pm", intent="correct"))
    assert backend.records[rid]["answers"]["PreciseTime"] == "16:00"
    assert texts(d) == ["Thanks, I've changed precisetime from 15:00 to 16:00."]


def test_none_heard_as_stop_or_delete_is_the_answer_to_the_question_showing():
    from actions.digressions import ActionStopReport

    backend = fake()
    rid = _draft(backend, PreciseTime="15:00")
    question = asyncio.run(backend.next_question(PUBLIC, rid))["question"]
    for action, intent in ((ActionStopReport(), "stop"), (ActionDeleteDraft(), "delete_draft")):
        backend.records[rid]["answers"].pop("PhysicalHarm:1", None)
        t = tracker(slots={"record_id": rid, "question": question}, text="no physical harm", intent=intent,
                    active_loop="report_form")
        events, d = run(action, t)
        assert backend.records[rid]["answers"]["PhysicalHarm:1"] == "5"
        assert events[-1] == FollowupAction("report_form")


def test_taking_ages_gets_how_many_questions_are_left():
    backend = fake()
    rid = _draft(backend, PreciseTime="15:00")
    question = asyncio.run(backend.next_question(PUBLIC, rid))["question"]
    result, d = validate(ValidateReportForm(), "answer", "this is taking ages",
                         tracker(slots={"record_id": rid, "question": question}))
    assert result == {"answer": None} and "about 1 more question," in texts(d)[0]
    assert "PhysicalHarm:1" not in backend.records[rid]["answers"]


def test_a_question_at_check_your_answers_gets_an_answer_and_changes_nothing():
    backend = fake()
    rid = _draft(backend, PreciseTime="15:00")
    before = dict(backend.records[rid]["answers"])
    result, d = validate(ValidateRecapForm(), "recap_ok", "what does moderate harm mean here?",
                         tracker(slots={"record_id": rid}, text="what does moderate harm mean here?", intent="ask_help",
                                 active_loop="recap_form"))
    assert result == {"recap_ok": None}  # not submitted; the recap is asked again
    assert "Moderate: significant but not permanent harm." in texts(d)[0]
    assert "What would you like to change?" not in " ".join(texts(d))
    assert backend.records[rid]["answers"] == before and backend.records[rid]["status"] == "draft"


class _Listed(FakeBackend):
    """The fake backend with a few organisations, searched as the real endpoint searches (by substring)."""
    NAMES = {"P81774": "DR A LITTLER", "G81019": "BEACON SURGERY", "B81003": "BEACON MEDICAL"}

    async def search_codes(self, act_as: str, system: str, query: str, limit: int = 5) -> dict:
        hits = [{"code": c, "display": d} for c, d in self.NAMES.items() if query.casefold() in d.casefold()]
        return {"codes": hits[:limit]}


ORGANISATION = {"field": "Organisation", "type": "code", "multiple": False, "mandatory": False,
                "search": "/api/v1/taxonomy/code-systems/ods-codes?q=", "patient": None}


def test_a_name_only_inside_another_is_offered_to_confirm_never_stored_unasked():
    backend = _Listed()
    set_client(backend)
    rid = _draft(backend)
    t = tracker(slots={"record_id": rid, "question": ORGANISATION})
    result, d = validate(ValidateReportForm(), "answer", "a little", t)
    assert "Organisation" not in backend.records[rid]["answers"]  # nothing stored on a guess
    assert texts(d) == ["Do you mean Dr A Littler?"]
    offered = result["question"]
    # "no" keeps the reporter's own words, as a place the list does not know.
    result, d = validate(ValidateReportForm(), "answer", "no", tracker(slots={"record_id": rid, "question": offered}))
    answers = backend.records[rid]["answers"]
    assert answers.get("OrganisationOther") == "a little" and answers["Organisation"] == "SKIPPED"
    # "yes" takes it; "no, <another name>" searches again with the new words.
    rid = _draft(backend)
    validate(ValidateReportForm(), "answer", "yes that's them", tracker(slots={"record_id": rid, "question": offered}))
    assert backend.records[rid]["answers"]["Organisation"] == "P81774"
    rid = _draft(backend)
    validate(ValidateReportForm(), "answer", "no, beacon surgery", tracker(slots={"record_id": rid, "question": offered}))
    assert backend.records[rid]["answers"]["Organisation"] == "G81019"


def test_a_name_said_in_full_is_stored_at_once():
    backend = _Listed()
    set_client(backend)
    rid = _draft(backend)
    result, d = validate(ValidateReportForm(), "answer", "it was the beacon surgery",
                         tracker(slots={"record_id": rid, "question": ORGANISATION}))
    assert backend.records[rid]["answers"]["Organisation"] == "G81019"


class _ReadsElsewhere(FakeBackend):
    """The fake backend, reading "im his son" as the real interpreter does: who the reporter is."""

    async def interpret_reply(self, act_as: str, field: str | None, text: str, audience: str,
                              mandatory: bool = True) -> dict:
        if text == "im his son":
            return {"act": "elsewhere", "value": None, "confidence": 0.95, "approximate": False, "label": None,
                    "others": [{"field": "PreciseTime", "value": "10:00", "label": "10:00"}]}
        return await super().interpret_reply(act_as, field, text, audience, mandatory)


def test_a_reply_that_answers_another_question_is_saved_there_and_the_question_asked_again():
    backend = _ReadsElsewhere()
    set_client(backend)
    rid = _draft(backend)
    question = {**asyncio.run(backend.next_question(PUBLIC, rid))["question"], "field": "PhysicalHarm"}
    result, d = validate(ValidateReportForm(), "answer", "im his son", tracker(slots={"record_id": rid, "question": question}))
    answers = backend.records[rid]["answers"]
    assert answers.get("PreciseTime") == "10:00" and "PhysicalHarm:1" not in answers
    assert texts(d) == ["I've also noted: 10:00."] and result["question_synced"] is None  # asked again


def test_a_name_heard_as_stop_is_the_reply_to_the_question_but_words_of_stopping_still_stop():
    from actions.digressions import ActionStopReport

    backend = _Listed()
    set_client(backend)
    rid = _draft(backend)
    t = tracker(slots={"record_id": rid, "question": ORGANISATION}, text="its called rosewood house in harrogate",
                intent="stop", active_loop="report_form")
    events, d = run(ActionStopReport(), t)
    assert backend.records[rid]["answers"]["OrganisationOther"] == "rosewood house in harrogate"
    assert events[-1] == FollowupAction("report_form") and "kept" in texts(d)[0]
    t = tracker(slots={"record_id": rid, "question": ORGANISATION}, text="ok bye for now", intent="stop",
                active_loop="report_form")
    events, d = run(ActionStopReport(), t)
    assert events[0] == ActiveLoop(None) and "saved" in texts(d)[0]


def test_a_name_heard_as_out_of_scope_or_a_correction_is_searched():
    backend = _Listed()
    set_client(backend)
    for text, intent in (("the name is sunnyside lodge", "out_of_scope"), ("it was at sunnyside lodge", "correct")):
        rid = _draft(backend)
        t = tracker(slots={"record_id": rid, "question": ORGANISATION}, text=text, intent=intent)
        t.latest_message["intent"]["confidence"] = 1.0
        validate(ValidateReportForm(), "answer", text, t)
        assert backend.records[rid]["answers"]["OrganisationOther"] == "sunnyside lodge", text


def test_at_a_list_of_names_other_words_search_again_and_an_ordinal_picks():
    backend = _Listed()
    set_client(backend)
    offered = {**ORGANISATION, "candidates": [{"code": "G81019", "label": "Beacon Surgery"},
                                              {"code": "B81003", "label": "Beacon Medical"}], "searched": "beacon"}
    rid = _draft(backend)
    validate(ValidateReportForm(), "answer", "the second one", tracker(slots={"record_id": rid, "question": offered}))
    assert backend.records[rid]["answers"]["Organisation"] == "B81003"
    rid = _draft(backend)
    validate(ValidateReportForm(), "answer", "it was beacon hospital in leeds",
             tracker(slots={"record_id": rid, "question": offered}))
    assert backend.records[rid]["answers"]["OrganisationOther"] == "beacon hospital in leeds"  # the new words, kept
    rid = _draft(backend)
    validate(ValidateReportForm(), "answer", "none of those", tracker(slots={"record_id": rid, "question": offered}))
    assert backend.records[rid]["answers"]["OrganisationOther"] == "beacon"


def test_an_unclear_answer_using_a_choices_words_is_not_called_off_topic():
    backend = fake()
    rid = _draft(backend, PreciseTime="15:00")
    question = {"field": "Process", "type": "code", "multiple": False, "mandatory": True, "patient": None,
                "choices": [{"code": "3", "label": "Assessment, testing or screening"},
                            {"code": "7", "label": "Evaluation, review, monitoring or follow-up"}]}
    t = tracker(slots={"record_id": rid, "question": question}, text="results review - follow up of test results",
                intent="out_of_scope")
    result, d = validate(ValidateReportForm(), "answer", "results review - follow up of test results", t)
    assert "only help" not in " ".join(texts(d))  # not sent away: kept with what happened, and asked again
    assert result["question_synced"] is None
