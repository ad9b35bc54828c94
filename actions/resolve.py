"""Interpretation that needs the backend: dates (its date parser) and searched lists (organisations)."""

from __future__ import annotations

from typing import Any

from actions.interpret import Interpretation

MAX_CANDIDATES = 5


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
        if len(hits) == 1:
            return Interpretation(value=[hits[0]["code"]] if question["multiple"] else hits[0]["code"])
        if not hits:
            return Interpretation(problem="name_not_found")
        choices = [{"code": h["code"], "label": h["display"].title()} for h in hits]
        return Interpretation(problem="candidates", value=choices)
    return found


