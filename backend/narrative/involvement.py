"""Whether a thing named in a message was involved in what happened, or is only mentioned.

Coders list a thing among InvolvedAgents when it is part of what went wrong or of what the report is
about. Three kinds of mention are not (backend/narrative/README.md, "Things involved"):
- a treatment of what happened: "treated with IV antibiotics", "admitted for IV antibiotics",
  "antibiotics given 6 hours later", "ended up in hospital on oxygen", "he's on a drip now", "now on oral
  antibiotics", "will need an implant", and the care a visit was for ("went to do a dressing");
- care done as it should be, not needed, or ruled out: "steroids were given appropriately", "atropine not
  needed", "a PE despite enoxaparin and stockings", "no drug error and no equipment problem";
- someone told or responding: "estates aware", "reported to estates"; and a glasses prescription;
- a thing that is only the setting (lexicon `setting_agents`: stairs, a trolley, the vehicle, call bells), or a
  device that is only the route or the site ("via a peripheral cannula", "the cannula site"), unless something
  about it is said to be wrong in the same clause ("the lift is broken", "wet steps", "call bells not working").
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span as SpacySpan

from backend.narrative.lexicon import get_lexicon

_TREATED_BEFORE = re.compile(
    r"\b(?:treated with|treatment with|(?:re)?admitted for|[a-z]+ on|put (?:him |her |them )?on|will need|"
    r"needs? to have|to do|doing|do|visit for|settled with|needed|required|gave)"
    r"\s+(?:an? |the |some |her |his |their |my |oral |iv )?(?:[\w-]+\s+){0,3}?$", re.I)
# A treatment that was not needed was not given: "atropine not needed", "no naloxone required".
_NOT_NEEDED_AFTER = re.compile(r"^\s+(?:was |were )?(?:not|n't|never) (?:needed|required)\b", re.I)
_TREATED_AFTER = re.compile(r"^\s+(?:were |was )?(?:given|started|commenced|inserted|placed|needed|sited)\b"
                            r"(?! (?:to the wrong|in error|twice|instead|(?:\w+ )?(?:late|early|delayed|too fast|too quickly)|"
                            r"\d+\s*(?:h|hrs?|hours?|mins?|minutes?) late))",
                            re.I)
_DONE_RIGHT_AFTER = re.compile(r"^\s+(?:(?:was|were) )?given (?:appropriately|correctly|as per (?:the )?guidelines?)\b",
                               re.I)
# Care given as planned is background, not what went wrong: "a PE despite enoxaparin and stockings",
# "despite 2 hourly turns and an air mattress".
_DESPITE_BEFORE = re.compile(r"\b(?:despite|in spite of)\s+(?:[\w-]+[\s,-]+){0,6}$", re.I)
# A device named as the way a medicine went in, or where on the body, is the route, not what went wrong, unless
# the clause says it was: "extravasation via a peripheral cannula", "oozing from the cannula site"
# (but "through a pump that didn't alarm" is both).
_ROUTE_BEFORE = re.compile(r"\b(?:via|through|thru|from|into)\s+(?:an? |the |his |her |their |pt's |a peripheral |"
                           r"the peripheral )?(?:(?!wrong\b|faulty\b|broken\b|blocked\b|dirty\b|same\b)[\w-]+\s+)?$", re.I)
_SITE_AFTER = re.compile(r"^\s+(?:insertion |entry )?sites?\b", re.I)
# Someone told or responding is not a thing involved: "estates aware", "reported to estates".
_TOLD_AFTER = re.compile(r"^\s+(?:team\s+)?(?:are |were |is |was |have been |has been |had been )?(?:aware|informed|"
                         r"contacted|notified|say|said|says|called|chased|told|attended|came|knows?(?=\s*[,.;]|\s+about)|have the job|"
                         r"has the job|can't come|cannot come|won't come)\b|^\s+(?:have|has|had) been (?:asked|out)\b"
                         r"|^\s+(?:were|was) asked\b", re.I)
_TOLD_BEFORE = re.compile(r"\b(?:reported to|informed|told|contacted|called|rang|emailed|escalated to|chased|"
                          r"logged with)\s+(?:the\s+)?$", re.I)
# A glasses or lens prescription is not a medicine.
_OPTICAL_BEFORE = re.compile(r"\b(?:glasses|specs|spectacles|lenses|lens)\b(?:\s+[\w-]+){0,4}\s+$", re.I)
_CLAUSE_BREAK = re.compile(r"[.;!?,]|\b(?:but|and then|then|so)\b", re.I)
CLAUSE_WORDS = 10  # unpunctuated messages run clauses together: look no further than this many words


@lru_cache
def lexicon_words(key: str) -> frozenset[str]:
    """A word list of the lexicon (treatments, setting_agents, part_words...), lower case."""
    return frozenset(str(t).lower() for t in get_lexicon().raw.get(key, ()))


@lru_cache
def _fault() -> re.Pattern[str]:
    words = sorted(lexicon_words("fault_words"), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)


def clause_before(text: str, start: int) -> str:
    """The words of the clause before a mention (at most CLAUSE_WORDS)."""
    return " ".join(_CLAUSE_BREAK.split(text[max(0, start - 80) : start])[-1].split()[-CLAUSE_WORDS:])


def clause_after(text: str, end: int) -> str:
    return " ".join(_CLAUSE_BREAK.split(text[end : end + 80])[0].split()[:CLAUSE_WORDS])


def fault_in_clause(text: str, start: int, end: int) -> bool:
    """Something is said to be wrong in the mention's clause ("the lift is broken")."""
    return bool(_fault().search(f"{clause_before(text, start)} {text[start:end]} {clause_after(text, end)}"))


def treats_outcome(ent: SpacySpan) -> bool:
    """A generic treatment of what happened, not a thing that went wrong ("IV antibiotics delayed" is)."""
    if ent.text.lower() not in lexicon_words("treatments"):
        return False
    text = ent.doc.text
    return bool(_TREATED_BEFORE.search(text[max(0, ent.start_char - 60) : ent.start_char])
                or _TREATED_AFTER.match(text[ent.end_char : ent.end_char + 40]))


# A thing ruled out by a review: "no drug error and no equipment problem found".
_RULED_OUT = (re.compile(r"\b(?:no|not an?|without any)\s+$", re.I),
              re.compile(r"^\s+(?:errors?|problems?|issues?|faults?|failures?|omissions?|concerns?)\b", re.I))


def done_right(ent: SpacySpan) -> bool:
    text = ent.doc.text
    after, before = text[ent.end_char : ent.end_char + 50], text[max(0, ent.start_char - 60) : ent.start_char]
    ruled_out = bool(_RULED_OUT[0].search(before) and _RULED_OUT[1].match(after))
    return bool(_DONE_RIGHT_AFTER.match(after) or _NOT_NEEDED_AFTER.match(after) or _DESPITE_BEFORE.search(before)
                or ruled_out)


def only_told(ent: SpacySpan) -> bool:
    text = ent.doc.text
    return bool(_TOLD_AFTER.match(text[ent.end_char : ent.end_char + 40])
                or _TOLD_BEFORE.search(text[max(0, ent.start_char - 30) : ent.start_char])
                or (ent.text.lower() in ("prescription", "prescriptions")
                    and _OPTICAL_BEFORE.search(text[max(0, ent.start_char - 50) : ent.start_char])))


def only_setting(ent: SpacySpan) -> bool:
    text = ent.doc.text
    if ent.text.lower() in lexicon_words("setting_agents"):
        return not fault_in_clause(text, ent.start_char, ent.end_char)
    if ent.label_ == "DEVICE" and (_ROUTE_BEFORE.search(text[max(0, ent.start_char - 40) : ent.start_char])
                                   or _SITE_AFTER.match(text[ent.end_char : ent.end_char + 20])):
        return not fault_in_clause(text, ent.start_char, ent.end_char)
    return False


def not_involved(ent: SpacySpan) -> bool:
    return treats_outcome(ent) or done_right(ent) or only_setting(ent) or only_told(ent)
