"""Bad input in every channel, end to end (issue 6, resilience): empty messages, 10,000 characters and
more, emoji and right-to-left text, HTML and script, SQL fragments, control characters and lone
surrogates, through REST, SMS, phone, Teams and the web chat of the running system. Each gets a 200
and a sensible reply, no process dies and no traceback or 5xx is logged; hostile text in a report is
stored as typed and shown escaped on the web pages; a flood from one sender is told to slow down
while another sender carries on.

Each channel is driven with the helpers of its own end-to-end tests (test_channel_*.py)."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Role
from backend.auth.passwords import hash_password
from tests.e2e.conftest import PASSWORD
from tests.e2e.reporter import Reporter
from tests.e2e.system import http
from tests.e2e.test_channel_sms import Texter
from tests.e2e.test_channel_teams import teams_user
from tests.e2e.test_channel_voice import Caller
from tests.e2e.test_channel_webchat import run_client

SCRIPT = "<script>alert(1)</script>"
SQL = "'); DROP TABLE records;--"
WORLD = "😀👩‍⚕️ مرحبا، أمي سقطت في الجناح שלום, אמא שלי נפלה"
HOSTILE = f"{SCRIPT} <img src=x onerror=alert(2)> <b>bold</b> {SQL} {WORLD}"
LONG = ("My father was left on a trolley in the corridor for hours and nobody checked on him. " * 200)[:10_000]
# What every channel should survive (text typed or said); the JSON channels also take a lone surrogate.
BAD = {
    "empty": "", "spaces": "  \t ", "10,000 characters": LONG, "12,000 characters": LONG + "x" * 2_000,
    "emoji and right-to-left": WORLD, "html and script": f"{SCRIPT}<img src=x onerror=alert(2)><b>hi</b>",
    "sql": f"{SQL} OR 1=1", "control characters": "\x00\x1b[31m\x07\u202eevil\u202c\x7f ok",
}
JSON_ONLY = {"lone surrogate": "half \ud800 a pair"}
SLOW_DOWN = "faster than I can"  # channels/rate_limit.py (the channels package needs Rasa to import)
NO_WORDS = ("didn't get any words", "can only read words")
LOGS = ("rasa", "actions", "backend")


@pytest.fixture(autouse=True)
def nothing_breaks(system):
    """After each test: every process is alive, and nothing it logged meanwhile is a traceback or a 5xx."""
    start = {name: (system.tmp / f"{name}.log").stat().st_size for name in LOGS}
    yield
    for name in LOGS:
        assert system.procs[name].poll() is None, f"{name} died"
        with open(system.tmp / f"{name}.log", "rb") as log:
            log.seek(start[name])
            new = log.read().decode("utf-8", "replace")
        assert "Traceback" not in new, f"{name}.log:\n{new[-3000:]}"
        assert not re.search(r'HTTP/1\.1" 5\d\d', new), f"{name}.log:\n{new[-3000:]}"


def _capacity(system) -> int:
    env = system.env()
    return int(env.get("CHANNEL_RATE_LIMIT") or 20) + int(env.get("CHANNEL_RATE_BURST") or 10)


def _rest(system, sender: str, message: str) -> tuple[int, object]:
    return http("POST", system.webhook, {"sender": sender, "message": message},
                {"Authorization": f"Bearer {system.rest_token}"})


# Every bad input through every channel ------------------------------------------------------------

@pytest.mark.parametrize("name", [*BAD, *JSON_ONLY])
def test_rest(system, name):
    status, replies = _rest(system, f"bad-rest-{uuid.uuid4().hex[:8]}", {**BAD, **JSON_ONLY}[name])
    assert status == 200 and replies and all(r.get("text") for r in replies), replies
    if name in ("empty", "spaces"):
        assert NO_WORDS[0] in replies[0]["text"]
    if name == "12,000 characters":
        assert "too long" in replies[0]["text"]


def test_sms(system):
    texter = Texter(system, "+447700900461")
    for name, text in BAD.items():
        replies = texter.text(text)  # 200, well-formed TwiML, at most three segments each
        assert replies and all(r.strip() for r in replies), (name, replies)
    assert any(any(w in r for w in NO_WORDS) for _, rs in texter.sent[:2] for r in rs)


def test_phone(system):
    caller = Caller(system)
    caller.ring()
    for name, text in BAD.items():
        heard = caller.say(text)  # 200 and TwiML that parses
        assert heard.text.strip() and heard.gather is not None, (name, heard.xml[:500])
        if heard.text.startswith("I heard:"):  # a long answer is read back before it counts
            heard = caller.press("1")
            assert heard.text.strip() and not heard.hung_up, (name, heard.xml[:500])


@pytest.fixture(scope="module")
def teams_staff(system) -> str:
    """A staff account of this module's own for Teams: linking is once per account, and the Teams
    channel tests link the shared nurse themselves (and check she was not linked before)."""
    with Session(create_engine(system.database_url)) as db:
        db.add(Account(email="bad-input@e2e.example.org", display_name="Bad input nurse",
                       password_hash=hash_password(PASSWORD), organisation_ods="G81019", role=Role.standard.value))
        db.commit()
    return "bad-input@e2e.example.org"


def test_teams(system, teams_microsoft, teams_staff):
    nurse = teams_user(system, teams_microsoft, "Bad input nurse", "29:1e2e-bad-input",
                       "e2e0aad0-0000-4000-8000-0000000bad01", teams_staff)
    for name, text in {**BAD, **JSON_ONLY}.items():
        replies = nurse.say(text)  # 200
        assert replies and all(r["text"] or r["buttons"] for r in replies), (name, replies)


def test_web_chat(system):
    texts = {**BAD, **JSON_ONLY}
    out = run_client(system, None, list(texts.values()))
    assert len(out["turns"]) == len(texts)
    for name, replies in zip(texts, out["turns"]):
        assert replies and all(r.get("text") for r in replies), (name, replies)


# Hostile text in a report: stored as typed, shown escaped ------------------------------------------

def _describe(reporter: Reporter, act_as: str) -> dict:
    """Tells the assistant what happened, with hostile text in it, and confirms: the draft it made."""
    first = f"Yesterday on ward 7 my mother fell out of bed and hurt her hip. {HOSTILE}"
    out = reporter.text(reporter.say(first))
    if "understood" in out:
        out = reporter.text(reporter.say("yes"))
    drafts = reporter.system.api("/records?status=draft", act_as)["items"]
    assert drafts, reporter.transcript
    record = reporter.system.api(f"/records/{drafts[0]['id']}", act_as)
    assert record["answers"]["fields"]["Description"] == first, record["answers"]["fields"]  # verbatim
    return record


def test_a_public_report_with_hostile_text_is_stored_as_typed(system, public):
    _describe(public, f"public:rest:{public.sender}")


class Browser:
    """Signs in to the backend's pages as a browser does (cookies, the sign-in form's CSRF token)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=60) as r:
            return r.status, r.read().decode()

    def sign_in(self, email: str, password: str) -> None:
        _, page = self.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token,
                                       "next": "/records"}).encode()
        with self.opener.open(self.base + "/sign-in", data, timeout=60) as r:
            assert r.status == 200 and r.url.endswith("/records"), r.url


def test_a_staff_report_with_hostile_text_is_escaped_on_the_web_pages(system, staff):
    me = http("GET", f"{system.backend}/api/v1/me", headers={"Authorization": f"Bearer {staff.staff_token}"})[1]
    record = _describe(staff, f"account:{me['id']}")
    browser = Browser(system.backend)
    browser.sign_in("nurse@e2e.example.org", PASSWORD)
    for path in (f"/records/{record['id']}", f"/records/{record['id']}/print", "/records"):
        status, page = browser.get(path)
        assert status == 200, path
        assert SCRIPT not in page and "<img src=x" not in page and "<b>bold</b>" not in page, path
        if path != "/records":  # the list shows the description's first words only
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
    status, page = browser.get(f"/records/{record['id']}")
    assert "DROP TABLE records;--" in page and "مرحبا" in page and "שלום" in page and "😀" in page


# A flood from one sender ---------------------------------------------------------------------------

def _flood(send, capacity: int) -> int:
    """Sends until told to slow down (the bucket refills a little meanwhile); how many were let through."""
    for sent in range(capacity * 2):
        if SLOW_DOWN in send():
            return sent
    raise AssertionError(f"{capacity * 2} messages and never told to slow down")


def test_a_rest_flood_is_told_to_slow_down_and_another_sender_is_not(system):
    capacity, sender = _capacity(system), f"flood-rest-{uuid.uuid4().hex[:8]}"

    def send() -> str:  # messages without words: answered by the channel, so the flood is quick
        status, replies = _rest(system, sender, " ")
        assert status == 200
        return replies[0]["text"]

    assert _flood(send, capacity) >= capacity
    status, replies = _rest(system, sender, "A patient fell on ward 3 this morning")
    assert status == 200 and SLOW_DOWN in replies[0]["text"] and "nothing you've already told me is lost" in \
        replies[0]["text"]
    status, replies = _rest(system, f"calm-rest-{uuid.uuid4().hex[:8]}", "A patient fell on ward 3 this morning")
    assert status == 200 and replies and SLOW_DOWN not in Reporter.text(replies)


def test_an_sms_flood_is_told_once_and_another_number_is_not(system):
    capacity, flooder = _capacity(system), Texter(system, "+447700900462")
    assert _flood(lambda: " ".join(flooder.text(" ")), capacity) >= capacity
    assert flooder.text("A patient fell on ward 3 this morning") == []  # told once: texts cost, loops must end
    calm = Texter(system, "+447700900463")
    replies = calm.text("A patient fell on ward 3 this morning")
    assert replies and SLOW_DOWN not in " ".join(replies)
