"""A keyword safety net under the NLU's `danger` intent: a missed emergency costs too much to rely
on a classifier alone. It fires only on present danger, not on a past event being described."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.conversation import latest_intent, latest_text, words

CUE = re.compile(r"\b(not breathing|isn'?t breathing|stopped breathing|can'?t breathe|struggling to breathe|"
                 r"collapsed|unconscious|not responding|overdos\w*|heart attack|chest pain|having a stroke|"
                 r"seizure|fitting|choking|bleeding (heavily|a lot|badly))\b", re.I)
NOW = re.compile(r"\b(now|right now|at the moment|currently|still|is happening|just)\b", re.I)
SELF_HARM = re.compile(r"\b(kill myself|end(ing)? my life|hurt(ing)? myself|(don'?t|do not) want to (be alive|live)|"
                       r"suicidal)\b", re.I)


def danger_now(text: str) -> bool:
    return bool(SELF_HARM.search(text) or (CUE.search(text) and NOW.search(text)))


class DangerCheck:
    """Mixed into every form's validation: 999/111 first, then the form carries on as usual."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        if latest_intent(tracker) != "danger" and danger_now(latest_text(tracker)):
            dispatcher.utter_message(text=words(tracker, *messages.DANGER))
        return await super().run(dispatcher, tracker, domain)
