"""The Rasa speed fixes (channels/rasa_speedups.py) keep Rasa's behaviour: the same validation of
action server replies, the same event classes, the slots and the form's slot candidates still reach
the action server, and one HTTP session per endpoint and event loop. They are applied only when
asked, only to the Rasa they were written for, each can be switched off, and a patch that no longer
fits fails start-up loudly (issue 15)."""

from __future__ import annotations

import asyncio

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from channels import rasa_speedups

rasa_speedups.apply()  # as the channels do when Rasa builds them from credentials.yml


def test_action_replies_are_still_validated():
    action = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:9/webhook"))
    assert action._validate_action_result({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot", "name": 3}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list"})


def test_event_classes_are_the_ones_rasa_finds():
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is rasa_speedups._resolve_event_type(cls.type_name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no such event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no such event")


def test_the_action_server_gets_slots_and_the_events_since_the_latest_message():
    tracker = DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_listen"), UserUttered("first", {"name": "greet", "confidence": 1.0}),
        SlotSet("record_id", "r1"), ActionExecuted("action_listen"),
        UserUttered("second", {"name": "inform", "confidence": 1.0}), SlotSet("answer", "second"),
    ])
    domain = Domain.from_dict({"slots": {"record_id": {"type": "any", "mappings": [{"type": "custom"}]},
                                         "answer": {"type": "any", "mappings": [{"type": "custom"}]}}})
    body = RemoteAction("validate_report_form", EndpointConfig("http://x"))._action_call_format(tracker, domain)
    state = body["tracker"]
    assert state["slots"]["record_id"] == "r1" and state["slots"]["answer"] == "second"
    assert [e["event"] for e in state["events"]] == ["user", "slot"]
    assert state["events"][0]["text"] == "second" and state["latest_message"]["text"] == "second"
    assert body["next_action"] == "validate_report_form" and "domain" in body


def test_one_session_per_endpoint_and_event_loop():
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook", headers={"X-Test": "1"})

    async def twice():
        async with endpoint.session() as first:
            pass
        async with endpoint.session() as second:
            pass
        assert first is second and not first.closed and first.headers["X-Test"] == "1"
        await first.close()
        async with endpoint.session() as third:  # a closed one is replaced
            assert third is not first
        await third.close()

    asyncio.run(twice())


def test_a_short_text_is_parsed_once_per_model_and_each_caller_gets_its_own_copy(monkeypatch):
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor

    calls: list[str] = []

    def graph(self, message, tracker, only_output_properties=True):
        calls.append(message.text)
        return {"text": message.text, "intent": {"name": "skip", "confidence": 0.99}, "entities": []}

    class Metadata:
        def __init__(self, model_id: str) -> None:
            self.model_id = model_id

    monkeypatch.setattr(rasa_speedups, "_parse_with_graph", graph)
    monkeypatch.setattr(rasa_speedups, "_parsed", type(rasa_speedups._parsed)())
    monkeypatch.setattr(rasa_speedups, "NLU_CACHE_SIZE", 2)
    processor = MessageProcessor.__new__(MessageProcessor)
    processor.model_metadata = Metadata("model-1")

    def parse(text: str) -> dict:
        return MessageProcessor._parse_message_with_graph(processor, UserMessage(text), None)

    first = parse("skip")
    first["entities"].append("changed by a caller")
    assert parse("skip") == {"text": "skip", "intent": {"name": "skip", "confidence": 0.99}, "entities": []}
    assert calls == ["skip"]
    long = "a description longer than forty characters is always parsed"
    parse(long), parse(long)
    assert calls == ["skip", long, long]
    processor.model_metadata = Metadata("model-2")  # a new model parses again
    parse("skip")
    assert calls[-1] == "skip" and len(calls) == 4
    parse("yes"), parse("no"), parse("skip")  # least recently used out first: only two are kept
    assert calls[-3:] == ["yes", "no", "skip"]


def test_importing_the_channels_changes_nothing_in_rasa():
    import subprocess
    import sys

    probe = ("import channels, channels.rest, channels.webchat, channels.teams; "
             "from rasa.core.actions.action import RemoteAction; from channels import rasa_speedups as s; "
             "print(RemoteAction._validate_action_result is s._validate_action_result)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr[-2000:]


def test_an_unsupported_rasa_fails_loudly_and_all_can_be_switched_off():
    rasa_speedups.revert()
    rasa_own = RemoteAction._validate_action_result
    try:
        with pytest.raises(rasa_speedups.PatchDoesNotApply, match="Rasa 3.7.0 is not a version"):
            rasa_speedups.apply(version="3.7.0", env={})
        assert RemoteAction._validate_action_result is rasa_own  # nothing was changed
        assert rasa_speedups.apply(version="3.7.0", env={"RASA_SPEEDUPS_OFF": "all"}) == []
    finally:
        rasa_speedups.apply(env={})


def test_each_patch_has_a_switch():
    from rasa.core.processor import MessageProcessor

    rasa_speedups.revert()
    rasa_own = MessageProcessor._parse_message_with_graph
    try:
        applied = rasa_speedups.apply(env={"RASA_SPEEDUPS_OFF": "nlu_cache, endpoint_session"})
        assert set(applied) == {"action_result_validator", "event_class_cache", "action_call_events"}
        assert MessageProcessor._parse_message_with_graph is rasa_own
        assert EndpointConfig.session is not rasa_speedups._session
        with pytest.raises(rasa_speedups.PatchDoesNotApply, match="no such patch"):
            rasa_speedups.apply(env={"RASA_SPEEDUPS_OFF": "nlu_cahce"})
    finally:
        rasa_speedups.revert()
        rasa_speedups.apply(env={})
    assert MessageProcessor._parse_message_with_graph is rasa_speedups._parse_message_with_graph


def test_a_changed_rasa_function_fails_loudly(monkeypatch):
    rasa_speedups.revert()
    try:
        def changed(self, result, extra):  # as if an upgrade had changed it
            return True

        monkeypatch.setattr(RemoteAction, "_validate_action_result", changed)
        with pytest.raises(rasa_speedups.PatchDoesNotApply, match="action_result_validator.*RASA_SPEEDUPS_OFF"):
            rasa_speedups.apply(env={})
        assert RemoteAction._validate_action_result is changed  # all or nothing: nothing applied
        assert not rasa_speedups._originals
    finally:
        monkeypatch.undo()
        rasa_speedups.apply(env={})
