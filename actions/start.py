"""Session start (who is this?) and a clean start for each new report."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_intent, latest_text
from actions.resume_codes import code_in
from actions.say import say

# A first message this long is taken as the description, whatever the NLU made of it.
DESCRIPTION_WORDS = 6
REPORT_SLOTS = ("record_id", "question", "extraction", "extraction_ok", "answer", "recap_ok", "description",
                "draft_choice", "drafts", "resume_code", "question_synced", "pending_field", "opening")


class ActionSessionStart(Action):
    """Reads the identity the channel verified (never anything the user typed) into slots."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        account = metadata.get("account_id")
        events: list[EventType] = [SessionStarted()]
        # A signed-in reporter's draft is carried over a new session: it is theirs, whatever the session
        # timer says. A public conversation's key (an SMS number) may pass to someone else, so a public
        # draft from an earlier session opens only with its code (actions/resume_codes.py).
        carried = account and tracker.get_slot("record_id")
        for slot in ("record_id", "resume_code") if carried else ():
            if tracker.get_slot(slot):
                events.append(SlotSet(slot, tracker.get_slot(slot)))
        if carried:
            say(dispatcher, tracker, "welcome_back")
        events += [
            SlotSet("account_id", str(account) if account else None),
            SlotSet("audience", "staff" if account else "public"),
            ActionExecuted("action_listen"),
        ]
        return events


def reset_report() -> list[EventType]:
    return [SlotSet(slot, None) for slot in REPORT_SLOTS]


class ActionStartReport(Action):
    def name(self) -> str:
        return "action_start_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return start_from(tracker)


def start_from(tracker: Tracker) -> list[EventType]:
    """A new report; a message that already says what happened becomes its description."""
    events = reset_report()
    text = latest_text(tracker)
    # A resume code is passed on too: the describe form takes it as the way back into a draft.
    if latest_intent(tracker) == "describe_event" or len(text.split()) >= DESCRIPTION_WORDS or code_in(text):
        events.append(SlotSet("description", text))
    return events
