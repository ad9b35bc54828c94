"""The plan's questions, one per turn, each answer saved to the backend draft at once.

The form has one slot, `answer`, asked again for every question the backend's plan still has;
the form ends when the backend says nothing is left to ask."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import messages
from actions.answer_items import has_answer, items_for, note_what_else, say_approximate
from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, latest_intent, latest_text
from actions.description import add_to_description, looks_like_story
from actions.digressions import apply_pending, correct, explain
from actions.group_answer import answer_group
from actions.interpret import Interpretation, match_choice, yes_or_no
from actions.resolve import name_in, resolve, rest_of_no
from actions.safety import DangerCheck
from actions.say import ask, choose, say


class ActionAskAnswer(Action):
    def name(self) -> str:
        return "action_ask_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        current = tracker.get_slot("question")
        if current and current.get("candidates"):
            return []  # the candidates were just listed; wait for the pick
        if current and tracker.get_slot("question_synced"):  # came with the last answer's response
            ask(dispatcher, tracker, current)
            return []
        try:
            nq = await get_client().next_question(act_as(tracker), tracker.get_slot("record_id"))
        except BackendUnavailable:
            say(dispatcher, tracker, "backend_down")
            return []
        question = nq["question"]
        if question:
            ask(dispatcher, tracker, question)
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
    async def _digression(reading: dict[str, Any], dispatcher: CollectingDispatcher,
                          tracker: Tracker) -> dict[str, Any] | None:
        """A reply that is not an answer: a question about the question, how long is left, a
        correction, or off-topic words. The interpreter's reading comes first: short answers are
        easily mistaken for these intents by the NLU."""
        intent = tracker.latest_message.get("intent") or {}
        if reading["act"] == "help":
            await explain(dispatcher, tracker)
            return {"answer": None}
        if reading["act"] == "progress":
            await progress(dispatcher, tracker)
            return {"answer": None}
        if reading["act"] in ("answer", "skip", "unknown") or intent.get("name") not in ("correct", "out_of_scope", "abuse"):
            return None
        question = tracker.get_slot("question") or {}
        if question.get("search") and not CORRECTING.search(latest_text(tracker)):
            return None  # a name ("the name is sunnyside lodge", "it was at st marys") is searched, not a digression
        if intent["name"] in ("out_of_scope", "abuse") and intent.get("confidence", 0) >= 0.8 \
                and not _mentions_a_choice(latest_text(tracker), question.get("choices") or []):
            say(dispatcher, tracker, "out_of_scope" if intent["name"] == "out_of_scope" else "abuse")
            return {"answer": None}
        if intent["name"] == "correct":
            changed = await correct(dispatcher, tracker)
            return {"answer": None, **(changed or {}), "question": None, "question_synced": None}
        return None

    async def validate_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict[str, Any]) -> dict[str, Any]:
        if value is None:  # cleared by a reset, not said by the reporter
            return {"answer": None}
        question = tracker.get_slot("question")
        if not question:
            return {"answer": None}
        text, client, who = (value or "").strip(), get_client(), act_as(tracker)
        try:
            pending = await apply_pending(dispatcher, tracker, text)
            if pending is not None:
                return {"answer": None, **pending, "question": None, "question_synced": None}
            if question.get("candidates"):
                return await self._candidate(question, text, dispatcher, tracker)
            if question.get("group"):  # one reply for several questions: what it settles is saved
                grouped = await answer_group(question, text, dispatcher, tracker)
                if grouped is not None:
                    return grouped
            reading = await client.interpret_reply(who, question["field"], text, audience(tracker),
                                                   bool(question.get("mandatory")))
            if reading["act"] in ("stop", "delete", "submit", "undo"):
                return await self._wants(reading["act"], dispatcher, tracker)
            if reading["act"] == "elsewhere":
                return await self._elsewhere(reading, dispatcher, tracker)
            reading = _with_intent(reading, question, latest_intent(tracker))
            digression = await self._digression(reading, dispatcher, tracker)
            if digression is not None:
                return digression
            if reading["act"] in ("answer", "unknown", "skip"):
                return await self._save(question, {**reading, "text": text}, dispatcher, tracker)
            if question.get("search"):
                return await self._search(question, text, dispatcher, tracker)
            if looks_like_story(text):
                return await self._story(question, text, dispatcher, tracker)
        except BackendUnavailable:
            say(dispatcher, tracker, "backend_down")
            return {"answer": None}
        except BackendRejected as exc:
            messages.rejected(dispatcher, tracker, exc.detail)
            return {"answer": None, "question": {**question, "candidates": None}}
        say(dispatcher, tracker, "not_understood_choices" if question.get("choices") else "not_understood")
        return {"answer": None}

    async def _save(self, question: dict[str, Any], reading: dict[str, Any], dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> dict[str, Any]:
        client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
        field, patient = question["field"], question.get("patient")
        skip = reading["act"] == "skip" or (reading["act"] == "unknown" and reading["value"] is None) \
            or (reading["act"] == "answer" and not has_answer(reading))
        if skip and question.get("mandatory"):
            say(dispatcher, tracker, "mandatory_needed")
            return {"answer": None}
        items = [{"field": field, "patient": patient, "skip": True}] if skip else items_for(field, patient, reading)
        result = await client.answer(who, record, items)
        messages.warn_identifiers(dispatcher, result.get("identifiers_found", []), tracker)
        if len(items) > 1:  # "about 80": the band, not an exact age, and the reporter is told so
            say_approximate(dispatcher, tracker, reading)
        elif reading.get("approximate") and reading.get("label"):
            say(dispatcher, tracker, "approximate", label=reading["label"])
        if not skip and question.get("type") == "string" and reading.get("text"):
            # A free-text answer can answer more than was asked: what else it says fills open questions.
            result = await note_what_else(dispatcher, tracker, reading["text"], field) or result
        also = []
        for other in (reading.get("others") or []) if len(items) == 1 else []:  # "no, saturday night": the date too
            try:
                result = await client.answer(who, record, [{"field": other["field"], "value": other["value"]}])
                also.append(other.get("label") or str(other["value"]))
            except BackendRejected:
                continue
        if also:
            say(dispatcher, tracker, "also_saved", items=", ".join(also))
        return {"answer": None, "question": result.get("next_question"), "question_synced": "next_question" in result}

    @staticmethod
    async def _elsewhere(reading: dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """A reply that answers another question ("im his son" to the medicines question): saved there,
        and the question showing is asked again."""
        client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
        saved = []
        for other in reading.get("others") or []:
            try:
                await client.answer(who, record, [{"field": other["field"], "value": other["value"],
                                                   "patient": 1 if other.get("per_patient") else None}])
                saved.append(other.get("label") or str(other["value"]))
            except BackendRejected:
                continue
        say(dispatcher, tracker, "also_saved" if saved else "not_understood", items=", ".join(saved))
        return {"answer": None, "question": None, "question_synced": None}

    async def _search(self, question: dict[str, Any], text: str, dispatcher: CollectingDispatcher,
                      tracker: Tracker) -> dict[str, Any]:
        found = await resolve(get_client(), act_as(tracker), question, text, Interpretation())
        if found.problem == "candidates":
            if len(found.value) == 1:
                say(dispatcher, tracker, "did_you_mean", name=found.value[0]["label"])
            else:
                choose(dispatcher, tracker, "which_one", [{"label": c["label"], "payload": str(i)}
                                                          for i, c in enumerate(found.value, 1)])
            return {"answer": None, "question": {**question, "candidates": found.value, "searched": text}}
        if found.problem and question["field"] == "Organisation":  # the plan's `or`: OrganisationOther meets it
            return await self._keep_name(text, dispatcher, tracker)
        if found.problem:
            say(dispatcher, tracker, found.problem)
            return {"answer": None}
        return await self._save(question, {"act": "answer", "value": found.value}, dispatcher, tracker)

    @staticmethod
    async def _keep_name(name: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """A place the list does not know is kept in the reporter's words (LFPSE's OrganisationOther), for staff
        too: with it the organisation is left out (not assumed from the account), in one save."""
        client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
        name = name_in(name)  # "its called rosewood house" -> "rosewood house"
        result = await client.answer(who, record, [{"field": "Organisation", "skip": True},
                                                   {"field": "OrganisationOther", "value": name}])
        say(dispatcher, tracker, "kept_as_written", name=name)
        # "the walk in centre at st marys": the kind of place it names can answer the service question too.
        result = await note_what_else(dispatcher, tracker, name, "OrganisationOther") or result
        return {"answer": None, "question": result.get("next_question"), "question_synced": "next_question" in result}

    async def _candidate(self, question: dict[str, Any], text: str, dispatcher: CollectingDispatcher,
                         tracker: Tracker) -> dict[str, Any]:
        listed = {**question, "choices": question["candidates"], "candidates": None, "search": None}
        picked = match_choice(text, listed["choices"])
        said = yes_or_no(text, latest_intent(tracker)) if len(listed["choices"]) == 1 else None
        if said is True and not picked:  # "yes, that's the one" to a single name offered
            picked = listed["choices"][0]
        rest = rest_of_no(text) if said is False else ""
        if rest:  # "no, the one on the high street": searched again with the new words
            return await self._search({**question, "candidates": None}, rest, dispatcher, tracker)
        if said is False and question["field"] == "Organisation":  # the plan's `or`: OrganisationOther meets it
            return await self._keep_name(question["searched"], dispatcher, tracker)
        if said is False:
            say(dispatcher, tracker, "name_not_found")
            return {"answer": None, "question": {**question, "candidates": None}}
        if not picked and said is None and rest_of_no(f"no {text}"):
            # Not one of those, in other words ("the one in leeds, st james's university hospital"): searched
            # again with them, and kept as written if the list does not know them either.
            return await self._search({**question, "candidates": None}, text, dispatcher, tracker)
        if not picked and question.get("searched") and question["field"] == "Organisation":
            return await self._keep_name(question["searched"], dispatcher, tracker)  # none of those
        if not picked:
            say(dispatcher, tracker, "pick_number")
            return {"answer": None}
        value = [picked["code"]] if question.get("multiple") else picked["code"]
        return await self._save({**question, "candidates": None}, {"act": "answer", "value": value}, dispatcher, tracker)

    async def _story(self, question: dict[str, Any], text: str, dispatcher: CollectingDispatcher,
                     tracker: Tracker) -> dict[str, Any]:
        """More of what happened, told while a question was showing: kept in the description, and the
        question showing is answered from it when the analysis is sure; otherwise asked again."""
        found = await add_to_description(dispatcher, tracker, text, showing=question["field"])
        match = next((f for f in found if f["field"] == question["field"] and f.get("confidence", 0) >= 0.8), None)
        if match and question.get("patient") is None:
            return await self._save(question, {"act": "answer", "value": match["value"]}, dispatcher, tracker)
        return {"answer": None, "question": None, "question_synced": None}

    @staticmethod
    async def _wants(act: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Stop, delete, submit or undo said in words the NLU did not take for that: never acted on
        from here (deleting needs its own confirmation); the reporter is told how."""
        say(dispatcher, tracker, {"stop": "how_to_stop", "delete": "how_to_delete", "submit": "not_ready",
                                  "undo": "nothing_to_undo"}[act])
        return {"answer": None}


async def answer_if_it_is_one(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A reply the NLU took for stop or delete that answers the question showing ("none" for no
    psychological harm): saved as the answer, and the questions go on. None when it is no answer."""
    question = tracker.get_slot("question")
    if tracker.active_loop_name != "report_form" or not question or not tracker.get_slot("record_id") \
            or question.get("candidates"):
        return None
    try:
        if question.get("group"):
            grouped = await answer_group(question, latest_text(tracker), dispatcher, tracker)
            return None if grouped is None else [*(SlotSet(k, v) for k, v in grouped.items()),
                                                 FollowupAction("report_form")]
        reading = await get_client().interpret_reply(act_as(tracker), question["field"], latest_text(tracker),
                                                     audience(tracker), bool(question.get("mandatory")))
        if reading["act"] not in ("answer", "unknown") or not has_answer(reading):
            return None
        slots = await ValidateReportForm()._save(question, reading, dispatcher, tracker)
    except (BackendUnavailable, BackendRejected):
        return None
    return [*(SlotSet(k, v) for k, v in slots.items()), FollowupAction("report_form")]


CORRECTING = re.compile(r"\b(change|wrong|not right|i meant|mistake|actually|correct(ion)?)\b", re.I)


def _mentions_a_choice(text: str, choices: list[dict[str, Any]]) -> bool:
    """Whether a reply uses a word of one of the choices ("results review - follow up of test results" to
    "what was being done?"): an attempt at an answer, however unclear, is not off-topic."""
    def words(s: str) -> set[str]:
        return {w[:5] for w in re.findall(r"[a-z]{4,}", s.casefold())}
    said = words(text)
    return any(said & words(c.get("label") or "") for c in choices)


async def reply_to_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A reply the NLU took for stop with no word of stopping in it: read as a reply to the question
    showing, as the form would read it (a name searched, a story kept, or asked again). None outside it."""
    if tracker.active_loop_name != "report_form" or not tracker.get_slot("question") or not tracker.get_slot("record_id"):
        return None
    slots = await ValidateReportForm().validate_answer(latest_text(tracker), dispatcher, tracker, {})
    return [*(SlotSet(k, v) for k, v in slots.items()), FollowupAction("report_form")]


def _with_intent(reading: dict[str, Any], question: dict[str, Any], intent: str | None) -> dict[str, Any]:
    """'Rather not', 'no clue': when the words name no answer, the NLU's skip or don't-know stands."""
    if reading["act"] != "none" or intent not in ("skip", "dont_know"):
        return reading
    unknown = question.get("unknown_code")
    if intent == "dont_know" and unknown:
        return {**reading, "act": "unknown", "value": [unknown] if question.get("multiple") else unknown}
    return {**reading, "act": "skip"}


async def progress(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """'This is taking ages': an acknowledgement and how many questions are left."""
    nq = await get_client().next_question(act_as(tracker), tracker.get_slot("record_id"))
    n = nq.get("missing_mandatory") or (1 if nq.get("question") else 0)
    if nq.get("question") is None:
        say(dispatcher, tracker, "progress_done")
    else:
        say(dispatcher, tracker, "progress_one" if n == 1 else "progress_many", n=n)
