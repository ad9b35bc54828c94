"""A simulated reporter talking to the assistant over the REST channel.

The reporter reads the question the assistant just asked (the backend's current question for the
draft, which is what the message shows) and replies the way a person would: with a label, a
number, 'skip', or their own words."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.system import System, http


@dataclass(frozen=True)
class Tally:
    """One completed report: the channel, the reporter's messages and the characters they typed."""

    channel: str
    turns: int
    typed: int


# Reporter turns per completed report, printed at the end of the run as a table (see conftest.py); a bare
# number is a report whose test counts only turns.
TURNS: dict[str, Tally | int] = {}


def tally(name: str, channel: str, *reporters: Any) -> None:
    """Counts a completed report's turns and typed characters (over every conversation it took)."""
    TURNS[name] = Tally(channel, sum(r.turns for r in reporters), sum(r.typed for r in reporters))
    if os.environ.get("E2E_TRANSCRIPTS"):  # to see where the turns go: pytest -s with E2E_TRANSCRIPTS=1
        print(f"\n=== {name}")
        for r in reporters:
            for said, replies in getattr(r, "transcript", None) or getattr(r, "sent", []):
                print(f">>> {said}")
                for reply in replies if isinstance(replies, list) else [replies]:
                    text = reply.get("text") or "" if isinstance(reply, dict) else str(reply)
                    print("    " + text.replace("\n", "\n    "))


NURSE = "5"  # ReporterRole: nurse or midwife


def role_on_account(reporter: Reporter, code: str | None = NURSE) -> None:
    """The condition of a staff report after the first: the account holds the reporter's role, as a submitted
    report leaves it (test_reports.py, test_the_first_report_asks_the_role_and_keeps_it); set here by the call the person
    would make themselves (PUT /me/reporter-role, their own token)."""
    status, me = http("PUT", f"{reporter.system.backend}/api/v1/me/reporter-role", {"reporter_role": code},
                      {"Authorization": f"Bearer {reporter.staff_token}"})
    assert status == 200 and me["reporter_role"] == code, me


@dataclass
class Reporter:
    system: System
    sender: str
    staff_token: str | None = None
    turns: int = 0
    typed: int = 0  # characters the reporter typed
    transcript: list[tuple[str, list[dict]]] = field(default_factory=list)

    def say(self, text: str) -> list[dict]:
        body: dict[str, Any] = {"sender": self.sender, "message": text}
        if self.staff_token:
            body["staff_token"] = self.staff_token
        status, replies = http("POST", self.system.webhook, body, {"Authorization": f"Bearer {self.system.rest_token}"})
        assert status == 200, replies
        self.turns += 1
        self.typed += len(text)
        self.transcript.append((text, replies))
        return replies

    @staticmethod
    def text(replies: list[dict]) -> str:
        return "\n".join(r.get("text", "") for r in replies)

    def backend(self, method: str, path: str, account_id: int | None = None, public_key: str | None = None) -> Any:
        return self.system.api(path, f"account:{account_id}" if account_id else f"public:{public_key}", method)

    def current_question(self, record_id: str, act: dict) -> dict | None:
        return self.backend("GET", f"/records/{record_id}/next-question?core_only=true", **act)["question"]

    def answer_questions(self, record_id: str, act: dict, replies: dict[str, str], limit: int = 40) -> list[dict]:
        """Answers until the assistant shows the check-your-answers recap; returns its messages."""
        last: list[dict] = []
        for _ in range(limit):
            q = self.current_question(record_id, act)
            if q is None:
                return last
            key = q["field"] if q["patient"] is None else f"{q['field']}:{q['patient']}"
            last = self.say(replies.get(key) or replies.get(q["field"]) or default_reply(q))
        raise AssertionError(f"still asking after {limit} answers:\n{self.transcript[-3:]}")


def default_reply(q: dict) -> str:
    if not q["mandatory"]:
        return "skip"
    if q["type"] == "boolean":
        return "no"
    if q.get("unknown_code"):
        return "I don't know"
    if q["choices"]:
        return "1"
    return {"integer": "1", "time": "15:00", "date": "yesterday"}.get(q["type"], "Not sure of the details.")


def shown_question(questions: list[dict], replies: list[dict]) -> dict | None:
    """The plan question (GET /plan/{event_type}) whose wording the assistant's last message starts
    with, the longest if one wording begins another; a per-patient question gets the patient its
    wording names ("patient 2"), or 1. None when the message is not a plan question."""
    said = (replies[-1].get("text") or "") if replies else ""
    best, patient = None, None
    for q in questions:
        words = "(?:the patient|patient (\\d+))".join(map(re.escape, q["text"].split("the patient")))
        found = re.match(words, said)
        if found and (best is None or len(q["text"]) > len(best["text"])):
            best, patient = q, next((int(n) for n in found.groups() if n), 1)
    return None if best is None else {**best, "patient": patient if best.get("per_patient") else None}
