"""What Rasa's tracker store keeps has personal identifiers removed (issue 16): the real in-memory and
SQL stores of Rasa 3.6, through the subclasses endpoints.yml names."""

from __future__ import annotations

import asyncio
import json

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.redacting_tracker_store import RedactingInMemoryTrackerStore, RedactingSQLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [describe]
slots:
  description: {type: text, influence_conversation: false, mappings: [{type: custom}]}
""")
SAID = "My mum (NHS 943 476 5919, DOB 12/03/1956) was given the wrong tablets, call 07700 900123"
IDENTIFIERS = ("943 476 5919", "12/03/1956", "07700 900123", "9434765919")


def conversation(sender: str = "sms-0123456789abcdef") -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update_with_events([
        ActionExecuted("action_listen"),
        UserUttered(SAID, intent={"name": "describe", "confidence": 0.9},
                    entities=[{"entity": "nhs", "value": "943 476 5919", "start": 13, "end": 25}],
                    parse_data={"text": SAID, "intent": {"name": "describe", "confidence": 0.9}, "entities": [
                        {"entity": "nhs", "value": "943 476 5919", "start": 13, "end": 25}]}),
        SlotSet("description", SAID),
        BotUttered(f"I heard: {SAID}. Is that right?"),
    ], DOMAIN)
    return tracker


def test_the_in_memory_store_keeps_no_identifier():
    store = RedactingInMemoryTrackerStore(DOMAIN)
    asyncio.run(store.save(conversation()))
    kept = store.store["sms-0123456789abcdef"]
    assert not any(i in kept for i in IDENTIFIERS)
    back = asyncio.run(store.retrieve("sms-0123456789abcdef"))
    assert back.get_slot("description").startswith("My mum (NHS [NHS number removed], DOB [date of birth removed])")
    assert "[phone number removed]" in back.latest_message.text


def test_the_sql_store_keeps_no_identifier_and_appends_only_new_events(tmp_path):
    path = tmp_path / "tracker.db"
    store = RedactingSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    tracker = conversation()
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("and my postcode is SW1A 1AA"), DOMAIN)
    asyncio.run(store.save(tracker))
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        rows = [json.loads(r[0]) for r in conn.execute(sa.text("SELECT data FROM events ORDER BY id"))]
    assert len(rows) == len(tracker.events)  # each event stored once, none lost
    stored = json.dumps(rows)
    assert not any(i in stored for i in (*IDENTIFIERS, "SW1A 1AA"))
    assert rows[-1]["text"] == "and my postcode is [postcode removed]"


def test_the_endpoints_files_load_the_redacting_stores(tmp_path, monkeypatch):
    """Rasa falls back to an in-memory store, with only a warning, when a tracker store's class cannot be
    imported: load both endpoints files as the server does and check the class it made."""
    from rasa.core.tracker_store import create_tracker_store
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "a test token for the action server")
    dev = create_tracker_store(read_endpoint_config("endpoints.yml", "tracker_store"), DOMAIN)
    assert type(dev.inner if hasattr(dev, "inner") else dev).__name__ == "RedactingInMemoryTrackerStore"
    for name in ("TRACKER_DB_HOST", "TRACKER_DB_PORT", "TRACKER_DB_NAME", "TRACKER_DB_USER", "TRACKER_DB_PASSWORD",
                 "TRACKER_DB_LOGIN_DB", "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD"):
        monkeypatch.setenv(name, "x")
    production = read_endpoint_config("endpoints.production.yml", "tracker_store")
    assert production.type == "channels.redacting_tracker_store.RedactingSQLTrackerStore"
    from rasa.shared.utils.common import class_from_module_path

    assert class_from_module_path(production.type) is RedactingSQLTrackerStore


CODE_DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [describe]
slots:
  resume_code: {type: text, influence_conversation: false, mappings: [{type: custom}]}
""")


def coded_call(sender: str = "CA" + "1" * 32) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, CODE_DOMAIN.slots)
    tracker.update_with_events([
        ActionExecuted("action_listen"),
        UserUttered("my code is 1234 5678 9012", intent={"name": "describe", "confidence": 0.9}),
        SlotSet("resume_code", "123456789012"),
        BotUttered("If we get cut off, key in your draft code: 1 2 3 4, 5 6 7 8, 9 0 1 2."),
    ], CODE_DOMAIN)
    return tracker


def test_a_draft_code_is_never_stored_in_clear_but_can_still_be_repeated(tmp_path, monkeypatch):
    """The resume_code slot and the spoken code were in the tracker in plain text (issue 16)."""
    monkeypatch.setenv("CONVERSATION_KEY_SECRET", "unit-test-conversation-secret")
    path = tmp_path / "tracker.db"
    sql = RedactingSQLTrackerStore(CODE_DOMAIN, dialect="sqlite", db=str(path))
    memory = RedactingInMemoryTrackerStore(CODE_DOMAIN)
    for store in (sql, memory):
        asyncio.run(store.save(coded_call()))
        back = asyncio.run(store.retrieve("CA" + "1" * 32))
        assert back.get_slot("resume_code") == "123456789012"  # the channel repeats it as the call ends
        assert "[draft code removed]" in back.latest_message.text
        asyncio.run(store.save(back))  # saved again: still not in clear, and not encrypted twice
        assert asyncio.run(store.retrieve("CA" + "1" * 32)).get_slot("resume_code") == "123456789012"
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        stored = " ".join(r[0] for r in conn.execute(sa.text("SELECT data FROM events")))
    kept = memory.store["CA" + "1" * 32]
    for text in (stored, kept):
        assert "123456789012" not in text and "1234 5678 9012" not in text and "1 2 3 4, 5 6 7 8" not in text


def test_the_systems_own_ids_are_never_redacted():
    # A record's UUID may hold digit runs that read as a draft code or a phone number across its hyphens
    # (seen in CI: "3e386a…" became "3e386a[draft code removed]…" and the draft was lost to the chat).
    from channels.redacting_tracker_store import redact_event

    record_id = "3e386a12-3456-7890-12d2-8b5c48b0a78d"
    assert redact_event({"event": "slot", "name": "record_id", "value": record_id})["value"] == record_id
    assert redact_event({"event": "slot", "name": "account_id", "value": "07700900123"})["value"] == "07700900123"
    said = redact_event({"event": "slot", "name": "answer", "value": "call me on 07700 900123"})["value"]
    assert "07700" not in said  # a reporter's words are still redacted


def test_the_structured_message_of_a_reply_is_redacted_like_its_text():
    # The reporter's words travel as parameters and rows of the structured message (wording/message.py)
    # as well as in the text: neither may keep an identifier, nor a draft code.
    from wording.message import KEY, message
    said = message("recap", "public", lines=[{"name": "What happened", "value": SAID}])
    coded = message("code_given", "public", params={"code": "123456789012"})
    tracker = conversation()
    tracker.update_with_events([BotUttered("Please check", {"custom": {KEY: said}}),
                                BotUttered("I've saved that", {"custom": {KEY: coded}})], DOMAIN)
    store = RedactingInMemoryTrackerStore(DOMAIN)
    asyncio.run(store.save(tracker))
    kept = store.store["sms-0123456789abcdef"]
    assert not any(i in kept for i in IDENTIFIERS) and "123456789012" not in kept
    back = asyncio.run(store.retrieve("sms-0123456789abcdef"))
    recap = [e for e in back.events if isinstance(e, BotUttered)][-2].data["custom"][KEY]
    assert recap["id"] == "recap" and "[NHS number removed]" in recap["lines"][0]["value"]
