"""A reply to a group of questions asked as one (the plan's groups: the harm in body and in mind, the
medicine problem and its detail). The backend reads the reply into each field (POST /interpret/group);
what it settles is saved in one change, and the backend's next question is then the field the reply
left unclear, asked on its own, because a group is offered only while all its fields are open."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.backend_client import get_client
from actions.conversation import act_as, audience
from actions.say import say


async def answer_group(question: dict[str, Any], text: str, dispatcher: CollectingDispatcher,
                       tracker: Tracker) -> dict[str, Any] | None:
    """The slots after a reply that answers the group; None when it answers none of it (the caller
    then reads it as before: a question about the question, a stop, more of the story...)."""
    group = question.get("group") or {}
    client, who = get_client(), act_as(tracker)
    reading = await client.interpret_group(who, group["id"], text, audience(tracker))
    if reading["act"] != "answer" or not reading["answers"]:
        return None
    patient = question.get("patient")  # the group's fields are all per patient, or none is (the plan says so)
    items = [{"field": a["field"], "value": a["value"], **({"patient": patient} if patient is not None else {})}
             for a in reading["answers"]]
    result = await client.answer(who, tracker.get_slot("record_id"), items)
    messages.warn_identifiers(dispatcher, result.get("identifiers_found", []), tracker)
    if (result.get("next_question") or {}).get("field") in reading["unclear"]:
        # what was understood, so the question on what was not is no surprise
        say(dispatcher, tracker, "group_partly", items=", ".join(a["label"] for a in reading["answers"]))
    return {"answer": None, "question": result.get("next_question"), "question_synced": "next_question" in result}
