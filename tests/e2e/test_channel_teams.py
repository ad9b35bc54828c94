"""End to end in Microsoft Teams: Bot Framework activities as Teams sends them in a one-to-one chat,
with signed tokens, posted to the running Rasa server; the replies are what the local Bot Framework
service URL receives (tests/e2e/teams_env.py); the record is read back from the backend."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from backend.identities.models import ExternalIdentity
from tests.e2e.reporter import TURNS, Reporter, role_on_account
from tests.e2e.system import http
from tests.e2e.teams_env import APP_ID, TeamsMicrosoft

TENANT = "e2e0tena-0000-4000-8000-000000000001"
NURSE_OID = "e2e0aad0-0000-4000-8000-00000000a001"
_ids = itertools.count(1)


def as_chat(activity: dict) -> dict:
    """A reply activity as the REST channel would give it: text, and buttons from its hero cards."""
    cards = [a["content"] for a in activity.get("attachments", []) if a["contentType"].endswith("card.hero")]
    return {"text": activity.get("text") or " ".join(c.get("text", "") for c in cards),
            "buttons": [b for c in cards for b in c.get("buttons", [])]}


@dataclass
class TeamsReporter(Reporter):
    """A Teams user in a one-to-one chat with the bot: `sender` is the Teams conversation id."""

    microsoft: TeamsMicrosoft | None = None
    user_id: str = ""
    aad_object_id: str = ""
    activities: list[dict] = field(default_factory=list)

    def activity(self, text: str) -> dict:
        return {
            "type": "message", "id": f"1{next(_ids):012d}", "channelId": "msteams",
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "localTimestamp": datetime.now().astimezone().isoformat(), "serviceUrl": self.microsoft.fake.service_url,
            "from": {"id": self.user_id, "name": "E2E Nurse", "aadObjectId": self.aad_object_id},
            "conversation": {"id": self.sender, "conversationType": "personal", "tenantId": TENANT},
            "recipient": {"id": f"28:{APP_ID}", "name": "Patient safety reports"},
            "text": text, "textFormat": "plain", "locale": "en-GB", "entities": [],
            "channelData": {"tenant": {"id": TENANT}},
        }

    def post(self, text: str, token: str | None) -> tuple[int, list[dict]]:
        before = len(self.microsoft.fake.replies_to(self.sender))
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(f"http://127.0.0.1:{self.system.rasa_port}/webhooks/botframework/webhook",
                                     data=json.dumps(self.activity(text)).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=180) as r:
                status = r.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        return status, self.microsoft.fake.replies_to(self.sender)[before:]

    def say(self, text: str) -> list[dict]:
        status, activities = self.post(text, self.microsoft.tokens["valid"])
        assert status == 200, status
        self.turns += 1
        self.activities += activities
        replies = [as_chat(a) for a in activities]
        self.transcript.append((text, replies))
        return replies

    def click(self, replies: list[dict], title: str) -> list[dict]:
        """Presses a card button: Teams posts its imBack value as the user's message."""
        [button] = [b for r in replies for b in r["buttons"] if b["title"] == title]
        assert button["type"] == "imBack"
        return self.say(button["value"])


def teams_user(system, teams_microsoft, name: str, user_id: str, oid: str, email: str | None) -> TeamsReporter:
    if email:  # the roster entry Teams would give for this user
        teams_microsoft.fake.members[user_id] = {"id": user_id, "name": name, "aadObjectId": oid, "email": email,
                                                 "userPrincipalName": email, "tenantId": TENANT}
    # Each call is a new one-to-one chat: Teams conversation ids look like "a:1" and a long opaque string.
    return TeamsReporter(system, f"a:1{uuid.uuid4().hex}{uuid.uuid4().hex}", microsoft=teams_microsoft,
                         user_id=user_id, aad_object_id=oid)


@pytest.fixture
def nurse(system, teams_microsoft) -> TeamsReporter:
    # The roster's e-mail differs in case from the account's: linking ignores case.
    return teams_user(system, teams_microsoft, "E2E Nurse", "29:1e2e-nurse", NURSE_OID, "Nurse@E2E.example.org")


@pytest.fixture
def nurse_account(system, staff_token) -> int:
    status, me = http("GET", f"{system.backend}/api/v1/me", headers={"Authorization": f"Bearer {staff_token}"})
    assert status == 200
    return me["id"]


def links(system, oid: str) -> list[ExternalIdentity]:
    with Session(create_engine(system.database_url)) as db:
        return list(db.scalars(select(ExternalIdentity).where(ExternalIdentity.subject == oid)))


@pytest.mark.parametrize("token", ["missing", "expired", "wrong_signature", "wrong_audience"])
def test_activities_without_a_valid_bot_framework_token_are_refused(nurse, teams_microsoft, token):
    status, replies = nurse.post("a patient fell on ward 3", teams_microsoft.tokens.get(token))
    assert status == 401 and replies == []


def test_a_teams_user_without_a_staff_account_is_told_how_to_get_one(system, teams_microsoft):
    locum = teams_user(system, teams_microsoft, "Locum", "29:1e2e-locum", "e2e0aad0-0000-4000-8000-00000000a002",
                       "locum@e2e.example.org")
    status, replies = locum.post("a patient fell on ward 3", teams_microsoft.tokens["valid"])
    assert status == 200 and len(replies) == 1
    assert "can't find a staff account for you (locum@e2e.example.org)" in replies[0]["text"]
    assert "admin" in replies[0]["text"]
    assert links(system, locum.aad_object_id) == []


def test_a_nurse_is_linked_on_first_use_and_reports_in_teams(system, nurse, nurse_account, staff_token):
    assert links(system, NURSE_OID) == []  # refused activities (above) linked nothing
    # The condition: the account already holds the nurse's role (an earlier report left it), so it is assumed.
    role_on_account(Reporter(system, "role", staff_token=staff_token))
    out = nurse.text(nurse.say("Today the district nurses at Beacon Surgery spotted early sepsis in a housebound "
                               "patient and got her admitted within the hour. Brilliant teamwork."))
    [link] = links(system, NURSE_OID)
    assert (link.provider, link.account_id) == ("teams", nurse_account)
    act = {"account_id": nurse_account}
    if "understood" in out:
        nurse.say("yes")
    [draft, *_] = nurse.backend("GET", "/records?status=draft", **act)["items"]
    assert draft["channel"] == "teams" and "district nurses" in draft["first_words"]
    record_id = draft["id"]
    recap = nurse.answer_questions(record_id, act, {
        "EventType": "Good care", "Organisation": "Beacon Surgery",
        "HowFutureOccurrence": "Share the sepsis checklist at the team meeting",
        "ReporterRole": "Nurse or midwife", "IsAnonymous": "no", "DataSharingOptOut": "yes",
    })
    assert "check" in nurse.text(recap).lower()
    done = nurse.text(nurse.click(recap, "Yes, submit"))
    assert "PSE-" in done, done
    record = nurse.backend("GET", f"/records/{record_id}", **act)
    assert record["status"] == "submitted" and record["reference"] in done
    assert record["channel"] == "teams" and record["audience"] == "staff" and record["event_type"] == "good_care"
    assert record["answers"]["fields"]["Description"].startswith("Today the district nurses at Beacon Surgery")
    assert record["answers"]["fields"]["ReporterRole"] == "5"
    # Choices came as hero cards whose buttons answer with their value.
    cards = [a for a in nurse.activities if a.get("attachments")]
    assert cards and all(b["type"] in ("imBack", "openUrl") for a in cards for c in a["attachments"]
                         for b in c["content"].get("buttons", []))
    assert all(a["replyToId"] and a["conversation"]["id"] == nurse.sender for a in nurse.activities)
    assert "ReporterRole" in record["answers"]["defaulted"]  # assumed, shown at check your answers
    TURNS["staff good care in Teams (role on the account)"] = nurse.turns


def test_a_draft_started_in_one_teams_chat_is_resumed_in_another(system, teams_microsoft, nurse, nurse_account):
    act = {"account_id": nurse_account}
    nurse.say("a patient on ward 9 was given their evening warfarin twice because the chart was not signed")
    if "understood" in nurse.text(nurse.transcript[-1][1]):
        nurse.say("yes")
    record_id = nurse.backend("GET", "/records?status=draft", **act)["items"][0]["id"]
    # A new Teams conversation (another conversation id) for the same person.
    later = teams_user(system, teams_microsoft, "E2E Nurse", nurse.user_id, NURSE_OID, None)
    assert later.sender != nurse.sender
    listing = later.text(later.say("resume my draft"))
    assert "Which draft?" in listing and "evening warfarin" in listing, listing
    carry_on = later.text(later.say("1"))
    q = later.current_question(record_id, act)
    assert q is not None and q["text"] in carry_on, carry_on  # carries on from the first missing question
    TURNS["staff draft resumed in a new Teams chat"] = nurse.turns + later.turns
