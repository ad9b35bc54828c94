"""The plan's questions, one per turn, each answer saved to the backend draft at once.

The form has one slot, `answer`, asked again for every question the backend's plan still has;
the form ends when the backend says nothing is left to ask."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import messages
from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, latest_intent
from actions.interpret import Interpretation, interpret
from actions.render import question_message

MAX_CANDIDATES = 5


async def finish(client, who: str, question: dict[str, Any], text: str, found: Interpretation) -> Interpretation:
    """Dates and searched lists (organisations) need the backend."""
    if found.value is not None or found.skip or found.problem:
        return found
    if question["type"] == "date":
        analysis = await client.analyse(who, text, "staff")
        for item in analysis.get("suggestions", []):
            if item["field"] == "ApproximateDate":
                return Interpretation(value=item["value"])
        return Interpretation(problem="Which day was it? For example 'yesterday' or 12/03/2026.")
    if question.get("search"):
        system = question["search"].split("/code-systems/")[1].split("?")[0]
        hits = (await client.search_codes(who, system, text, MAX_CANDIDATES))["codes"]
        if len(hits) == 1:
            return Interpretation(value=[hits[0]["code"]] if question["multiple"] else hits[0]["code"])
        if not hits:
            return Interpretation(problem="I couldn't find that name. Try the name as it appears on letters, or say 'skip'.")
        choices = [{"code": h["code"], "label": h["display"].title()} for h in hits]
        return Interpretation(problem="candidates", value=choices)
    return found


class ActionAskAnswer(Action):
    def name(self) -> str:
        return "action_ask_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        current = tracker.get_slot("question")
        if current and current.get("candidates"):
            return []  # the candidates were just listed; wait for the pick
        try:
            nq = await get_client().next_question(act_as(tracker), tracker.get_slot("record_id"))
        except BackendUnavailable:
            dispatcher.utter_message(text=messages.BACKEND_DOWN)
            return []
        question = nq["question"]
        if question:
            dispatcher.utter_message(**question_message(question, audience(tracker)))
        return [SlotSet("question", question)]


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict[str, Any]) -> list[str]:
        if not tracker.get_slot("record_id"):
            return []
        try:
            nq = await get_client().next_question(act_as(tracker), tracker.get_slot("record_id"))
        except (BackendUnavailable, BackendRejected):
            return ["answer"]  # keep the form; the ask action tells the reporter
        return ["answer"] if nq["question"] else []

    async def validate_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict[str, Any]) -> dict[str, Any]:
        question = tracker.get_slot("question")
        if not question:
            return {"answer": None}
        text, client, who = (value or "").strip(), get_client(), act_as(tracker)
        if question.get("candidates"):
            question = {**question, "choices": question["candidates"], "candidates": None, "search": None}
        try:
            found = await finish(client, who, question, text, interpret(question, text, latest_intent(tracker)))
            if found.problem == "candidates":
                listing = "\n".join(f"{i}. {c['label']}" for i, c in enumerate(found.value, 1))
                dispatcher.utter_message(text=f"Which one?\n{listing}",
                                         buttons=[{"title": c["label"], "payload": str(i)} for i, c in enumerate(found.value, 1)])
                return {"answer": None, "question": {**question, "candidates": found.value}}
            if found.problem:
                dispatcher.utter_message(text=found.problem)
                return {"answer": None, "question": {**question, "candidates": None}}
            item = {"field": question["field"], "patient": question.get("patient")}
            item.update({"skip": True} if found.skip else {"value": found.value})
            result = await client.answer(who, tracker.get_slot("record_id"), [item])
        except BackendUnavailable:
            dispatcher.utter_message(text=messages.BACKEND_DOWN)
            return {"answer": None}
        except BackendRejected as exc:
            dispatcher.utter_message(text=messages.rejected(exc.detail))
            return {"answer": None, "question": {**question, "candidates": None}}
        messages.warn_identifiers(dispatcher, result.get("identifiers_found", []), audience(tracker))
        return {"answer": None, "question": None}
