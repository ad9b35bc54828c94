"""End to end in production mode (issue 6), as `make run-production` runs the system: the backend
with ENVIRONMENT=production on PostgreSQL, Rasa with endpoints.production.yml (conversations in a
PostgreSQL tracker store, per-conversation locks in Redis), and a second Rasa server sharing both
stores, so a conversation can move from one server to the other between turns (scale-out).

The stores are throwaway: a PostgreSQL cluster (tests/support/postgres.py) and a redis-server
(tests/support/redis.py) of the tests' own; `make test` installs both programs as root."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.production import production_system, staff_token
from tests.e2e.reporter import TURNS, Reporter
from tests.e2e.system import BACKEND_PY, LOCK_DB, ROOT, System, http


@pytest.fixture(scope="module")
def prod(tmp_path_factory, request):
    # A second Rasa server on the same tracker and lock stores.
    with production_system(tmp_path_factory.mktemp("e2e-production"), request, "rasa_b") as sysm:
        yield sysm


@pytest.fixture(scope="module")
def prod_staff_token(prod) -> str:
    return staff_token(prod)


@dataclass
class RoundRobinReporter(Reporter):
    """A reporter whose turns go to each Rasa server in turn: A, B, A, B, ..."""

    webhooks: tuple[str, ...] = ()

    def say(self, message: str) -> list[dict]:
        body: dict[str, Any] = {"sender": self.sender, "message": message}
        if self.staff_token:
            body["staff_token"] = self.staff_token
        url = self.webhooks[self.turns % len(self.webhooks)] if self.webhooks else self.system.webhook
        status, replies = http("POST", url, body, {"Authorization": f"Bearer {self.system.rest_token}"})
        assert status == 200, replies
        self.turns += 1
        self.transcript.append((message, replies))
        return replies


def _act(reporter: Reporter) -> dict:
    if reporter.staff_token:
        status, me = http("GET", f"{reporter.system.backend}/api/v1/me",
                          headers={"Authorization": f"Bearer {reporter.staff_token}"})
        assert status == 200, me
        return {"account_id": me["id"]}
    return {"public_key": f"rest:{reporter.sender}"}


def complete_report(reporter: Reporter, first: str, replies: dict[str, str],
                    around_first_turn: Any = None) -> dict:
    """From the first message to the reference number; the record as the backend has it."""
    act = _act(reporter)
    with around_first_turn or contextlib.nullcontext():
        out = reporter.text(reporter.say(first))
    if "understood" in out:
        reporter.say("yes")
    drafts = reporter.backend("GET", "/records?status=draft", **act)["items"]
    assert drafts, reporter.transcript
    record_id = drafts[0]["id"]
    recap = reporter.text(reporter.answer_questions(record_id, act, replies))
    assert "check" in recap.lower(), recap
    done = reporter.text(reporter.say("yes"))
    assert "PSE-" in done, done
    record = reporter.backend("GET", f"/records/{record_id}", **act)
    assert record["status"] == "submitted" and record["reference"] in done
    return record


def tracker_events(system: System, sender: str) -> list[dict]:
    """Rasa's tracker for a conversation, read straight from its PostgreSQL database."""
    engine = create_engine(system.tracker_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT type_name, action_name, intent_name, data FROM events "
                                     "WHERE sender_id = :s ORDER BY id"), {"s": sender}).mappings().all()
        return [dict(r) for r in rows]
    finally:
        engine.dispose()


def test_production_settings_refuse_to_start_without_secrets(prod):
    env = {k: v for k, v in prod.env().items() if k not in ("SECRET_KEY", "SERVICE_TOKEN")}
    run = subprocess.run([str(BACKEND_PY), "-m", "backend.cli", "migrate"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "SECRET_KEY must be set in production" in run.stderr, run.stderr[-2000:]


def test_public_report_with_the_tracker_in_postgres_and_the_lock_in_redis(prod):
    public = Reporter(prod, "public-production-report")
    first = ("My dad had a hip operation at the hospital last week and then got a bad infection, "
             "we don't know if it was anyone's fault")
    redis_commands = prod.redis.monitor()
    record = complete_report(public, first, {
        "EventType": "2", "IncidentOccurredToday": "no", "ApproximateDate": "last week",
        "ServiceArea": "Hospital care", "LocationWithinService": "Hospital", "PhysicalHarm:1": "Needed more treatment",
        "PsychologicalHarm:1": "A little", "StrengthOfAssociation:1": "It might have", "ReporterType": "2",
        "IsAnonymous": "yes", "DataSharingOptOut": "yes",
    }, around_first_turn=redis_commands)
    assert record["event_type"] == "poor_outcome" and record["audience"] == "public"
    assert record["answers"]["fields"]["Description"] == first
    # moderate physical harm: read from the whole story (a bad infection after an operation), confirmed
    assert record["answers"]["patients"] == [{"PhysicalHarm": "3", "PsychologicalHarm": "3", "StrengthOfAssociation": "4"}]

    # Rasa took this conversation's lock in Redis for the first turn (a ticket in its queue, from our
    # atomic lock store), and let it go afterwards.
    lock_key = f"lfpse:lock:{{{public.sender}}}:queue"
    seen = [line.upper() for line in redis_commands.commands_on(lock_key)]
    assert any('"ZADD"' in line for line in seen) and any('"ZREM"' in line for line in seen), redis_commands.lines[-20:]
    client = prod.redis.client(LOCK_DB)
    try:
        assert client.command("EXISTS", lock_key) == 0
    finally:
        client.close()

    # Every turn of the conversation is in Rasa's tracker database in PostgreSQL.
    events = tracker_events(prod, public.sender)
    said = [json.loads(e["data"])["text"] for e in events if e["type_name"] == "user"]
    assert said == [message for message, _ in public.transcript]
    assert events[-1]["action_name"] == "action_listen"
    TURNS["production: public poor outcome"] = public.turns


def test_staff_report_moves_between_two_rasa_servers_every_turn(prod, prod_staff_token):
    """Turn 1 on server A, turn 2 on server B, and so on: each server carries on the conversation the
    other one left, because both read and write it in PostgreSQL under the lock in Redis."""
    staff = RoundRobinReporter(prod, "staff-production-two-servers", staff_token=prod_staff_token,
                               webhooks=(prod.webhook_of("rasa"), prod.webhook_of("rasa_b")))
    first = "yesterday 3pm on ward 7 a patient got 10 units of insulin instead of 1, needed glucose, fine now"
    record = complete_report(staff, first, {
        "Organisation": "Beacon Surgery", "ServiceArea": "1", "DrugInvolvementFactors": "1", "DrugUsedTooMuch": "1",
        "Process": "6", "SafetyChallenges": "None of the above", "PatientCount": "1", "PsychologicalHarm:1": "1",
        "ReporterRole": "Nurse or midwife", "IsAnonymous": "no", "DataSharingOptOut": "yes",
    })
    assert staff.turns >= 4
    assert record["event_type"] == "incident" and record["audience"] == "staff" and record["channel"] == "chat"
    fields = record["answers"]["fields"]
    assert fields["Description"] == first and fields["DrugsInvolved"] == ["insulin"]
    assert fields["Organisation"] == ["G81019"] and fields["PreciseTime"] == "15:00"
    assert record["answers"]["patients"] == [{"PhysicalHarm": "4", "PsychologicalHarm": "4"}]
    # The REST channel keys a staff conversation on the account too (staff:<account>:<sender>, issue 15).
    conversation = f"staff:{_act(staff)['account_id']}:{staff.sender}"
    said = [json.loads(e["data"])["text"] for e in tracker_events(prod, conversation) if e["type_name"] == "user"]
    assert said == [message for message, _ in staff.transcript]
    TURNS["production: staff incident over two Rasa servers"] = staff.turns


def test_a_second_message_on_the_other_server_waits_for_the_first(prod):
    """While server A is still answering a conversation's first message, its second message reaches
    server B: B finds the conversation's lock held in Redis, queues behind it (the second ticket),
    and answers only once A's turn is in PostgreSQL, so B reads "yes" as the answer to the question
    A just asked.

    (Two messages arriving within the same millisecond are covered too: our lock store takes tickets
    atomically, tests/bot/test_redis_lock_store.py.)"""
    sender = "public-production-overlapping"
    lock_key = f"lfpse:lock:{{{sender}}}:queue"
    auth = {"Authorization": f"Bearer {prod.rest_token}"}
    first = "a patient fell on the ward today and hurt her wrist"
    answers: dict[str, tuple[int, Any]] = {}

    def send(name: str, message: str) -> None:
        answers[name] = http("POST", prod.webhook_of(name), {"sender": sender, "message": message}, auth)

    watcher = prod.redis.client(LOCK_DB)
    try:
        with prod.redis.monitor() as redis_commands:
            on_a = threading.Thread(target=send, args=("rasa", first))
            on_a.start()
            deadline = time.monotonic() + 60
            while not watcher.command("EXISTS", lock_key) and on_a.is_alive() and time.monotonic() < deadline:
                time.sleep(0.002)
            assert on_a.is_alive(), "server A answered before its lock was seen; the turn is too quick to overlap"
            send("rasa_b", "yes")  # A still holds the lock
            on_a.join(timeout=120)
        assert watcher.command("EXISTS", lock_key) == 0
    finally:
        watcher.close()

    status_a, replies_a = answers["rasa"]
    status_b, replies_b = answers["rasa_b"]
    assert status_a == 200 and "understood" in Reporter.text(replies_a), replies_a
    assert status_b == 200 and replies_b and "understood" not in Reporter.text(replies_b), replies_b
    # B queued behind A: it put a second ticket in the queue while A's was still in it.
    assert any(re.search(r'"ZADD" "[^"]*:queue" "2"', line) for line in redis_commands.commands_on(lock_key)), \
        redis_commands.lines[-20:]
    events = tracker_events(prod, sender)
    turns = [json.loads(e["data"])["text"] if e["type_name"] == "user" else e["action_name"] for e in events
             if e["type_name"] == "user" or e["action_name"] == "action_listen"]
    assert turns[-4:] == [first, "action_listen", "yes", "action_listen"], turns
    record = prod.api("/records?status=draft", f"public:rest:{sender}")["items"]
    assert len(record) == 1  # the draft A's turn described, confirmed by B's
