"""Shows what was understood from the description and saves it only once the reporter confirms."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, latest_intent
from actions.interpret import yes_or_no
from actions.safety import DangerCheck
from actions.say import listing, say
from wording.catalogue import entry

ONLY = re.compile(r"\b(?:only|just)\s+([^,.;]+)", re.I)
NONE_RIGHT = re.compile(r"\b(none of (it|that|them)|all wrong|it'?s all wrong|start again|ask me( instead)?|nothing is right)\b", re.I)


def as_answer(item: dict[str, Any]) -> dict[str, Any]:
    answer = {"field": item["field"], "value": item["value"]}
    if item.get("per_patient"):  # the one patient the first message is about
        answer["patient"] = 1
    return answer


async def save_items(client, who: str, record_id: str,
                     items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Saves confirmed values together; if the batch is refused, one by one, keeping what fits.
    Returns what was saved and the last save's response (which says the next question), if any."""
    # Saved in plan order of dependency: the patient count before the per-patient harm it opens up.
    items = sorted(items, key=lambda i: i["field"] != "PatientCount")
    answers = [as_answer(i) for i in items]
    try:
        return items, await client.answer(who, record_id, answers)
    except BackendRejected:
        saved, last = [], None
        for item, answer in zip(items, answers):
            try:
                last = await client.answer(who, record_id, [answer])
                saved.append(item)
            except BackendRejected:
                continue  # does not apply to this record: it will be asked instead
        return saved, last


class ActionAskExtractionOk(Action):
    def name(self) -> str:
        return "action_ask_extraction_ok"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        items = tracker.get_slot("extraction") or []
        public = audience(tracker) == "public"
        lines = [{"name": entry("field_name").get(i['field'], [i['field'], i['field']])[1 if public else 0], "value": i['label']}
                 for i in items]
        listing(dispatcher, tracker, "extraction_check", lines)
        return []


class ValidateConfirmForm(DangerCheck, FormValidationAction):
    def name(self) -> str:
        return "validate_confirm_form"

    async def validate_extraction_ok(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict[str, Any]) -> dict[str, Any]:
        if value is None:  # cleared by a reset, not said by the reporter
            return {"extraction_ok": None}
        if value == "nothing":
            return {"extraction_ok": "nothing"}
        text, intent = (value or "").strip().lower(), latest_intent(tracker)
        said = yes_or_no(text, intent)
        if said is True:
            items = tracker.get_slot("extraction") or []
            if len(text.split()) > 3:  # "yes, but it was 4pm": the correction applies, then all is saved
                fixed = await self._corrected(value or "", tracker)
                items = fixed["extraction"] if fixed else items
            try:
                saved, result = await save_items(get_client(), act_as(tracker), tracker.get_slot("record_id"), items)
            except BackendUnavailable:
                say(dispatcher, tracker, "backend_down")
                return {"extraction_ok": None}
            if saved:
                say(dispatcher, tracker, "saved")
            # The save's response says the first question, so the questions start without asking again.
            synced = {"question": result["next_question"], "question_synced": True} \
                if result and "next_question" in result else {}
            return {"extraction_ok": "yes", "extraction": None, **synced}
        if NONE_RIGHT.search(text):
            say(dispatcher, tracker, "ask_instead")
            return {"extraction_ok": "no", "extraction": None}
        fixed = await self._corrected(value or "", tracker) if len(text.split()) > 1 or intent == "correct" else None
        if fixed:
            return fixed
        # A bare "no", or a "no" whose correction was not understood: which part? Nothing is saved.
        say(dispatcher, tracker, "which_part")
        return {"extraction_ok": None}

    @staticmethod
    async def _corrected(text: str, tracker: Tracker) -> dict[str, Any] | None:
        """'No, it was 4pm': what the reply says replaces what was understood, then it is shown again."""
        try:
            analysis = await get_client().analyse(act_as(tracker), text, audience(tracker))
        except (BackendUnavailable, BackendRejected):
            analysis = {}
        understood = tracker.get_slot("extraction") or []
        known = {i["field"] for i in understood}
        # What the analysis may replace is the plan's (`inference: corrections`), marked `corrects` by the
        # backend; a count the plan's one-patient rule put in (`rule`) is not in the correction's words.
        fixes = {i["field"]: i for i in analysis.get("suggestions", [])
                 if i["field"] != "EventType" and not i.get("rule") and (i["field"] not in known or i.get("corrects"))}
        # "only insulin, the glucose was the treatment": a list narrowed to what follows "only".
        narrowed = ONLY.search(text)
        if narrowed:
            try:
                only = await get_client().analyse(act_as(tracker), narrowed.group(1), audience(tracker))
            except (BackendUnavailable, BackendRejected):
                only = {}
            for item in only.get("suggestions", []):
                if item["field"] in known and isinstance(item["value"], list) and not item.get("rule"):
                    fixes[item["field"]] = item
        # "No, it did not go well": the kind of report is corrected in so many words.
        try:
            reading = await get_client().interpret_reply(act_as(tracker), "EventType", text, audience(tracker))
        except (BackendUnavailable, BackendRejected):
            reading = {"act": "none"}
        if reading["act"] == "answer" and reading.get("confidence", 0) >= 0.9:
            fixes["EventType"] = {"field": "EventType", "value": reading["value"], "label": reading["label"],
                                  "confidence": reading["confidence"]}
        # "yes, but the harm was moderate": the interpreter's reading of a correction, against what was understood.
        kind = next((i["value"] for i in understood if i["field"] == "EventType"), None)
        try:
            found = await get_client().interpret_correction(act_as(tracker), text, fixes.get("EventType", {}).get(
                "value") or kind or "incident", audience(tracker), [i["field"] for i in understood])
        except (BackendUnavailable, BackendRejected):
            found = {"act": "ask_field"}
        if found["act"] == "change" and found["field"] not in fixes and found["field"] != "Description":
            fixes[found["field"]] = {"field": found["field"], "value": found["value"],
                                     "label": found.get("label") or str(found["value"]), "confidence": 0.9,
                                     "per_patient": found.get("patient") is not None}
            for other in (o for o in found.get("others") or [] if "value" in o):  # "no, in October": the day too
                fixes.setdefault(other["field"], {"field": other["field"], "value": other["value"],
                                                  "label": other.get("label") or str(other["value"]),
                                                  "confidence": 0.9, "per_patient": bool(other.get("per_patient"))})
        # What the correction repeats is no correction: with nothing else, the reporter is asked which part.
        before = {i["field"]: i["value"] for i in understood}
        fixes = {f: i for f, i in fixes.items() if before.get(f, object()) != i["value"]}
        if not fixes:
            return None
        kept = [i for i in tracker.get_slot("extraction") or [] if i["field"] not in fixes]
        return {"extraction_ok": None, "extraction": kept + list(fixes.values())}
