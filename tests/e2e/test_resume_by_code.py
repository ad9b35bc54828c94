"""A phoned draft is carried into a later call, or into SMS, by the code the call gave: the caller's
number alone never identifies them across calls (a withheld number, a shared phone)."""

from __future__ import annotations

import re

from tests.e2e.reporter import TURNS
from tests.e2e.test_channel_sms import Texter
from tests.e2e.test_channel_voice import Caller

# Twelve digits read in three groups of four (backend/resume_codes: a locator and a secret).
SPOKEN_CODE = re.compile(r"draft code(?: is|:) " + ", ".join([r"(\d) (\d) (\d) (\d)"] * 3))


def code_in(heard: str) -> str:
    match = SPOKEN_CODE.search(heard)
    assert match, heard
    return "".join(match.groups())


def phoned_draft(system, description: str) -> tuple[Caller, dict, str]:
    caller = Caller(system)
    caller.ring()
    caller.say(description)
    heard = caller.say("yes")
    [draft] = caller.drafts()
    return caller, draft, code_in(heard.text)


def test_a_second_call_carries_on_the_draft_with_the_code(system):
    first, draft, code = phoned_draft(system, "The handrail on the stairs at the clinic came off the wall when I held it")
    assert first.hang_up() == 204

    second = Caller(system)
    assert "draft code" in second.ring().text  # the greeting says how to come back
    heard = second.press(code)
    assert "Found it" in heard.text and heard.gather is not None, heard.text
    assert [d["id"] for d in second.drafts()] == [draft["id"]]
    assert first.drafts() == []  # the old call's key no longer reaches the draft
    new_code = code_in(heard.text)  # this call has its own code: the old one is used up
    assert new_code != code
    # Ending this call (silence) says the new code again and how to continue by SMS.
    for _ in range(3):
        end = second.silence()
    assert end.hung_up and code_in(end.text) == new_code and "text the code to this number" in end.text

    third = Caller(system)
    third.ring()
    assert "can't find a saved report with that code" in third.press(code).text  # single use
    assert third.drafts() == []


def test_a_phoned_draft_is_finished_by_sms_with_the_code(system):
    caller, draft, code = phoned_draft(system, "My mum was sent home from the hospital without her new tablets")
    assert caller.hang_up() == 204

    texter = Texter(system, "+447700900318")
    reply = "\n".join(texter.text(f"My code is {code[:4]} {code[4:]}"))
    assert "Found it" in reply, reply
    assert [d["id"] for d in texter.drafts()] == [draft["id"]] and caller.drafts() == []
    last: list[str] = []
    for _ in range(30):
        q = texter.question(draft["id"])
        if q is None:
            break
        if not q["mandatory"]:
            last = texter.text("skip")
        elif q["choices"]:
            last = texter.text("1")
        else:
            last = texter.text({"integer": "1", "date": "yesterday", "time": "14:30"}.get(q["type"], "paracetamol"))
    else:
        raise AssertionError(texter.sent[-4:])
    assert "Reply 1 for Send it" in "\n".join(last), texter.sent[-3:]
    done = texter.text("1")
    record = texter.backend(f"/records/{draft['id']}")
    assert record["status"] == "submitted" and record["reference"] in done[-1]
    assert record["answers"]["fields"]["Description"].startswith("My mum was sent home")
    TURNS["phoned draft finished by SMS (SMS part)"] = texter.turns
