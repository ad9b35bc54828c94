"""Resume a draft by chat: the reporter's drafts, most recent first; the chosen one goes on from
its first missing question (wherever it was started: chat or web form)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.backend_client import BackendUnavailable, get_client
from actions.conversation import act_as, audience, latest_text
from actions.interpret import match_choice
from actions.resume_codes import is_code_for, redeem
from actions.safety import DangerCheck
from actions.say import choose, say
from actions.start import reset_report
from wording.catalogue import entry, wording


def label(draft: dict[str, Any]) -> str:
    when = date.fromisoformat(draft["event_date"] or draft["updated_at"][:10]).strftime("%-d %b %Y")
    names = entry("draft_type")
    return wording("draft_label", "any", "screen").format(
        type=names.get(draft["event_type"] or "", names["other"]), when=when,
        words=draft["first_words"] or wording("draft_no_description", "any", "screen"))


def live_drafts(tracker: Tracker) -> set[str]:
    """The drafts this conversation started or opened by code since its session began."""
    return {*(tracker.get_slot("session_drafts") or []), *filter(None, [tracker.get_slot("record_id")])}


class ActionListDrafts(Action):
    def name(self) -> str:
        return "action_list_drafts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        code = is_code_for(tracker, latest_text(tracker))
        if code:  # "my draft code is ...": the draft from an earlier call, chosen already
            slots = await redeem(dispatcher, tracker, code)
            if not slots.get("record_id"):
                return [*reset_report(), FollowupAction("describe_form")]
            return [*reset_report(), *(SlotSet(k, v) for k, v in slots.items()),
                    SlotSet("draft_choice", slots["record_id"])]
        try:
            drafts = await get_client().drafts(act_as(tracker))
        except BackendUnavailable:
            say(dispatcher, tracker, "backend_down")
            return [FollowupAction("action_listen")]
        if audience(tracker) == "public":
            # A public reporter is known only by the channel's key (an SMS number may be shared or
            # recycled): outside the live conversation a draft opens only with its code.
            live = live_drafts(tracker)
            drafts = [d for d in drafts if d["id"] in live]
            if not drafts:
                say(dispatcher, tracker, "ask_for_code")
                return [*reset_report(), FollowupAction("describe_form")]
        if not drafts:
            say(dispatcher, tracker, "no_drafts")
            return [*reset_report(), FollowupAction("describe_form")]
        return [*reset_report(), SlotSet("drafts", [{"id": d["id"], "label": label(d)} for d in drafts])]


class ActionAskDraftChoice(Action):
    def name(self) -> str:
        return "action_ask_draft_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        drafts = tracker.get_slot("drafts") or []
        choose(dispatcher, tracker, "which_draft", [{"label": d["label"], "payload": str(i)} for i, d in enumerate(drafts, 1)])
        return []


class ValidateResumeForm(DangerCheck, FormValidationAction):
    def name(self) -> str:
        return "validate_resume_form"

    async def validate_draft_choice(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> dict[str, Any]:
        if value is None:  # cleared by a reset, not said by the reporter
            return {"draft_choice": None}
        drafts = tracker.get_slot("drafts") or []
        if not drafts and value == tracker.get_slot("record_id"):  # chosen already, by its resume code
            return {"draft_choice": value}
        picked = match_choice(value or "", [{"code": d["id"], "label": d["label"]} for d in drafts])
        if not picked:
            say(dispatcher, tracker, "pick_draft_number")
            return {"draft_choice": None}
        say(dispatcher, tracker, "carrying_on")
        return {"draft_choice": picked["code"], "record_id": picked["code"], "drafts": None}
