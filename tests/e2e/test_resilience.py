"""Resilience (issue 6): each process of the production-mode system (System(production=True): Rasa
with its tracker in PostgreSQL and its locks in Redis, the action server, the backend) is killed with
SIGKILL while several reporters, members of the public and of staff, are in the middle of their
reports, and started again.

Each reporter behaves as a person on a channel would: when a message fails (the connection drops or
is refused) or the assistant says it could not deal with it, they wait a moment and send the same
message again. For every answer the reporter records the question it answered and whether the
assistant moved on (asked something else, or showed the check-your-answers summary) without an
apology: that is what the reporter was told was saved. After every turn, and so after every kill and
restart, each of those answers must be in the backend draft; every report is then submitted and has
a reference number. No reply may ever be empty: silence is the one thing a reporter cannot act on.

What each kill does (see docs/deployment.md, "When a process dies"):
- Rasa: the turn in progress is lost (the tracker is written at the end of a turn) and the caller's
  connection drops; after the restart the resent message is processed against the tracker as it was,
  waiting first for the dead server's ticket in the conversation's Redis lock to expire (60 s after
  it was issued). An answer the action server had already saved is saved again: answers are idempotent.
- the action server: Rasa cannot run the form, says nothing, and the channel answers with
  channels/no_reply.py's apology instead of silence.
- the backend: the action server retries (about 2 s), then the assistant says messages.BACKEND_DOWN."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.production import production_system, staff_token
from tests.e2e.reporter import default_reply, shown_question
from tests.e2e.system import System, http

# What the assistant says when it could not deal with a message (actions/messages.py BACKEND_DOWN,
# channels/no_reply.py NO_REPLY): the reporter sends the message again.
BACKEND_DOWN = "Sorry, I couldn't save that just now."
NO_REPLY = "Sorry, something went wrong on my side."
SEND_AGAIN = (BACKEND_DOWN, NO_REPLY)

DEADLINE = 420  # seconds a reporter may take for one report, restarts and lock expiry included

PUBLIC_FIRST = ("My dad had a hip operation at the hospital last week and then got a bad infection, "
                "we don't know if it was anyone's fault. He was in bed {n}.")
PUBLIC_REPLIES = {
    "EventType": "2", "IncidentOccurredToday": "no", "ApproximateDate": "last week",
    "ServiceArea": "Hospital care", "LocationWithinService": "Hospital", "PhysicalHarm:1": "Needed more treatment",
    "PsychologicalHarm:1": "A little", "StrengthOfAssociation:1": "It might have", "ReporterType": "2",
    "IsAnonymous": "yes", "DataSharingOptOut": "yes",
}
STAFF_FIRST = "yesterday 3pm on ward {n} a patient got 10 units of insulin instead of 1, needed glucose, fine now"
STAFF_REPLIES = {
    "Organisation": "Beacon Surgery", "ServiceArea": "1", "DrugInvolvementFactors": "1", "DrugUsedTooMuch": "1",
    "Process": "6", "SafetyChallenges": "None of the above", "PatientCount": "1", "PsychologicalHarm:1": "1",
    "ReporterRole": "Nurse or midwife", "IsAnonymous": "no", "DataSharingOptOut": "yes",
}


@pytest.fixture(scope="module")
def prod(tmp_path_factory, request):
    with production_system(tmp_path_factory.mktemp("e2e-resilience"), request) as sysm:
        yield sysm


def wait_for(what: str, call: Any, timeout: float = DEADLINE) -> Any:
    """The test's own look-ups (the backend, Rasa's tracker) wait while a process is being restarted."""
    end = time.monotonic() + timeout
    while True:
        try:
            return call()
        except LostAnswers:
            raise
        except (OSError, AssertionError):
            if time.monotonic() > end:
                raise TimeoutError(f"{what}: no answer for {timeout} s") from None
            time.sleep(0.5)


def record_of(system: System, sender: str) -> str | None:
    """The draft a conversation is filling in: its record_id slot, from Rasa's tracker in PostgreSQL."""
    engine = create_engine(system.tracker_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'slot' "
                                     "ORDER BY id"), {"s": sender}).scalars().all()
    finally:
        engine.dispose()
    ids = [json.loads(row)["value"] for row in rows if json.loads(row).get("name") == "record_id"]
    return next((i for i in reversed(ids) if i), None)


def answered(record: dict, key: str) -> bool:
    """Whether a draft holds an answer (or a skip) for a question key: Field, or Field:patient."""
    answers = record["answers"]
    if key in answers.get("skipped", []):
        return True
    name, _, patient = key.partition(":")
    if not patient:
        return answers["fields"].get(name) is not None
    patients = answers.get("patients", [])
    return int(patient) <= len(patients) and patients[int(patient) - 1].get(name) is not None


@dataclass
class Turn:
    key: str  # the question answered ("Description", "confirm", a field key) or "submit"
    message: str
    attempts: list[str] = field(default_factory=list)  # what each sending got: "ok", an error, "empty", an apology
    replies: list[dict] = field(default_factory=list)  # the reply that was finally answered
    told_saved: bool = False


@dataclass
class ResilientReporter:
    """A reporter who sends their last message again when it fails, and keeps a log of what they were
    told (see the module docstring)."""

    system: System
    sender: str
    first: str
    replies: dict[str, str]
    staff_token: str | None = None
    account_id: int | None = None
    turns: list[Turn] = field(default_factory=list)
    answers_told_saved: int = 0  # plan questions the assistant moved on from
    reference: str | None = None
    record_id: str | None = None
    error: BaseException | None = None
    saved_keys: list[str] = field(default_factory=list)
    shown_event_type: bool = False
    plan: list[dict] | None = None  # the questions of the report's event type, once it is known
    # Set by run_and_kill: once mid-report, the reporter waits here until the process has been killed, so a
    # short report (a staff incident takes five turns) cannot finish before the others are under way.
    hold: threading.Event | None = None
    paused: bool = False

    @property
    def act_as(self) -> str:
        return f"account:{self.account_id}" if self.staff_token else f"public:rest:{self.sender}"

    @staticmethod
    def text(replies: list[dict]) -> str:
        return "\n".join(r.get("text", "") for r in replies)

    def send(self, key: str, message: str, end: float) -> Turn:
        """Sends until the assistant deals with the message: a dropped or refused connection, an error
        status, an empty reply or an apology asking for it again all mean: wait, and send it again."""
        turn = Turn(key, message)
        self.turns.append(turn)
        body: dict[str, Any] = {"sender": self.sender, "message": message}
        if self.staff_token:
            body["staff_token"] = self.staff_token
        while True:
            assert time.monotonic() < end, f"{self.sender} stuck at {key!r}: {turn.attempts[-5:]}"
            try:
                status, replies = http("POST", self.system.webhook, body,
                                       {"Authorization": f"Bearer {self.system.rest_token}"}, timeout=150)
            except OSError as exc:  # refused while Rasa is down; reset or timed out when it died mid-turn
                turn.attempts.append(f"connection: {type(exc).__name__}")
                time.sleep(1)
                continue
            if status != 200:
                turn.attempts.append(f"status {status}: {replies}")
                time.sleep(1)
                continue
            said = self.text(replies)
            if not replies:
                turn.attempts.append("empty")
            elif any(m in said for m in SEND_AGAIN):
                turn.attempts.append(next(m for m in SEND_AGAIN if m in said))
            else:
                turn.attempts.append("ok")
                turn.replies = replies
                return turn
            time.sleep(1)

    def check_told_saved(self, wait: bool = True) -> dict | None:
        """Every answer the reporter was told was saved is in the draft. With wait=False a backend that
        cannot be reached (being restarted) is not waited for: the next check covers these answers too."""
        def look() -> dict:
            record = self.system.api(f"/records/{self.record_id}", self.act_as)
            missing = [k for k in self.saved_keys if not answered(record, k)]
            if self.shown_event_type and record["event_type"] is None:
                missing.append("EventType (confirmed)")
            if missing:
                raise LostAnswers(f"{self.sender}: told saved but not in draft {self.record_id}: {missing}\n"
                                  f"{record['answers']}\n{[(t.key, t.attempts) for t in self.turns]}")
            if record["event_type"] and self.plan is None:
                self.plan = self.system.api(f"/plan/{record['event_type']}?audience={self.audience}",
                                            self.act_as)["questions"]
            return record
        if wait:
            return wait_for(f"draft of {self.sender}", look)
        try:
            return look()
        except (OSError, AssertionError) as exc:
            if isinstance(exc, LostAnswers):
                raise
            return None

    def next_question(self, last: list[dict]) -> dict | None:
        """The question the assistant just asked: the backend's current question for the draft or, while
        the backend cannot be reached, the question of the plan whose wording the last message shows.
        None once the summary is shown."""
        try:
            return self.system.api(f"/records/{self.record_id}/next-question?core_only=true",
                                   self.act_as)["question"]
        except (OSError, AssertionError):
            pass
        said = (last[-1].get("text") or "") if last else ""
        if said.startswith(("Check your answers", "Please check what you've told me")):
            return None
        shown = shown_question(self.plan or [], last)
        if shown:
            return shown
        return wait_for("next question", lambda: self.system.api(
            f"/records/{self.record_id}/next-question?core_only=true", self.act_as)["question"])

    @property
    def audience(self) -> str:
        return "staff" if self.staff_token else "public"

    def run(self) -> None:
        try:
            self._report()
        except BaseException as exc:
            self.error = exc

    def _report(self) -> None:
        end = time.monotonic() + DEADLINE
        if self.staff_token:
            status, me = http("GET", f"{self.system.backend}/api/v1/me",
                              headers={"Authorization": f"Bearer {self.staff_token}"})
            assert status == 200, me
            self.account_id = me["id"]
        turn = self.send("Description", self.first, end)
        turn.told_saved = True  # a question or the summary of what was understood follows the saved description
        self.saved_keys.append("Description")
        # The REST channel keys a staff conversation on the account too (staff:<account>:<sender>, issue 15).
        conversation = f"staff:{self.account_id}:{self.sender}" if self.staff_token else self.sender
        self.record_id = wait_for(f"record of {self.sender}", lambda: record_of(self.system, conversation))
        assert self.record_id, self.sender
        last = turn.replies
        if "understood" in self.text(last):
            listed = self.text(last)
            turn = self.send("confirm", "yes", end)
            last = turn.replies
            if "saved that" in self.text(last) or "Saved." in self.text(last):
                turn.told_saved = True
                self.shown_event_type = "What it is about:" in listed or "Type:" in listed
        self.check_told_saved()
        for _ in range(40):
            question = self.next_question(last)
            if question is None:
                break
            key = question["field"] if question["patient"] is None else f"{question['field']}:{question['patient']}"
            asked = (last[-1].get("text") or "") if last else ""
            turn = self.send(key, self.replies.get(key) or self.replies.get(question["field"])
                             or default_reply(question), end)
            last = turn.replies
            now = last[-1].get("text") or ""
            # Moved on: the last message is another question (or the summary), and nothing says sorry.
            turn.told_saved = now != asked and not any(
                (m.get("text") or "").startswith(("Sorry", "Which one?", "Please say")) for m in last)
            if turn.told_saved:
                self.saved_keys.append(key)
                self.answers_told_saved += 1
            self.check_told_saved(wait=False)
            if self.hold is not None and self.answers_told_saved >= 1 and self.plan and not self.hold.is_set():
                self.paused = True
                self.hold.wait(DEADLINE)
        else:
            raise AssertionError(f"{self.sender}: still asking after 40 answers: {[t.key for t in self.turns]}")
        assert "check" in self.text(last).lower(), self.text(last)
        self.check_told_saved()
        turn = self.send("submit", "yes", end)
        done = self.text(turn.replies)
        assert "PSE-" in done, done
        record = self.check_told_saved()
        assert record["status"] == "submitted" and record["reference"] in done, record
        self.reference = record["reference"]


class LostAnswers(AssertionError):
    """An answer the reporter was told was saved is missing from the draft. Never waited out."""


def run_and_kill(prod: System, request: pytest.FixtureRequest, name: str, down_for: float, staff: str, tag: str,
                 public_count: int = 2, staff_count: int = 2) -> list[ResilientReporter]:
    """Starts the reporters in threads; once every one of them has had an answer saved after the first
    message (so all are mid-report, each holding there) and knows its event type's questions, SIGKILLs
    `name`, lets them go on, keeps it down for `down_for` seconds and restarts it; waits for every report
    to be submitted."""
    hold = threading.Event()
    reporters = [ResilientReporter(prod, f"{tag}-public-{n}", PUBLIC_FIRST.format(n=n), PUBLIC_REPLIES, hold=hold)
                 for n in range(1, public_count + 1)]
    reporters += [ResilientReporter(prod, f"{tag}-staff-{n}", STAFF_FIRST.format(n=n), STAFF_REPLIES,
                                    staff_token=staff, hold=hold) for n in range(1, staff_count + 1)]
    threads = [threading.Thread(target=r.run, name=r.sender, daemon=True) for r in reporters]
    for t in threads:
        t.start()
    end = time.monotonic() + DEADLINE
    while not all(r.paused or r.error or r.reference for r in reporters):
        assert time.monotonic() < end, [(r.sender, r.answers_told_saved, bool(r.plan)) for r in reporters]
        time.sleep(0.05)
    mid = [r.sender for r in reporters if r.reference is None and r.error is None]
    prod.kill(name)
    hold.set()  # on they go, into the dead process
    time.sleep(down_for)
    restarted_in = prod.restart(name)
    for t in threads:
        t.join(timeout=DEADLINE + 60)
    for r in reporters:
        if r.error is not None:
            raise r.error
        assert r.reference, r.sender
    assert len(mid) == len(reporters), f"some reports ended before {name} was killed: {mid}"
    for r in reporters:
        attempts = [a for t in r.turns for a in t.attempts]
        assert "empty" not in attempts, f"{r.sender} got no reply at all: {[(t.key, t.attempts) for t in r.turns]}"
        assert not any(a.startswith("status") for a in attempts), [(t.key, t.attempts) for t in r.turns]
    seen = Counter(a for a in failures(reporters))
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\n{name} killed with {len(mid)} reports under way, restarted in {restarted_in:.1f} s; "
              f"{sum(len(r.saved_keys) for r in reporters)} answers told saved, all in the drafts; "
              f"messages sent again: {dict(seen) or 'none'}", flush=True)
    return reporters


def failures(reporters: list[ResilientReporter]) -> list[str]:
    return [a for r in reporters for t in r.turns for a in t.attempts if a != "ok"]


@pytest.fixture
def fresh_staff_token(prod) -> str:
    """A token of its own per scenario, so the REST channel checks it with the backend afresh (its
    answers are cached for 60 s per token); every token is distinct (it carries a jti)."""
    return staff_token(prod)


def test_rasa_killed_mid_conversation(prod, fresh_staff_token, request):
    """The Rasa server dies mid-turn: the callers' connections drop; each resends after the restart and
    the reports carry on from the tracker in PostgreSQL."""
    reporters = run_and_kill(prod, request, "rasa", 0, fresh_staff_token, "rasa-killed")
    seen = failures(reporters)
    assert any(a.startswith("connection") for a in seen), seen
    assert set(seen) <= {a for a in seen if a.startswith("connection")} | {NO_REPLY, BACKEND_DOWN}, seen


def test_action_server_killed_mid_conversation(prod, fresh_staff_token, request):
    """The action server dies: Rasa cannot run the form, and the reporter is asked to send the message
    again (channels/no_reply.py) instead of getting silence; after the restart the reports carry on."""
    reporters = run_and_kill(prod, request, "actions", 3, fresh_staff_token, "actions-killed")
    seen = failures(reporters)
    assert NO_REPLY in seen and set(seen) <= {NO_REPLY}, seen


def test_backend_killed_mid_conversation(prod, fresh_staff_token, request):
    """The backend dies: the assistant says it couldn't save that, that everything else is kept, and
    to send it again; after the restart the reports carry on."""
    reporters = run_and_kill(prod, request, "backend", 5, fresh_staff_token, "backend-killed")
    seen = failures(reporters)
    assert BACKEND_DOWN in seen and set(seen) == {BACKEND_DOWN}, seen
