"""Deleting a draft: only when asked for unambiguously, confirmed first, and undoable for a while.
A message that says submit or send never deletes; at the check-your-answers step it submits.

The confirmation is its own form (`delete_form`, one slot `delete_ok`); the draft's answers are kept
in the conversation for UNDO_MINUTES so "undo" can put them back into a new draft."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import messages
from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, channel_name, latest_text
from actions.interpret import yes_or_no
from actions.say import say
from actions.start import reset_report

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


async def reply_act(tracker: Tracker, text: str) -> str:
    """What the words ask for (submit, delete, undo, ...), read by the backend's interpreter."""
    try:
        return (await get_client().interpret_reply(act_as(tracker), None, text, audience(tracker)))["act"]
    except (BackendUnavailable, BackendRejected):
        return "none"


class ActionDeleteDraft(Action):
    """The NLU heard 'delete': never delete here; ask first (delete_form), unless the words say submit."""

    def name(self) -> str:
        return "action_delete_draft"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        back = SlotSet("delete_return", tracker.active_loop_name)
        if not tracker.get_slot("record_id"):
            return [back, SlotSet("delete_ok", "none")]
        act = await reply_act(tracker, latest_text(tracker))
        if act == "submit":
            return [back, SlotSet("delete_ok", "submit")]
        if act != "delete":  # "none of them", heard as delete, may be the answer to the question showing
            from actions.report_form import answer_if_it_is_one

            answered = await answer_if_it_is_one(dispatcher, tracker)
            if answered is not None:
                return answered
        return [back, SlotSet("delete_ok", None)]


class ActionAskDeleteOk(Action):
    def name(self) -> str:
        return "action_ask_delete_ok"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say(dispatcher, tracker, "ask_delete")
        return []


class ValidateDeleteForm(FormValidationAction):
    clock: Clock = staticmethod(utc_now)

    def name(self) -> str:
        return "validate_delete_form"

    async def validate_delete_ok(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: dict[str, Any]) -> dict[str, Any]:
        if value in ("none", "submit", "kept", "deleted"):  # decided before asking (ActionDeleteDraft)
            return {"delete_ok": value}
        text = (value or "").strip()
        said = yes_or_no(text, None)
        if said is not True or "submit" in text.lower() or "send" in text.lower():
            say(dispatcher, tracker, "kept")
            return {"delete_ok": "kept"}
        client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
        try:
            kept = await client.record(who, record)
            await client.delete(who, record)
        except BackendUnavailable:
            say(dispatcher, tracker, "backend_down")
            return {"delete_ok": "kept"}
        except BackendRejected:
            say(dispatcher, tracker, "nothing_to_delete")
            return {"delete_ok": "none"}
        say(dispatcher, tracker, "deleted", minutes=messages.UNDO_MINUTES)
        return {"delete_ok": "deleted", "deleted_draft": {
            "event_type": kept.get("event_type"), "answers": kept.get("answers") or {},
            "deleted_at": self.clock().isoformat()}}


class ActionAfterDelete(Action):
    """Deleted: a clean start. Kept: back to where the reporter was. 'Submit': at the check step, submit."""

    def name(self) -> str:
        return "action_after_delete"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        outcome, back = tracker.get_slot("delete_ok"), tracker.get_slot("delete_return")
        done = [SlotSet("delete_ok", None), SlotSet("delete_return", None)]
        if outcome == "deleted":
            return [*done, *reset_report()]
        if outcome == "none":
            say(dispatcher, tracker, "nothing_to_delete")
        if outcome == "submit":
            if back == "recap_form":
                from actions.recap_form import submit_report

                return [*done, *await submit_report(dispatcher, tracker)]
            say(dispatcher, tracker, "not_deleted_submit")
        return [*done, FollowupAction(back)] if back else done


def restore_items(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """A deleted draft's answers as answer items, the patient count before what depends on it."""
    fields = dict(answers.get("fields") or {})
    fields.pop("EventType", None)
    for assumed in answers.get("defaulted") or []:  # the plan's defaults: put in again by the backend, as assumed
        fields.pop(assumed, None)
    inferred = set(answers.get("inferred") or [])  # read from later answers, still to be confirmed: kept so
    items = [{"field": f, "value": v, **({"inferred": True} if f in inferred else {})} for f, v in fields.items()]
    items.sort(key=lambda i: i["field"] != "PatientCount")
    for n, patient in enumerate(answers.get("patients") or [], 1):
        items += [{"field": f, "patient": n, "value": v, **({"inferred": True} if f"{f}:{n}" in inferred else {})}
                  for f, v in patient.items()]
    for key in answers.get("skipped") or []:
        field, _, patient = key.partition(":")
        items.append({"field": field, "patient": int(patient) if patient else None, "skip": True})
    return items


class ActionUndoDelete(Action):
    clock: Clock = staticmethod(utc_now)

    def name(self) -> str:
        return "action_undo_delete"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kept = tracker.get_slot("deleted_draft")
        if not kept:
            say(dispatcher, tracker, "nothing_to_undo")
            return []
        if self.clock() - datetime.fromisoformat(kept["deleted_at"]) > timedelta(minutes=messages.UNDO_MINUTES):
            say(dispatcher, tracker, "undo_too_late")
            return [SlotSet("deleted_draft", None)]
        client, who, items = get_client(), act_as(tracker), restore_items(kept["answers"])
        try:
            created = await client.create_record(who, channel_name(tracker), event_type=kept["event_type"], answers=items)
        except BackendUnavailable:
            say(dispatcher, tracker, "backend_down")
            return []
        except BackendRejected:  # an answer that no longer fits: put back what does, one by one
            created = await client.create_record(who, channel_name(tracker), event_type=kept["event_type"])
            for item in items:
                try:
                    await client.answer(who, created["record"]["id"], [item])
                except BackendRejected:
                    continue
        say(dispatcher, tracker, "restored")
        return [*reset_report(), SlotSet("deleted_draft", None), SlotSet("record_id", created["record"]["id"]),
                FollowupAction("report_form")]
