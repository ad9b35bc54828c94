"""Cue features for the event-type classifier: what marks each event type in how reporters write,
given to the bag-of-words model as extra tokens (`__hedge`, `__ongoing`...) so a few hundred examples
are enough for it to weigh them. The model learns how much each counts; nothing here decides a type.

- hedge: a poor outcome is told with its cause left open ("not sure if anyone's fault", "too early to
  say whether care was a factor", "known complication", "review underway");
- thanks: good care;
- ongoing: a risk is a hazard that persists or recurs ("keeps", "again", "broken for weeks",
  "someone will get hurt");
- caught: an error stopped before it reached the patient (an incident, or good care when praised);
  "nobody noticed" is not one;
- wrong: something done wrongly or not done (an incident);
- died: a death, which is an incident or a poor outcome by what else is said; "could have died" is not;
- harmed / unharmed: the physical harm harm.py reads as standing (after negation and hypotheticals):
  harm marks something that happened to a patient, not a risk (leave-one-batch-out on the first three
  held-out batches: 0.919 -> 0.941, 0.901 -> 0.912, 0.950 -> 0.950).
"""

from __future__ import annotations

import re

from backend.narrative.harm import NONE, find_harm

_CUES = {
    "hedge": (
        r"not sure|too (early|soon) to (say|tell)|unclear|not (yet )?(clear|known)|no idea (yet )?(if|whether)"
        r"|don'?t know (if|why|whether|what)|do not know|(known|recognised) (rare )?complication|may (just )?(be|have been)"
        r"|might not|natural course|not blaming|not saying it'?s anyone'?s fault|can happen|review(ing|ed)?\b"
        r"|investigat|post ?mortem|\bPM\b|coroner|no (obvious )?(omission|concerns?)|not have been (preventable|avoidable)"
        r"|was avoidable|want(s)? (answers|it looked at)|could have been done|no obvious (cause|reason|failing)"
        r"|unsure|wonder(ing)? (if|whether)|no reason|(has|have) said why|may or may not|despite|cause unknown"
        r"|waiting for answers|(not|never|nobody) (been )?explained|complication|looking into it|to understand"
    ),
    "thanks": (
        r"thank|grateful|amazing|brilliant|excellent|well done|great (catch|work|job|example)|above and beyond"
        r"|proud|compliment|lovely|so kind|recognition|saved (his|her|their|my)|good example|feed ?back that"
        r"|kindness|\bkind\b|outstanding|out of (her|his|their|the) way|(stayed|worked) late|\bcalm\b|listened"
        r"|supportive|support from|wonderful|fantastic|shout out|learning from excellence|worth sharing|impressed"
        r"|good (spot|catch)|praise|commend|superb|caring|compassion|great (care|teamwork)"
    ),
    "ongoing": (
        r"\bkeeps?\b|\bagain\b|every (day|night|week|month|time)|for (weeks|months)|(third|3rd|second|2nd) time"
        r"|since (january|february|march|april|may|june|july|august|september|october|november|december|last"
        r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|has been (broken|off|out|down)"
        r"|someone (will|could|is going to)|going to get hurt|could (fall|get|be|happen)|out of (date|order|range)"
        r"|expired|not working|broken for|faulty|only \d+ (available|nurses?)|running out|always"
        r"|sometimes|still (in use|being used|not)|no training|easy to (pick|mix|confuse|miss)|look[- ]alike"
        r"|near misses|unsafe|most (days|evenings|nights)|(is|are) (regularly|routinely|often)|every time"
    ),
    "caught": (
        r"before (it was|any|anyone|the|he|she)|picked up|(?<!nobody )(?<!no one )(?<!not )(?<!never )"
        r"(?<!hadn't )(?<!wasn't )(?:spotted|noticed)|queried|not given|not dispensed|caught"
        r"|stopped the|near miss"
    ),
    "wrong": (
        r"wrong|instead of|missed|not given|never|forgot|without|delay(ed)?|didn'?t|did not|double|twice"
        r"|overdose|error|mistake|\bx ?[23]\b|not (checked|escalated|actioned|recorded|sent|done)"
        r"|(nobody|no one) (noticed|came|checked|answered)"
    ),
    # Not a hypothetical: "could have died" is a near miss, not a death.
    "died": r"(?<!could have )(?<!would have )(?<!might have )(?<!nearly )(?<!almost )(?:\bdied\b|passed away)"
            r"|\bdeath\b|ROSC not achieved|\bIUD\b",
}
_COMPILED = {name: re.compile(pattern, re.I) for name, pattern in _CUES.items()}
# Harm that did not happen reads as no harm to the classifier: the words "died" or "killed" in "could have
# died" would otherwise pull towards a poor outcome.
_HYPOTHETICAL = re.compile(
    r"\b(?:could|would|might|may) (?:well )?have (?:died|been (?:fatal|killed)|killed (?:him|her|them|someone|the \w+))"
    r"|\b(?:nearly|almost) (?:died|killed (?:him|her|them))|\bcould have been fatal\b",
    re.I,
)


def classifier_text(text: str) -> str:
    """What the classifier reads: the narrative in lower case, then a token per cue found in it."""
    harm = find_harm(text, [])
    text = _HYPOTHETICAL.sub(" __hypothetical ", text)
    found = [f"__{name}" for name, regex in _COMPILED.items() if regex.search(text)]
    if harm is not None:  # harm that stands (negation and hypotheticals read by harm.py) marks an event
        found.append("__unharmed" if harm.value == NONE else "__harmed")
    return " ".join([text.lower(), *found])
