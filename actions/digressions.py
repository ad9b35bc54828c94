"""Things a reporter can say at any point; each returns to the form that was running."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.answer_items import has_answer, items_for, note_what_else, say_approximate
from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience, latest_text, resume_loop
from actions.safety import danger_now
from actions.say import say
from actions.start import DESCRIPTION_WORDS, reset_report, start_from


class _Respond(Action):
    """Says a fixed message (staff or public wording), then goes back to the form."""

    action_name = ""
    message = ""  # the catalogue's id

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say(dispatcher, tracker, self.message)
        return resume_loop(tracker)


class ActionDanger(Action):
    """The NLU heard danger; the words decide (actions/safety.py). Not danger now: the message is
    what it looks like, the start of a report."""

    def name(self) -> str:
        return "action_danger"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if danger_now(latest_text(tracker)):
            say(dispatcher, tracker, "danger")
            return resume_loop(tracker)
        if tracker.active_loop_name or tracker.get_slot("record_id"):
            return resume_loop(tracker)
        return [*start_from(tracker), FollowupAction("describe_form")]


class ActionHuman(_Respond):
    action_name, message = "action_human", "human"


class ActionOutOfScope(_Respond):
    action_name, message = "action_out_of_scope", "out_of_scope"


class ActionAbuse(_Respond):
    action_name, message = "action_abuse", "abuse"


def _entity(tracker: Tracker, name: str) -> str | None:
    return next((e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == name), None)


async def explain(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A short plain definition of the current question, or of the part of it asked about."""
    question = tracker.get_slot("question")
    field = _entity(tracker, "field_name") or (question or {}).get("field")
    help_text = (question or {}).get("help") if question and question.get("field") == field else None
    if tracker.get_slot("record_id") and (field or not question):
        try:
            client, who = get_client(), act_as(tracker)
            event_type = (await client.summary(who, tracker.get_slot("record_id")))["event_type"] or "incident"
            plan = await client.plan(who, event_type, audience(tracker))
            if field:
                help_text = next((q.get("help") for q in plan["questions"] if q["field"] == field), help_text)
            else:  # at the check step: the question whose help shares most words with what was asked
                help_text = _closest_help(plan["questions"], latest_text(tracker))
        except (BackendUnavailable, BackendRejected):
            pass
    if help_text:
        say(dispatcher, tracker, "help_text", text=_focus(help_text, latest_text(tracker)))
    elif question:
        say(dispatcher, tracker, "explain_question" if question.get("mandatory") else "explain_question_optional",
            question=question["text"])
    else:
        say(dispatcher, tracker, "explain_general")


def _closest_help(questions: list[dict[str, Any]], asked: str) -> str | None:
    said = {w for w in re.findall(r"[a-z]+", asked.lower()) if len(w) > 3} - {"what", "does", "mean", "will", "that", "this"}
    scored = [(len(said & set(re.findall(r"[a-z]+", (q.get("help") or "").lower()))), q.get("help"))
              for q in questions if q.get("help")]
    best = max(scored, default=(0, None))
    return best[1] if best[0] >= 2 else None


def _focus(help_text: str, asked: str) -> str:
    """'What counts as moderate harm?' gets the sentence about moderate, not the whole scale."""
    if not re.search(r"\b(counts?|mean|means|meaning|what is|what's|whats)\b", asked.lower()):
        return help_text  # "why do you need to know that", "will they find out": the whole answer
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+", help_text) if s.strip()]
    keys = [w for w in re.findall(r"[a-z]+", asked.lower())
            if len(w) > 3 and w not in {"what", "does", "mean", "counts", "harm", "explain", "that", "this"}]
    picked = [s for s in sentences if any(k in s.lower() for k in keys)]
    return " ".join(picked) if picked else help_text


async def correct(dispatcher: CollectingDispatcher, tracker: Tracker, text: str | None = None) -> dict[str, Any] | None:
    """'Change the harm to low', 'actually it was nearer 11pm': the backend reads which question and
    the new value; "changed" is said only once the backend has stored it, with what changed to what.
    Unsure which question, or of the new value: asks. Returns the slots to set (None: nothing changed)."""
    record, text = tracker.get_slot("record_id"), text or latest_text(tracker)
    if not record:
        say(dispatcher, tracker, "nothing_to_change")
        return None
    client, who = get_client(), act_as(tracker)
    try:
        before = await client.summary(who, record)
        answered = [r["field"] for r in before["answers"]]
        found = await client.interpret_correction(who, text, before["event_type"] or "incident", audience(tracker),
                                                  answered)
        if found["act"] == "ask_field":
            say(dispatcher, tracker, "ask_which")
            return None
        pending = {"field": found["field"], "patient": found.get("patient")}
        if found["act"] == "ask_value":
            if found["field"] == "Description":
                say(dispatcher, tracker, "ask_description_add")
            else:
                name = _row_label(before, pending) or found["field"]
                say(dispatcher, tracker, "ask_new_value", label=name.lower())
            return {"pending_field": pending}
        return await _store(dispatcher, tracker, before, pending, found["value"], found.get("others") or [])
    except BackendUnavailable:
        say(dispatcher, tracker, "backend_down")
    except BackendRejected as exc:
        messages.rejected(dispatcher, tracker, exc.detail)
    return None


def _row(summary: dict[str, Any], key: dict[str, Any]) -> dict[str, Any] | None:
    return next((r for r in summary["answers"] if r["field"] == key["field"]
                 and (r.get("patient") or None) == (key.get("patient") or None)), None)


def _row_label(summary: dict[str, Any], key: dict[str, Any]) -> str | None:
    row = _row(summary, key)
    return row["label"] if row else None


async def _store(dispatcher: CollectingDispatcher, tracker: Tracker, before: dict[str, Any], key: dict[str, Any],
                 value: Any, others: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Saves the change, with what goes with it (`others`, first: the organisation left out for a place in words,
    the exact age left out for an approximate one), then says what changed to what."""
    client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
    result = await client.answer(who, record, [*(others or []), {**key, "value": value}])
    messages.warn_identifiers(dispatcher, result.get("identifiers_found", []), tracker)
    after = await client.summary(who, record)
    old, new = _row(before, key), _row(after, key)
    name = (new or old or {}).get("label") or key["field"]
    shown = new["answer"] if new else str(value)
    if old and new and old["answer"] == new["answer"]:
        say(dispatcher, tracker, "unchanged", label=name, new=shown)
    elif old:
        say(dispatcher, tracker, "changed", label=name.lower(), old=_quote(old["answer"]), new=_quote(shown))
    else:
        say(dispatcher, tracker, "changed_new", label=name.lower(), new=_quote(shown))
    if isinstance(value, str) and len(value.split()) >= 3:  # words, not a code: what else they say is noted too
        await note_what_else(dispatcher, tracker, value, key["field"])
    return {"pending_field": None, "question": None, "question_synced": None}


def _quote(answer: str, limit: int = 60) -> str:
    return answer if len(answer) <= limit else answer[: limit - 3].rsplit(" ", 1)[0] + "..."


async def apply_pending(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> dict[str, Any] | None:
    """The reply to 'what should it be?': the new value of the question asked about (the description
    is added to, never replaced). None when nothing was pending."""
    key = tracker.get_slot("pending_field")
    if not key:
        return None
    client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
    try:
        if key["field"] == "Description":
            from actions.description import add_to_description
            await add_to_description(dispatcher, tracker, text)
            return {"pending_field": None}
        reading = await client.interpret_reply(who, key["field"], text, audience(tracker))
        if reading["act"] not in ("answer", "unknown") or not has_answer(reading):
            say(dispatcher, tracker, "not_understood")
            return {"pending_field": key}
        items = items_for(key["field"], key.get("patient"), reading)
        if len(items) > 1:  # "about 80": the exact age left out, its band saved
            say_approximate(dispatcher, tracker, reading)
            last = items[-1]
            return await _store(dispatcher, tracker, await client.summary(who, record),
                                {"field": last["field"], "patient": last.get("patient")}, last["value"], items[:-1])
        return await _store(dispatcher, tracker, await client.summary(who, record), key, reading["value"])
    except BackendUnavailable:
        say(dispatcher, tracker, "backend_down")
        return {"pending_field": key}
    except BackendRejected as exc:
        messages.rejected(dispatcher, tracker, exc.detail)
        return {"pending_field": None}


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
        return [*(SlotSet(k, v) for k, v in (changed or {}).items()),
                *([SlotSet("recap_ok", None)] if changed else []), *resume_loop(tracker)]


# Words that may mean stop although the interpreter's stop phrases miss them ("bye for now", "tomorrow").
STOPPISH = re.compile(r"\b(stop|bye|later|pause|quit|exit|leave it|enough|tomorrow|another time|have to go|got to go|"
                      r"gotta go|can'?t do this|finish|done for now|not now)\b", re.I)


class ActionStopReport(Action):
    def name(self) -> str:
        return "action_stop_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # "This is taking ages" is easily heard as stop: an impatient reporter is told how much is
        # left and carries on; only words that say stop end the report.
        if tracker.get_slot("record_id") and tracker.active_loop_name:
            from actions.delete import reply_act
            from actions.report_form import answer_if_it_is_one, progress, reply_to_question

            act = await reply_act(tracker, latest_text(tracker))
            answered = await answer_if_it_is_one(dispatcher, tracker) if act != "stop" else None
            if answered is not None:  # "none", heard as stop, answers the question showing
                return answered
            if act not in ("stop", "progress", "help") and not STOPPISH.search(latest_text(tracker)):
                # No word of stopping ("its called rosewood house", heard as stop): a reply to the question.
                replied = await reply_to_question(dispatcher, tracker)
                if replied is not None:
                    return replied
            if act == "progress":
                await progress(dispatcher, tracker)
                return resume_loop(tracker)
            if act == "help":
                await explain(dispatcher, tracker)
                return resume_loop(tracker)
        say(dispatcher, tracker, "stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_report()]
