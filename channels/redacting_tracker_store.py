"""Rasa's tracker stores, storing what was said with personal identifiers removed.

Rasa keeps every message in its tracker store as typed, for as long as the store keeps anything (its
database is purged after the retention period: `python -m backend.cli purge`). These stores redact
each event before it is stored, with the backend's own detector (backend/identifiers: NHS numbers,
phone numbers, e-mails, postcodes, dates of birth, however written): the reporter's text, what NLU
read in it (its text and entity values), the assistant's replies (a recap quotes the reporter) and
slot values. The turn in progress still sees the text as typed (the backend warns the reporter about
identifiers and redacts what it stores itself); only what is kept is redacted.

endpoints.yml: `tracker_store: {type: channels.redacting_tracker_store.RedactingInMemoryTrackerStore}`;
endpoints.production.yml: `type: channels.redacting_tracker_store.RedactingSQLTrackerStore` with the
SQL store's own settings (dialect, url, port, db, username, password, login_db).
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from backend.identifiers import redact


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)[0]
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def redact_event(event: dict[str, Any]) -> dict[str, Any]:
    """One serialised event with identifiers removed from every text it carries."""
    kind = event.get("event")
    if kind in ("user", "bot") and isinstance(event.get("text"), str):
        event["text"] = _text(event["text"])
    if kind == "user":
        parse = event.get("parse_data") or {}
        if isinstance(parse.get("text"), str):
            parse["text"] = _text(parse["text"])
        for entity in parse.get("entities") or []:
            entity["value"] = _text(entity.get("value"))
    if kind == "slot":
        event["value"] = _text(event.get("value"))
    return event


def redacted(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    events = [redact_event(e.as_dict()) for e in tracker.events]
    return DialogueStateTracker.from_dict(tracker.sender_id, events, domain.slots,
                                          max_event_history=tracker._max_event_history)


class RedactingInMemoryTrackerStore(InMemoryTrackerStore):
    def __init__(self, domain: Domain, event_broker: Any = None, host: Any = None, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(redacted(tracker, self.domain))


class RedactingSQLTrackerStore(SQLTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(redacted(tracker, self.domain))
