"""A group of questions asked as one (the plan's groups), with the real action code against the real
backend (uvicorn on SQLite, started here on a free port): one reply fills each field it settles, and
what it leaves unclear is asked alone next."""

from __future__ import annotations

import asyncio
import time
import urllib.request

import pytest

from actions.backend_client import BackendClient, set_client
from actions.report_form import ActionAskAnswer, ValidateReportForm
from tests.bot.helpers import run, said, texts, tracker, validate
from tests.e2e.system import BACKEND_PY, System

PUBLIC = "public:rest:conv-groups"


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    system = System(tmp_path_factory.mktemp("groups"))
    system._start("backend", str(BACKEND_PY), "-m", "backend.cli", "serve", "--port", str(system.backend_port))
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{system.backend}/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or system.procs["backend"].poll() is not None:
                    raise RuntimeError((system.tmp / "backend.log").read_text()) from None
                time.sleep(0.5)
        yield system
    finally:
        system.stop()


def _client(system: System) -> BackendClient:
    """A new client per step: each step runs in its own event loop (asyncio.run)."""
    client = BackendClient(system.backend, token=system.service_token, backoff=0)
    set_client(client)
    return client


def _draft_at_harm(system: System, sender: str) -> tuple[str, dict]:
    """A public incident answered up to the harm: the record and the question the assistant asks."""
    who = f"public:rest:{sender}"
    created = asyncio.run(_client(system).create_record(who, "chat", "incident", answers=[
        {"field": "Description", "value": "My mother fell in the bathroom of the care home"},
        {"field": "IncidentOccurredToday", "value": "y"}, {"field": "Organisation", "skip": True},
        {"field": "ServiceArea", "value": ["12"]}, {"field": "LocationWithinService", "value": "11"},
        {"field": "InvolvedAgents", "value": ["10"]}]))
    rid = created["record"]["id"]
    question = asyncio.run(_client(system).next_question(who, rid))["question"]
    return rid, question


def _harm(system: System, sender: str, rid: str) -> dict:
    record = asyncio.run(_client(system).record(f"public:rest:{sender}", rid))
    return record["answers"]["patients"][0] if record["answers"]["patients"] else {}


def test_the_harm_is_asked_once_for_body_and_mind_and_worded_per_medium(backend):
    rid, question = _draft_at_harm(backend, "conv-g1")
    assert question["group"]["id"] == "Harm" and question["field"] == "PhysicalHarm"
    _client(backend)
    events, d = run(ActionAskAnswer(), tracker(slots={"record_id": rid, "question": question,
                                                      "question_synced": True}, sender="conv-g1"))
    assert texts(d) == ["How badly were you, or the person, hurt or upset? You can answer both, "
                        "like 'a little hurt, not upset'."]
    assert d.messages[0]["buttons"] == [{"title": "Not hurt or upset", "payload": "Not hurt or upset"}]
    sms = said(d, "sms")[0]
    assert sms.endswith("Reply 1 for Not hurt or upset.") and len(sms) <= 160


def test_one_reply_fills_both_harms(backend):
    rid, question = _draft_at_harm(backend, "conv-g2")
    _client(backend)
    result, d = validate(ValidateReportForm(), "answer", "not hurt, not upset",
                         tracker(slots={"record_id": rid, "question": question}, sender="conv-g2"))
    assert _harm(backend, "conv-g2", rid) == {"PhysicalHarm": "5", "PsychologicalHarm": "4"}
    assert result["question"]["field"] not in ("PhysicalHarm", "PsychologicalHarm") and texts(d) == []


def test_what_the_reply_leaves_unclear_is_asked_alone(backend):
    rid, question = _draft_at_harm(backend, "conv-g3")
    _client(backend)
    result, d = validate(ValidateReportForm(), "answer", "some bruising, she was upset",
                         tracker(slots={"record_id": rid, "question": question}, sender="conv-g3"))
    assert _harm(backend, "conv-g3", rid) == {"PhysicalHarm": "4"}  # bruising: low; how upset is not said
    assert texts(d) == ["I've noted: A little (low harm)."]
    nxt = result["question"]
    assert nxt["field"] == "PsychologicalHarm" and nxt.get("group") is None
    assert nxt["text"] == "How much has it upset or worried you, or the person?"
    _client(backend)
    validate(ValidateReportForm(), "answer", "quite a lot", tracker(slots={"record_id": rid, "question": nxt},
                                                                   sender="conv-g3"))
    assert _harm(backend, "conv-g3", rid) == {"PhysicalHarm": "4", "PsychologicalHarm": "2"}


def test_a_reply_that_answers_nothing_of_the_group_is_handled_as_before(backend):
    rid, question = _draft_at_harm(backend, "conv-g4")
    _client(backend)
    result, d = validate(ValidateReportForm(), "answer", "what does that mean",
                         tracker(slots={"record_id": rid, "question": question}, sender="conv-g4", intent="ask_help"))
    assert _harm(backend, "conv-g4", rid) == {} and result["answer"] is None
    assert "Low means a little extra care was needed" in " ".join(texts(d))


def test_a_reply_the_nlu_took_for_stop_that_answers_the_group_is_saved(backend):
    """'none' to the harm question reads as stop to the NLU: it answers both harms, and the questions go on."""
    from rasa_sdk.events import FollowupAction
    from rasa_sdk.executor import CollectingDispatcher

    from actions.report_form import answer_if_it_is_one

    rid, question = _draft_at_harm(backend, "conv-g5")
    _client(backend)
    t = tracker(slots={"record_id": rid, "question": question}, text="none", intent="stop", active_loop="report_form",
                sender="conv-g5")
    events = asyncio.run(answer_if_it_is_one(CollectingDispatcher(), t))
    assert events is not None and events[-1] == FollowupAction("report_form")
    assert _harm(backend, "conv-g5", rid) == {"PhysicalHarm": "5", "PsychologicalHarm": "4"}
