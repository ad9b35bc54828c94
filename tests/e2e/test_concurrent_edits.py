"""End to end (issue 6): one member of staff works on one draft in three chat conversations and the web form at
once, against the real Rasa server, action server and backend (which also serves the web pages).

First, interleaved: a question page is opened, the chat answers that question, and the stale page's save is
refused with the conflict message, the chat's answer kept. Then, in parallel threads: three conversations answer
the draft's questions (each replying to the question its own conversation asked, the same reply for the same
question, so the end state does not depend on who got there first) while the web form answers the web-only
questions twice over. No chat answer is refused, no web save sees a false conflict, and the draft ends as the
audit trail says, change by change: the latest answer of every field, nothing the chat saved missing."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.conftest import PASSWORD
from tests.e2e.reporter import Reporter
from tests.e2e.system import http

FIRST = "a patient on ward 9 missed their 8am dose of antibiotics today because the cupboard was locked"
REPLIES = {  # the same reply to the same question, in every conversation
    "IncidentOccurredToday": "yes", "PreciseTime": "08:00", "Organisation": "Beacon Surgery", "ServiceArea": "1",
    "LocationWithinService": "Hospital", "InvolvedAgents": "Medications", "DrugsInvolved": "amoxicillin",
    "DrugInvolvementFactors": "2", "DrugInsufficientDetails": "6", "Process": "6",
    "SafetyChallenges": "None of the above", "PatientCount": "1", "PhysicalHarm:1": "No physical harm",
    "PsychologicalHarm:1": "No psychological harm", "ReporterRole": "Nurse or midwife", "IsAnonymous": "no",
    "DataSharingOptOut": "yes",
}
WEB_ONLY = ("ResponsibleSpecialty", "InvolvedPersonsActions", "DetectionPoint", "DutyOfCandour", "NeverEvent",
            "CqcNotify", "LocalAuthoritySafeguarding")
CONFLICT = "This answer was changed in another window or by the assistant while you were on this page."
REFUSED = ("wasn't accepted", "Sorry")


class Chat(Reporter):
    """A conversation that answers the question it was itself asked, recognised by the question's wording."""

    def asked(self, replies: list[dict], book: dict[str, tuple[str, bool]]) -> str | None:
        for message in replies:
            text = message.get("text") or ""
            for wording in sorted(book, key=len, reverse=True):
                if text.startswith(wording):
                    return book[wording][0]
        return None

    def answer_own_questions(self, replies: list[dict], book: dict[str, tuple[str, bool]], limit: int = 40) -> list[str]:
        """Answers until no question is asked (the recap); returns the fields it answered."""
        mandatory = {key: m for key, m in book.values()}
        answered = []
        for _ in range(limit):
            key = self.asked(replies, book)
            if key is None:
                return answered
            assert key in REPLIES or not mandatory[key], (key, self.transcript[-2:])
            replies = self.say(REPLIES.get(key, "skip"))
            assert not any(w in self.text(replies) for w in REFUSED), self.transcript[-2:]
            answered.append(key)
        raise AssertionError(f"still asking after {limit} answers: {self.transcript[-2:]}")


class WebForm:
    """The web form in a browser's place: the real pages, the session cookie, the hidden fields sent back."""

    def __init__(self, base: str, record_id: str):
        self.client, self.record_id = httpx.Client(base_url=base, timeout=60), record_id
        page = self.client.get("/sign-in").text
        r = self.client.post("/sign-in", data={"email": "nurse@e2e.example.org", "password": PASSWORD,
                                               "csrf_token": self.hidden(page)["csrf_token"], "next": "/records"})
        assert r.status_code == 303, r.text

    @staticmethod
    def hidden(page: str) -> dict[str, str]:
        return dict(re.findall(r'<input type="hidden" name="(csrf_token|revision|seen)" value="([^"]*)"', page))

    def open(self, field: str, patient: int | None = None) -> str:
        r = self.client.get(f"/records/{self.record_id}/questions/{field}", params={"patient": patient} if patient else {})
        assert r.status_code == 200, (field, r.status_code)
        assert {"revision", "seen"} <= self.hidden(r.text).keys()
        return r.text

    def save(self, field: str, page: str, value: str, patient: int | None = None) -> httpx.Response:
        return self.client.post(f"/records/{self.record_id}/questions/{field}", params={"patient": patient} if patient else {},
                                data={**self.hidden(page), "value": value, "action": "continue"})

    def answer_twice(self) -> dict[str, str]:
        """Each web-only question answered, then changed: returns the answers it saved last."""
        last = {}
        for round_ in (0, 1):
            for field in WEB_ONLY:
                page = self.open(field)
                choices = re.findall(r'name="value" type="(?:radio|checkbox)" value="([^"]*)"', page)
                last[field] = choices[round_ % len(choices)]
                r = self.save(field, page, last[field])
                assert r.status_code == 303, (field, r.status_code, CONFLICT in r.text)
        return last


def question_book(system, staff_token: str) -> dict[str, tuple[str, bool]]:
    """Each staff incident question's wording -> (field, or field:1 per patient; mandatory)."""
    status, plan = http("GET", f"{system.backend}/api/v1/plan/incident?audience=staff",
                        headers={"Authorization": f"Bearer {staff_token}"})
    assert status == 200, plan
    book = {q["text"]: (f"{q['field']}:1" if q["per_patient"] else q["field"], q["mandatory"]) for q in plan["questions"]}
    for group in plan["groups"]:  # asked as one question (the plan's groups): answered as its first question
        if group["text"]:
            lead = next(q for q in plan["questions"] if q["field"] == group["questions"][0])
            book[group["text"]] = (f"{lead['field']}:1" if lead["per_patient"] else lead["field"], lead["mandatory"])
    return book


def replay(trail: list[dict]) -> dict[str, tuple[str, object]]:
    """The end state the audit trail describes: each field's last change, in the order they were committed."""
    state = {}
    for e in trail:  # ids in commit order: SQLite takes its write lock before the row is added
        if e["action"] in ("answer", "skip", "remove", "default") and e["field"]:
            key = e["field"] if e["patient"] is None else f"{e['field']}:{e['patient']}"
            # A default (the plan's, unasked: issue 14) is stored as an answer is.
            state[key] = ("answer" if e["action"] == "default" else e["action"], e["new_value"])
    return state


def stored(record: dict) -> dict[str, tuple[str, object]]:
    answers = record["answers"]
    state = {k: ("answer", v) for k, v in answers["fields"].items()}
    for i, patient in enumerate(answers["patients"], 1):
        state.update({f"{k}:{i}": ("answer", v) for k, v in patient.items()})
    state.update({k: ("skip", None) for k in answers["skipped"]})
    return state


def test_chat_conversations_and_the_web_form_on_one_draft_at_once(system, staff_token):
    book, me = question_book(system, staff_token), {"Authorization": f"Bearer {staff_token}"}
    first = Chat(system, "staff-concurrent-a", staff_token=staff_token)
    replies = first.say(FIRST)
    if "understood" in first.text(replies):
        replies = first.say("yes")
    status, drafts = http("GET", f"{system.backend}/api/v1/records?status=draft", headers=me)
    record_id = drafts["items"][0]["id"]
    web = WebForm(system.backend, record_id)

    # Interleaved: the page for the chat's current question is opened, the chat answers it, the page is saved.
    field = first.asked(replies, book)
    assert field and ":" not in field, first.transcript
    page = web.open(field)
    replies = first.say(REPLIES.get(field, "skip"))
    chat_value = http("GET", f"{system.backend}/api/v1/records/{record_id}", headers=me)[1]["answers"]["fields"].get(field)
    typed = [v for v in re.findall(r'name="value" type="(?:radio|checkbox)" value="([^"]*)"', page) if v != chat_value]
    r = web.save(field, page, typed[0] if typed else {"PreciseTime": "09:15"}.get(field, "Typed on the web form."))
    assert r.status_code == 409 and CONFLICT in r.text, (field, r.status_code, re.findall(r"error-message[^>]*>(.*?)</span>", r.text, re.S), first.transcript)
    assert not isinstance(chat_value, str) or chat_value in r.text  # the current answer is shown
    assert http("GET", f"{system.backend}/api/v1/records/{record_id}", headers=me)[1]["answers"]["fields"].get(field) == chat_value

    # In parallel: two more conversations of the same member of staff take the draft up; the web form goes on.
    others = [Chat(system, f"staff-concurrent-{n}", staff_token=staff_token) for n in "bc"]

    def take_up(chat: Chat) -> list[str]:
        listing = chat.text(chat.say("resume my draft"))
        number = next(line.split(".")[0] for line in listing.splitlines() if "8am dose" in line)
        return chat.answer_own_questions(chat.say(number), book)

    with ThreadPoolExecutor(4) as pool:
        jobs = [pool.submit(first.answer_own_questions, replies, book), pool.submit(web.answer_twice),
                *(pool.submit(take_up, chat) for chat in others)]
        answered_a, web_last, *answered_others = [j.result(timeout=120) for j in jobs]

    record = http("GET", f"{system.backend}/api/v1/records/{record_id}", headers=me)[1]
    trail = http("GET", f"{system.backend}/api/v1/records/{record_id}/audit", headers=me)[1]
    final = stored(record)
    assert final == {k: v for k, v in replay(trail).items() if v[0] != "remove"}  # the latest change of each field
    for key in {*answered_a, *(k for a in answered_others for k in a)}:
        assert key in final, key  # nothing the chat saved is missing
    for field, value in web_last.items():  # the web form's later answers won over its earlier ones
        got = record["answers"]["fields"][field]
        assert got in (value, [value]) or str(got).lower() == value, (field, got, value)
    status, check = http("GET", f"{system.backend}/api/v1/records/{record_id}/missing", headers=me)
    assert check["missing"] == [], check  # the chat got to the end: nothing mandatory left
