"""Things a reporter can say at any point; each returns to the form that was running."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, latest_text, resume_loop, words
from actions.interpret import interpret
from actions.resolve import resolve
from actions.start import DESCRIPTION_WORDS, reset_report, start_from


class _Respond(Action):
    """Says a fixed message (staff or public wording), then goes back to the form."""

    action_name = ""
    message: tuple[str, ...] = ("", "")

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=words(tracker, *self.message))
        return resume_loop(tracker)


class ActionDanger(_Respond):
    action_name, message = "action_danger", messages.DANGER


class ActionHuman(_Respond):
    action_name, message = "action_human", messages.HUMAN


class ActionOutOfScope(_Respond):
    action_name, message = "action_out_of_scope", messages.OUT_OF_SCOPE


class ActionAbuse(_Respond):
    action_name, message = "action_abuse", messages.ABUSE


def _entity(tracker: Tracker, name: str) -> str | None:
    return next((e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == name), None)


async def explain(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A short plain definition of the current question, or of the part of it asked about."""
    question = tracker.get_slot("question")
    field = _entity(tracker, "field_name") or (question or {}).get("field")
    help_text = (question or {}).get("help") if question and question.get("field") == field else None
    if tracker.get_slot("record_id") and field:
        try:
            client, who = get_client(), act_as(tracker)
            event_type = (await client.summary(who, tracker.get_slot("record_id")))["event_type"] or "incident"
            plan = await client.plan(who, event_type, audience(tracker))
            help_text = next((q.get("help") for q in plan["questions"] if q["field"] == field), help_text)
        except (BackendUnavailable, BackendRejected):
            pass
    if help_text:
        dispatcher.utter_message(text=_focus(help_text, latest_text(tracker)))
    elif question:
        options = "'I don't know'" + ("" if question.get("mandatory") else " or 'skip'")
        dispatcher.utter_message(text=f"This asks: {question['text']} Choose what fits best; if you're not sure, "
                                      f"say {options}.")
    else:
        dispatcher.utter_message(text=words(
            tracker, "I record patient safety events: tell me what happened and I'll ask only what's missing.",
            "I help you tell the NHS what happened. Answer in your own words; say 'skip' if you'd rather not say."))


def _focus(help_text: str, asked: str) -> str:
    """'What counts as moderate harm?' gets the sentence about moderate, not the whole scale."""
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+", help_text) if s.strip()]
    keys = [w for w in re.findall(r"[a-z]+", asked.lower())
            if len(w) > 3 and w not in {"what", "does", "mean", "counts", "harm", "explain", "that", "this"}]
    picked = [s for s in sentences if any(k in s.lower() for k in keys)]
    return " ".join(picked) if picked else help_text


async def correct(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """'Change the harm to low', 'actually it was Tuesday': finds the question and the new value.
    Returns whether an answer was changed."""
    record, text = tracker.get_slot("record_id"), latest_text(tracker)
    if not record:
        dispatcher.utter_message(text="There's nothing to change yet. Tell me what happened first.")
        return False
    client, who = get_client(), act_as(tracker)
    try:
        summary = await client.summary(who, record)
        plan = await client.plan(who, summary["event_type"] or "incident", audience(tracker))
        item = await _correction(client, who, plan, _entity(tracker, "field_name"), text)
        if item is None:
            dispatcher.utter_message(text="What would you like to change? For example 'change the harm to low'.")
            return False
        await client.answer(who, record, [item])
    except BackendUnavailable:
        dispatcher.utter_message(text=messages.BACKEND_DOWN)
        return False
    except BackendRejected as exc:
        dispatcher.utter_message(text=messages.rejected(exc.detail))
        return False
    dispatcher.utter_message(text=words(tracker, "Changed.", "Thanks, I've changed that."))
    return True


async def _correction(client, who: str, plan: dict, field: str | None, text: str) -> dict | None:
    questions = {q["field"]: q for q in plan["questions"]}
    if field is None or field in ("ApproximateDate", "IncidentOccurredToday"):
        analysis = await client.analyse(who, text, "staff")
        dated = [i["value"] for i in analysis.get("suggestions", []) if i["field"] == "ApproximateDate"]
        if dated and "ApproximateDate" in questions:
            return {"field": "ApproximateDate", "value": dated[0]}
        if field is None:
            return None
    q = questions.get(field)
    if q is None:
        return None
    value_text = re.split(r"\b(?:to|was|is|be|should be)\b", text, maxsplit=1)[-1].strip(" .!?")
    question = {**q, "unknown_code": None, "search": None, "patient": 1 if q.get("per_patient") else None}
    found = await resolve(client, who, question, value_text, interpret(question, value_text, None))
    if found.value is None or found.problem:
        return None
    return {"field": field, "patient": question["patient"], "value": found.value}


def _new_report(tracker: Tracker) -> list[EventType] | None:
    """With nothing under way, a long message is someone telling us what happened, not a digression."""
    if tracker.active_loop_name or tracker.get_slot("record_id") or len(latest_text(tracker).split()) < DESCRIPTION_WORDS:
        return None
    return [*start_from(tracker), FollowupAction("describe_form")]


class ActionExplain(Action):
    def name(self) -> str:
        return "action_explain"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        new = _new_report(tracker)
        if new:
            return new
        await explain(dispatcher, tracker)
        return resume_loop(tracker)


class ActionCorrectAnswer(Action):
    def name(self) -> str:
        return "action_correct_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        new = _new_report(tracker)
        if new:
            return new
        changed = await correct(dispatcher, tracker)
        return [*([SlotSet("question", None), SlotSet("question_synced", None), SlotSet("recap_ok", None)]
                   if changed else []), *resume_loop(tracker)]


class ActionStopReport(Action):
    def name(self) -> str:
        return "action_stop_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=messages.stopped(audience(tracker)))
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_report()]


class ActionDeleteDraft(Action):
    def name(self) -> str:
        return "action_delete_draft"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        record = tracker.get_slot("record_id")
        if record:
            try:
                await get_client().delete(act_as(tracker), record)
            except BackendUnavailable:
                dispatcher.utter_message(text=messages.BACKEND_DOWN)
                return resume_loop(tracker)
            except BackendRejected:
                pass  # already gone or submitted: nothing to delete
            dispatcher.utter_message(text=words(tracker, "Draft deleted.", "OK, I've deleted it."))
        else:
            dispatcher.utter_message(text="There's no draft open to delete.")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_report()]
