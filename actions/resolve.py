"""Interpretation that needs the backend: dates (its date parser) and searched lists (organisations)."""

from __future__ import annotations

import re
from typing import Any

from actions.interpret import Interpretation

MAX_CANDIDATES = 5
# Words that do not make a name: "the surgery at Beacon" names BEACON SURGERY as well as "beacon surgery".
FILLER = {"the", "a", "an", "at", "in", "of", "on", "and", "it", "was", "my", "our", "from", "to", "its", "it's"}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.casefold().replace("&", " and "))) - FILLER


# Words before a name in a reply ("its called ...", "the name is ...", "i think it was at ..."); an article
# that begins the name stays: "The Grange".
LEAD = re.compile(r"^(?:(?:the |its |it'?s )?name(?:'s| is| was)?|(?:it'?s|it is|it was|its|they'?re) called|called|"
                  r"i think|it'?s|it is|it was|its|they are|they were|at|in|from)\b[\s,:]*", re.I)


def name_in(text: str) -> str:
    """The reply without the words before the name ("its called rosewood house" -> "rosewood house"), as typed."""
    name, before = text.strip(), None
    while name != before:
        before, name = name, LEAD.sub("", name, count=1).strip()
    return name or text.strip()


def _bare(text: str) -> str:
    """The name in the reply, folded and without a leading article, for a second search."""
    words = re.findall(r"[a-z0-9'&]+", name_in(text).casefold())
    while words and words[0] in FILLER:
        words.pop(0)
    return " ".join(words)


def names_it(text: str, code: str, display: str) -> bool:
    """Whether a reply names this organisation outright: its code, or every word of its name. A single
    search hit is not enough ("a little" is inside "DR A LITTLER"): anything less is offered to confirm."""
    name = _words(display)
    return text.strip().casefold() == code.casefold() or bool(name) and name <= _words(text)


async def resolve(client, who: str, question: dict[str, Any], text: str, found: Interpretation) -> Interpretation:
    """Dates and searched lists (organisations) need the backend."""
    if found.value is not None or found.skip or found.problem:
        return found
    if question["type"] == "date":
        analysis = await client.analyse(who, text, "staff")
        for item in analysis.get("suggestions", []):
            if item["field"] == "ApproximateDate":
                return Interpretation(value=item["value"])
        return Interpretation(problem="date_not_caught")  # catalogue ids
    if question.get("search"):
        system = question["search"].split("/code-systems/")[1].split("?")[0]
        hits = (await client.search_codes(who, system, text, MAX_CANDIDATES))["codes"]
        bare = _bare(text)
        if not hits and bare and bare != text.strip().casefold():  # "it was the beacon surgery"
            hits = (await client.search_codes(who, system, bare, MAX_CANDIDATES))["codes"]
        if len(hits) == 1 and names_it(text, hits[0]["code"], hits[0]["display"]):
            return Interpretation(value=[hits[0]["code"]] if question["multiple"] else hits[0]["code"])
        if not hits:
            return Interpretation(problem="name_not_found")
        choices = [{"code": h["code"], "label": h["display"].title()} for h in hits]
        return Interpretation(problem="candidates", value=choices)
    return found


# Words in a reply to "did you mean ...?" that name nothing: "no, not that one".
NOT_A_NAME = {"no", "nope", "nah", "not", "that", "one", "thats", "that's", "wrong", "thanks", "thank", "you", "it",
              "its", "it's", "isnt", "isn't", "the", "is", "sorry", "mate", "none", "of", "those", "them", "these",
              "neither", "any", "all", "nothing", "there", "theyre", "they're", "listed", "on", "list"}


def rest_of_no(text: str) -> str:
    """What follows the "no" in a reply to "did you mean ...?", when it could be a name."""
    words = text.replace(",", " ").split()[1:]
    return " ".join(words) if any(w.casefold().strip(".!?") not in NOT_A_NAME for w in words) else ""
