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
from actions.conversation import act_as, audience, latest_intent, words
from actions.digressions import correct, explain
from actions.interpret import interpret
from actions.render import question_message
from actions.resolve import resolve
from actions.safety import DangerCheck


class ActionAskAnswer(Action):
    def name(self) -> str:
        return "action_ask_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        current = tracker.get_slot("question")
        if current and current.get("candidates"):
            return []  # the candidates were just listed; wait for the pick
        if current and tracker.get_slot("question_synced"):  # came with the last answer's response
            dispatcher.utter_message(**question_message(current, audience(tracker)))
            return []
        try:
            nq = await get_client().next_question(act_as(tracker), tracker.get_slot("record_id"))
        except BackendUnavailable:
            dispatcher.utter_message(text=messages.BACKEND_DOWN)
            return []
        question = nq["question"]
        if question:
            dispatcher.utter_message(**question_message(question, audience(tracker)))
        return [SlotSet("question", question), SlotSet("question_synced", True)]


class ValidateReportForm(DangerCheck, FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict[str, Any]) -> list[str]:
        if not tracker.get_slot("record_id"):
            return []
        if tracker.get_slot("question_synced"):  # the backend's answer already said what is next
            return ["answer"] if tracker.get_slot("question") else []
        try:
            nq = await get_client().next_question(act_as(tracker), tracker.get_slot("record_id"))
        except (BackendUnavailable, BackendRejected):
            return ["answer"]  # keep the form; the ask action tells the reporter
        # Kept for the rest of this run (rasa-sdk asks for the required slots up to three times) and
        # passed on as slots by run(), so the question is fetched once, not once per call and again to ask it.
        tracker.slots.update({"question": nq["question"], "question_synced": True})
        return ["answer"] if nq["question"] else []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        synced_before = tracker.get_slot("question_synced")
        events = await super().run(dispatcher, tracker, domain)
        set_here = {e.get("name") for e in events if e.get("event") == "slot"}
        if not synced_before and tracker.get_slot("question_synced") and "question" not in set_here:
            events += [SlotSet("question", tracker.get_slot("question")), SlotSet("question_synced", True)]
        return events

    @staticmethod
    async def _digression(question: dict[str, Any], text: str, dispatcher: CollectingDispatcher,
                          tracker: Tracker) -> dict[str, Any] | None:
        """A question about the question, or a correction, unless the words are simply an answer:
        short answers are easily mistaken for these intents, so the answer is tried first."""
        intent = tracker.latest_message.get("intent") or {}
        if intent.get("name") not in ("ask_help", "correct", "out_of_scope", "abuse"):
            return None
        found = interpret(question, text, None)
        answerable = found.value is not None or found.skip
        if answerable and (question["type"] != "string" or intent.get("confidence", 0) < 0.8):
            return None
        if intent["name"] == "ask_help":
            await explain(dispatcher, tracker)
            return {"answer": None}
        if intent["name"] in ("out_of_scope", "abuse"):
            reply = messages.OUT_OF_SCOPE if intent["name"] == "out_of_scope" else messages.ABUSE
            dispatcher.utter_message(text=words(tracker, *reply))
            return {"answer": None}
        await correct(dispatcher, tracker)
        return {"answer": None, "question": None, "question_synced": None}

    async def validate_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict[str, Any]) -> dict[str, Any]:
        if value is None:  # cleared by a reset, not said by the reporter
            return {"answer": None}
        question = tracker.get_slot("question")
        if not question:
            return {"answer": None}
        text, client, who = (value or "").strip(), get_client(), act_as(tracker)
        digression = await self._digression(question, text, dispatcher, tracker)
        if digression is not None:
            return digression
        if question.get("candidates"):
            question = {**question, "choices": question["candidates"], "candidates": None, "search": None}
        try:
            found = await resolve(client, who, question, text, interpret(question, text, latest_intent(tracker)))
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
        return {"answer": None, "question": result.get("next_question"), "question_synced": "next_question" in result}
