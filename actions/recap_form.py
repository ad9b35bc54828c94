"""Check your answers, then submit and give the reference number."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import messages
from actions.answer_items import has_answer, items_for, say_approximate
from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, latest_intent
from actions.digressions import apply_pending, correct, explain
from actions.interpret import yes_or_no
from actions.safety import DangerCheck
from actions.say import listing, say, utter
from actions.start import reset_report
from wording.catalogue import wording
from wording.message import message

MAX_ANSWER = 80


def _short(text: str) -> str:
    return text if len(text) <= MAX_ANSWER else text[: MAX_ANSWER - 1].rsplit(" ", 1)[0] + "..."


class ActionAskRecapOk(Action):
    def name(self) -> str:
        return "action_ask_recap_ok"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
        try:
            summary = await client.summary(who, record)
            offered = (await client.next_question(who, record)).get("offered") or []
        except BackendUnavailable:
            say(dispatcher, tracker, "backend_down")
            return []
        # Short names and no skipped questions: the recap must fit a text message or a spoken turn.
        shown = [row for row in summary["answers"] if row["answer"] != "Skipped"]
        lines = [{"name": row["label"], "value": _short(row["answer"])} for row in shown
                 if not row.get("defaulted") and not row.get("inferred")]
        who_for = audience(tracker)
        # What later answers said besides (actions/answer_items.py): one line, to confirm or change here.
        inferred = "; ".join(f"{row['label']}: {_short(row['answer'])}" for row in shown if row.get("inferred"))
        if inferred:
            lines.append({"name": wording("recap_inferred", who_for, "screen"), "value": inferred})
        # What the plan assumed (organisation, role, anonymity, sharing): one line, changed by one reply.
        assumed = "; ".join(f"{row['label']}: {_short(row['answer'])}" for row in shown if row.get("defaulted"))
        if assumed:
            lines.append({"name": wording("recap_assumed", who_for, "screen"), "value": assumed})
        if offered:  # optional questions not asked one by one (the plan's `chat: offer`)
            lines.append({"name": wording("recap_offered", who_for, "screen"),
                          "value": ", ".join(o["label"].lower() for o in offered)})
        listing(dispatcher, tracker, "recap", lines)
        return []


class ValidateRecapForm(DangerCheck, FormValidationAction):
    def name(self) -> str:
        return "validate_recap_form"

    async def validate_recap_ok(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: dict[str, Any]) -> dict[str, Any]:
        """Yes submits; any answer can be changed in words; questions are answered; 'no' asks what."""
        if value is None:  # cleared by a reset, not said by the reporter
            return {"recap_ok": None}
        text, intent = (value or "").strip(), latest_intent(tracker)
        try:
            pending = await apply_pending(dispatcher, tracker, text)
            if pending is not None:
                return {"recap_ok": None, **pending}
            act = (await get_client().interpret_reply(act_as(tracker), None, text, audience(tracker)))["act"]
        except BackendUnavailable:
            say(dispatcher, tracker, "backend_down")
            return {"recap_ok": None}
        if act == "submit":
            return {"recap_ok": "yes"}
        if act == "help":
            await explain(dispatcher, tracker)
            return {"recap_ok": None}
        if act == "progress":
            say(dispatcher, tracker, "progress_done")
            return {"recap_ok": None}
        said = yes_or_no(text.lower(), intent)
        words_said = len(text.split())
        if said is True and words_said <= 4:
            return {"recap_ok": "yes"}
        if said is None and intent != "correct":
            try:
                added = await _offered_answer(text, dispatcher, tracker)
            except BackendUnavailable:
                say(dispatcher, tracker, "backend_down")
                return {"recap_ok": None}
            if added:
                return {"recap_ok": None}  # the recap is shown again, with it
        if intent == "correct" or words_said > 2:
            changed = await correct(dispatcher, tracker)  # the recap is shown again, with the change
            return {"recap_ok": None, **(changed or {})}
        if said is False:
            say(dispatcher, tracker, "ask_which")
        else:
            say(dispatcher, tracker, "recap_say_yes")
        return {"recap_ok": None}


# Offered questions a reply can answer without naming them: their answers are choices, bands or numbers,
# which the interpreter reads with a confidence; free-text ones would take any words, so they are named.
READ_UNNAMED = ("code", "integer", "boolean", "age")
SURE = 0.85


async def _offered_answer(text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """'She's 52' at check your answers: the answer to exactly one optional question offered there
    ("you can also add: age, ..."), saved; False when the reply answers none of them, or more than one."""
    client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
    offered = [o for o in (await client.next_question(who, record)).get("offered") or []
               if o.get("type") in READ_UNNAMED]
    found = []
    for o in offered:
        try:
            reading = await client.interpret_reply(who, o["field"], text, audience(tracker), False)
        except BackendRejected:
            continue
        if reading["act"] == "answer" and reading.get("confidence", 0) >= SURE and has_answer(reading):
            found.append((o, reading))
    if len(found) != 1:
        return False
    o, reading = found[0]
    items = items_for(o["field"], o.get("patient"), reading)
    try:
        await client.answer(who, record, items)
    except BackendRejected:
        return False
    if len(items) > 1:  # "about 80": its band, no exact age, and why
        say_approximate(dispatcher, tracker, reading)
    else:
        say(dispatcher, tracker, "also_saved", items=f"{o['label']}: {reading.get('label') or reading['value']}")
    return True


class ActionSubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return await submit_report(dispatcher, tracker)


async def submit_report(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Submits the draft: the reference number, or the questions still missing."""
    try:
        result = await get_client().submit(act_as(tracker), tracker.get_slot("record_id"))
    except BackendUnavailable:
        say(dispatcher, tracker, "backend_down_submit")
        return [SlotSet("recap_ok", None), FollowupAction("recap_form")]
    except BackendRejected as exc:
        if exc.status == 422:  # something mandatory is missing: ask exactly that
            say(dispatcher, tracker, "more_answers_first")
            return [SlotSet("recap_ok", None), SlotSet("answer", None), FollowupAction("report_form")]
        messages.rejected(dispatcher, tracker, exc.detail)
        return reset_report()
    utter(dispatcher, message("submitted", audience(tracker), reference=result["reference"]))  # ends the conversation
    return reset_report()
