"""Resume codes for public conversations that cannot be recognised next time: a phone call is keyed
on its CallSid, so a caller who rings back (or texts instead) carries the draft over with a code.

The code is given on the phone as soon as the draft exists (a call can drop at any moment) and again
when the call ends; the caller keys it in on a later call or texts it to the same number."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, channel_name
from actions.say import say

# What may surround the digits: "my code is 1234 5678 9012", "*123456789012#", "1 2 3 4 5 ..." as heard.
# A date ("12/11/2026") keeps its slashes, so it is never taken for a code.
AROUND_CODE = re.compile(r"\b(?:my|the|draft|code|is|it's|its|it)\b|[\s*#.,:-]", re.I)
# Where a draft outlives the conversation only by its code: a call is keyed on its CallSid, and an SMS
# number may be shared or recycled, so a number alone never reopens a draft from an earlier conversation.
CODE_CHANNELS = {"voice", "sms"}


CODE_DIGITS = 12  # the backend's resume code length (backend/resume_codes/service.py, DIGITS)


def code_in(text: str) -> str | None:
    rest = AROUND_CODE.sub("", text or "")
    return rest if len(rest) == CODE_DIGITS and rest.isascii() and rest.isdigit() else None


def spoken(code: str) -> str:
    """'1 2 3 4, 5 6 7 8, 9 0 1 2': read digit by digit, in groups of four, rather than as a large number."""
    return ", ".join(" ".join(code[i : i + 4]) for i in range(0, len(code), 4))


async def give_code(dispatcher: CollectingDispatcher, tracker: Tracker, record_id: str) -> dict[str, Any]:
    """By phone or SMS, a code for this draft (a slot, so the phone channel can repeat it as the call ends)."""
    if channel_name(tracker) not in CODE_CHANNELS:
        return {}
    try:
        issued = await get_client().issue_resume_code(act_as(tracker), record_id)
    except (BackendUnavailable, BackendRejected):
        return {}  # the draft is saved regardless; only the way back into it by code is missing
    say(dispatcher, tracker, "code_given", code=issued["code"])
    return {"resume_code": issued["code"]}


async def redeem(dispatcher: CollectingDispatcher, tracker: Tracker, code: str) -> dict[str, Any]:
    """The describe form's slots for a draft taken over by its code: it goes on from its first missing
    question. Without a match the reporter is asked to describe what happened instead."""
    who = act_as(tracker)
    try:
        record = await get_client().redeem_code(who, code)
    except BackendUnavailable:
        say(dispatcher, tracker, "backend_down")
        return {"description": None}
    except BackendRejected as exc:
        if exc.status == 429:
            say(dispatcher, tracker, "code_too_many_tries")
        else:
            say(dispatcher, tracker, "code_not_found")
        return {"description": None}
    say(dispatcher, tracker, "code_found")
    slots = {"record_id": record["id"], "extraction": None, "extraction_ok": "nothing",
             "description": (record.get("answers") or {}).get("fields", {}).get("Description") or code}
    return {**slots, **opened_here(tracker, record["id"]), **await give_code(dispatcher, tracker, record["id"])}


def opened_here(tracker: Tracker, record_id: str) -> dict[str, Any]:
    """Remembers a draft as this conversation's: within it, a public "carry on" lists it
    (actions/resume_form.py); a new session starts with none."""
    return {"session_drafts": [*(tracker.get_slot("session_drafts") or []), record_id]}


def is_code_for(tracker: Tracker, text: str) -> str | None:
    """A code, from a public reporter (staff resume from their own list of drafts)."""
    return code_in(text) if audience(tracker) == "public" else None
