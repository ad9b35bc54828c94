"""What happened, told at any point: a reply that is clearly more of the story is added to the
description (never replacing it) and analysed, whatever question was showing."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.answer_items import note_what_else
from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience
from actions.say import say

STORY_WORDS = 7  # a reply this long that answers nothing is more of the story


def looks_like_story(text: str) -> bool:
    t = text.strip()
    return len(re.findall(r"[A-Za-z']+", t)) >= STORY_WORDS and not t.endswith("?")


async def add_to_description(dispatcher: CollectingDispatcher, tracker: Tracker, text: str,
                             showing: str | None = None) -> list[dict[str, Any]]:
    """Appends the words to the draft's description; returns what the analysis found in them. What they say
    for other open questions is noted as inferred (actions/answer_items.py); `showing`, the question on
    screen, is left to the caller to answer or ask again."""
    client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
    summary = await client.summary(who, record)
    old = next((r.get("value") for r in summary["answers"] if r["field"] == "Description"), None) or ""
    new = f"{old}\n\n{text.strip()}" if old else text.strip()
    result = await client.answer(who, record, [{"field": "Description", "value": new}])
    messages.warn_identifiers(dispatcher, result.get("identifiers_found", []), tracker)
    say(dispatcher, tracker, "added_to_description")
    try:
        analysis = await client.analyse(who, text, audience(tracker))
    except (BackendUnavailable, BackendRejected):
        return []
    await note_what_else(dispatcher, tracker, text, showing, analysis)
    return analysis.get("suggestions", [])
