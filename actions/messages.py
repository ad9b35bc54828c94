"""Messages built from what the backend said (the wording itself is in wording/catalogue.yml)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.say import say
from wording.catalogue import entry

UNDO_MINUTES = 30  # a deleted draft can be brought back for this long (actions/delete.py)


def rejected(dispatcher: CollectingDispatcher, tracker: Tracker, detail: Any) -> None:
    """The backend's own reason for refusing an answer, in one sentence."""
    if isinstance(detail, dict) and detail.get("errors"):
        say(dispatcher, tracker, "rejected", reason=detail["errors"][0]["message"])
    else:
        say(dispatcher, tracker, "rejected_plain")


def warn_identifiers(dispatcher: CollectingDispatcher, found: list[dict[str, Any]], tracker: Tracker) -> None:
    if not found:
        return
    kinds = entry("identifier_kind")
    what = entry("and")["any"].join(sorted({kinds.get(f["kind"], f["kind"]) for f in found}))
    say(dispatcher, tracker, "identifiers_removed", what=what)
