"""Danger now: 999/111 first when someone is in danger at this moment. It decides on the words, not on
the NLU's `danger` intent alone: a safety net that fires on an age ("she's 52"), on "nobody's in
danger" or on a past event being described ("she broke her wrist, she's in a cast") teaches people to
ignore it. Measured by `make danger-eval` (scripts/danger_eval.py, tests/bot/data/danger_now.yaml)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_text
from actions.say import say

if TYPE_CHECKING:  # the mixin always sits before FormValidationAction, whose run() it wraps
    from rasa_sdk import FormValidationAction as _Validation
else:
    _Validation = object

# An emergency happening to someone: breathing, consciousness, heart, bleeding, fits, overdose.
CUE = re.compile(
    r"\b(not breathing|isn'?t breathing|is not breathing|stopped breathing|can'?t breathe|cannot breathe|"
    r"struggling to breathe|(?:hardly|barely) breathing|gasping|turning blue|gone blue|lips are blue|"
    r"collapsed|unconscious|unresponsive|not responding|isn'?t responding|won'?t wake( up)?|can'?t wake (him|her|them)|"
    r"overdos\w*|taken (a lot of|all (of )?(his|her|my|the)) (pills|tablets)|heart attack|chest pains?|"
    r"having a stroke|(?:is )?having a fit|fitting|seizure|seizing|choking|anaphyla\w*|throat is swelling|"
    r"bleeding (heavily|a lot|badly|everywhere|profusely)|won'?t stop bleeding|bleeding and (it )?won'?t stop|"
    r"(?:is|he'?s|she'?s|they'?re|are|keeps|still) bleeding|can'?t stop the bleeding|"
    r"losing (a lot of )?blood|blood everywhere|pouring with blood)\b", re.I)
# The same words about now: present tense, "now", "still", "just", a call for help.
NOW = re.compile(
    r"\b(now|right now|at the moment|currently|still|just|is|isn'?t|are|aren'?t|has|have|keeps|won'?t|can'?t|cannot|"
    r"he'?s|she'?s|they'?re|i'?m|we'?re|it'?s|help|please|ambulance|what do i do|what should i do|hurry|quick)\b", re.I)
# Said of the past: the event being reported, not an emergency.
PAST = re.compile(
    r"\b(yesterday|last (night|week|month|year|time)|ago|earlier|that night|that day|on (monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)|had (a|an)|was|were|had been|when (he|she|they|i) (was|were)|in (january|"
    r"february|march|april|may|june|july|august|september|october|november|december)|then|"
    r"afterwards|at the time|in a cast|was treated|were treated)\b", re.I)
# Said once it is over: "fine now", "recovered".
RECOVERED = re.compile(r"\b(recovered|(is |was |he'?s |she'?s )?(fine|ok|okay|stable|better|safe) now|is stable|got better|"
                       r"came round)\b", re.I)
STILL_NOW = re.compile(r"\b(right now|at the moment|currently|still|now|won'?t stop|can'?t stop|isn'?t stopping)\b", re.I)
SELF_HARM = re.compile(
    r"\b(kill myself|end(ing)? my life|end(ing)? it all|take my own life|hurt(ing)? myself|harm(ing)? myself|want to die|"
    r"wants? to die|(don'?t|do not) want to (be alive|live)|better off dead|suicidal|going to jump)\b", re.I)
# Said to stop the alarm: "nobody's in danger", "it's not an emergency", "not suicidal".
NEGATED = re.compile(
    r"\b(no ?one|nobody|noone|no one'?s|nobody'?s|nobodys|not|isn'?t|wasn'?t|no)\b[^.!?]{0,20}\b(in danger|"
    r"an emergency|urgent|emergency|at risk now|suicidal|hurt now)\b|\bnot (in )?danger\b|\bno danger\b|"
    r"\bno emergency\b|\bnever (wanted|tried) to\b", re.I)


def danger_now(text: str) -> bool:
    """True when the words say someone is in danger at this moment."""
    if not text:
        return False
    if NEGATED.search(text) and not re.search(r"\b(not breathing|can'?t breathe|unconscious|collapsed)\b", text, re.I):
        return False
    if SELF_HARM.search(text):
        return not re.search(r"\b(last (year|month|week)|years ago|in the past|used to|tried to .* (ago|last))\b", text, re.I)
    cue = CUE.search(text)
    if not cue or RECOVERED.search(text):
        return False
    past, now = PAST.search(text), NOW.search(text)
    if past and not STILL_NOW.search(text):
        # "he collapsed yesterday", "she was having a seizure when...": the event being reported.
        return False
    return bool(now) or len(text.split()) <= 5  # "not breathing", "he's collapsed!": short and urgent


class DangerCheck(_Validation):
    """Mixed into every form's validation: 999/111 first, then the form carries on with the words as
    an answer (nothing said is lost to the alarm)."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        if danger_now(latest_text(tracker)):
            say(dispatcher, tracker, "danger")
        return await super().run(dispatcher, tracker, domain)
