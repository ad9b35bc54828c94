"""Free text first: the description is saved to a new draft at once, then analysed for values the
reporter is asked to confirm (nothing extracted is saved until they do)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import messages
from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, channel_name, latest_intent
from actions.resume_codes import give_code, is_code_for, opened_here, redeem
from actions.safety import DangerCheck
from actions.say import say

MIN_DESCRIPTION = 3
# "hi i need to report something about my mums care home": a greeting and a request to report, not yet
# what happened. When it says more than the request, its words (without the greeting) start the description.
GREETING = r"^\W*(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))\b\W*(?:there\W*)?)?"
OPENING = re.compile(
    GREETING +
    r"(?:(?:i|we)\s*(?:'d|would|'m|am|need|want|wanna|have|had|was)?\s*(?:like|need|want|wanting|trying|going|hoping)?\s*"
    r"(?:to\s+)?(?:report|tell (?:you|someone|the nhs)(?: about)?|complain(?: about)?|raise|make a (?:complaint|report)|"
    r"let (?:you|someone) know(?: about)?|record|log|flag)\b)\W*"
    r"(?:(?:something|an incident|a concern|a problem|an issue|a complaint|what happened)\b)?\W*"
    r"(?:(?:about|regarding|re|with|at|to do with)\b)?\s*(?P<rest>.*)$", re.I)
OPENING_REST_WORDS = 6


def opening_of(text: str) -> str | None:
    """An opening message without its greeting ("i need to report something about my mums care home"),
    "" when it says nothing beyond the greeting and the request, or None when it tells what happened."""
    m = OPENING.match(text.strip())
    if not m:
        return None
    rest = m.group("rest").strip(" .,!")
    if len(rest.split()) >= OPENING_REST_WORDS or re.search(r"\d", rest):
        return None
    return re.sub(GREETING, "", text.strip(), flags=re.I).strip() if rest else ""


def extraction_items(analysis: dict[str, Any], hint: str | None) -> list[dict[str, Any]]:
    """One item per field, the most confident first, in the order the analysis gave them. The patient count
    one patient implies is the backend's (the plan's `inference: first_message: one_patient`)."""
    items: dict[str, dict[str, Any]] = {}
    for item in analysis.get("suggestions", []):
        key = item["field"]
        if key not in items or item.get("confidence", 0) > items[key].get("confidence", 0):
            items[key] = item
    # What the reporter said they were reporting ("record some good care") beats the classifier, when it names
    # an event type at all (the plan's `inference: first_message: named_event_type`; only the assistant hears it).
    named = next((c for c in items.get("EventType", {}).get("candidates", []) if c["value"] == hint), None)
    if named:
        items["EventType"] = {"field": "EventType", "value": hint, "label": named["label"], "confidence": 1.0}
    return list(items.values())


class ActionAskDescription(Action):
    def name(self) -> str:
        return "action_ask_description"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say(dispatcher, tracker, "ask_description")
        return []


class ValidateDescribeForm(DangerCheck, FormValidationAction):
    def name(self) -> str:
        return "validate_describe_form"

    async def validate_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict[str, Any]) -> dict[str, Any]:
        if value is None:  # cleared by a reset, not said by the reporter
            return {"description": None}
        text = (value or "").strip()
        code = is_code_for(tracker, text)
        if code:  # a draft begun in another conversation (an earlier call), not a description
            return await redeem(dispatcher, tracker, code)
        if latest_intent(tracker) == "report_event" and len(text.split()) < 8:
            return {"description": None}  # "report an incident" opens the question, it doesn't answer it
        rest = opening_of(text)
        if rest is not None:
            say(dispatcher, tracker, "opening_kept")
            return {"description": None, "opening": rest or None}
        if tracker.get_slot("opening"):
            text = f"{tracker.get_slot('opening')}\n\n{text}"  # the reporter's words, nothing added
        if len(text) < MIN_DESCRIPTION:
            say(dispatcher, tracker, "more_detail")
            return {"description": None}
        client, who = get_client(), act_as(tracker)
        try:
            created = await client.create_record(who, channel_name(tracker),
                                                  answers=[{"field": "Description", "value": text}])
        except BackendUnavailable:
            say(dispatcher, tracker, "backend_down")
            return {"description": None}
        except BackendRejected as exc:
            messages.rejected(dispatcher, tracker, exc.detail)
            return {"description": None}
        try:
            analysis = await client.analyse(who, text, audience(tracker))
        except (BackendUnavailable, BackendRejected):
            analysis = {}  # the description is saved; without analysis every question is simply asked
        messages.warn_identifiers(dispatcher, created.get("identifiers_found", []), tracker)
        items = extraction_items(analysis, tracker.get_slot("event_type_hint"))
        return {
            **await give_code(dispatcher, tracker, created["record"]["id"]),
            **opened_here(tracker, created["record"]["id"]),
            "description": text,
            "opening": None,
            "record_id": created["record"]["id"],
            "extraction": items or None,
            # Nothing understood: there is nothing to confirm, so the confirmation is skipped.
            "extraction_ok": None if items else "nothing",
        }
