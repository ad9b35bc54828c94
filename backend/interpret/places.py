"""Where it happened, said as a correction of the organisation: "it happened at rosewood house care home in
harrogate, not our trust", "change the organisation to Beacon Surgery". A place the ODS list knows is its
code; one it does not know is kept in the reporter's words (LFPSE OrganisationOther), which the plan
accepts instead of the organisation (`or:` in question_plan.yaml) and which keeps the account's
organisation from being assumed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.narrative.organisations import match_organisations
from backend.taxonomy import get_taxonomy

_KIND = r"organisation|organization|place|hospital|trust|practice|surgery|care home"  # not "service": ServiceArea
_SAID = re.compile(
    rf"\b(?:it\s+|this\s+|that\s+)?(?:happened|was|took place|occurred)\s+(?:at|in)\s+(?P<p>.+)$"
    rf"|\b(?:change|set|make)\s+(?:the\s+|my\s+)?(?:{_KIND})\s+(?:to|as)\s+(?P<p2>.+)$"
    rf"|\b(?:the\s+)?(?:{_KIND})\s+(?:is|was|should be)\s+(?P<p3>.+)$", re.I)
# A place names a kind of service; "in the morning", "at 4pm" or "on ward 9" do not.
_PLACE_WORD = re.compile(r"\b(?:home|house|hospital|surgery|practice|centre|center|clinic|pharmacy|chemist|trust|"
                         r"infirmary|hospice|lodge|court|manor|hall|nursing|health|medical|dental|dentist|"
                         r"ambulance|prison|school)\b", re.I)
_UNIT = re.compile(r"^(?:the\s+)?(?:ward|bay|room|theatre|resus|a&e|icu|itu|side room)\b", re.I)
# "my mum's care home", "a care home", "the hospital": a kind of place, not its name ("the Royal Infirmary" is one).
_GENERIC = re.compile(r"^(?:a|an|my|our|his|her|their|your|this|that|the(?!\s+(?-i:[A-Z])))\s", re.I)
_BUT_NOT = re.compile(r"\s*[,;(-]?\s*\b(?:not|rather than|instead of|and not)\b.*$", re.I)


@dataclass(frozen=True)
class Place:
    name: str                 # as the reporter said it
    codes: list[str] | None   # ODS codes when the list knows the place


def read_place(text: str) -> Place | None:
    m = _SAID.search(text.strip().rstrip(".!"))
    if not m:
        return None
    said = next(g for g in (m.group("p"), m.group("p2"), m.group("p3")) if g)
    name = _BUT_NOT.sub("", said).strip(" ,.;:'\"")
    if not name or _UNIT.match(name) or len(name) > 200:
        return None
    found = match_organisations(name, get_taxonomy(), [])
    if found:
        return Place(name, list(dict.fromkeys(f.candidates[0].code for f in found)))
    if not _PLACE_WORD.search(name) or _GENERIC.match(name):
        return None
    return Place(name, None)
