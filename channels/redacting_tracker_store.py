"""Rasa's tracker stores, storing what was said with personal identifiers removed.

Rasa keeps every message in its tracker store as typed, for as long as the store keeps anything (its
database is purged after the retention period: `python -m backend.cli purge`). These stores redact
each event before it is stored, with the backend's own detector (backend/identifiers: NHS numbers,
phone numbers, e-mails, postcodes, dates of birth, however written): the reporter's text, what NLU
read in it (its text and entity values), the assistant's replies (a recap quotes the reporter) and
slot values. The turn in progress still sees the text as typed (the backend warns the reporter about
identifiers and redacts what it stores itself); only what is kept is redacted.

A phone reporter's draft code is a credential: the `resume_code` slot is stored encrypted (the voice
channel reads it back to repeat the code as the call ends) and the code is taken out of stored texts
(the assistant says it; a caller may say it back).

endpoints.yml: `tracker_store: {type: channels.redacting_tracker_store.RedactingInMemoryTrackerStore}`;
endpoints.production.yml: `type: channels.redacting_tracker_store.RedactingSQLTrackerStore` with the
SQL store's own settings (dialect, url, port, db, username, password, login_db).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from backend.identifiers import redact

CODE_SLOT = "resume_code"
_ENCRYPTED = "enc:"
# Twelve digits, as written or spoken ("1 2 3 4, 5 6 7 8, 9 0 1 2"): a draft code (resume_codes).
_CODE = re.compile(r"(?<![0-9])(?:[0-9][ ,.*#-]{0,2}){11}[0-9](?![0-9])")
CODE_REMOVED = "[draft code removed]"
# Slots that hold the system's own identifiers, never a reporter's words: left as they are (a record's
# UUID can hold a run of digits that reads as a code or a phone number, and the draft would be lost).
SYSTEM_SLOTS = frozenset({"record_id", "account_id", "audience"})


def _cipher() -> Fernet:
    # The same secret as the SMS conversation id; without one, a key for this process only (a code
    # stored before a restart then cannot be repeated at the end of that call; the draft is unaffected).
    secret = os.environ.get("CONVERSATION_KEY_SECRET") or os.environ.get("TWILIO_AUTH_TOKEN") or _PROCESS_KEY
    key = hashlib.sha256(b"tracker resume_code\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


_PROCESS_KEY = secrets.token_hex(32)


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return _CODE.sub(CODE_REMOVED, redact(value)[0])
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    return [_deep(v) for v in value] if isinstance(value, list) else _text(value)


def redact_event(event: dict[str, Any]) -> dict[str, Any]:
    """One serialised event with identifiers removed from every text it carries."""
    kind = event.get("event")
    if kind in ("user", "bot") and isinstance(event.get("text"), str):
        event["text"] = _text(event["text"])
    if kind == "bot" and isinstance(event.get("data"), dict):
        # The structured message (wording/message.py) carries the reporter's words as parameters too.
        event["data"] = _deep(event["data"])
    if kind == "user":
        parse = event.get("parse_data") or {}
        if isinstance(parse.get("text"), str):
            parse["text"] = _text(parse["text"])
        for entity in parse.get("entities") or []:
            entity["value"] = _text(entity.get("value"))
    if kind == "slot" and event.get("name") == CODE_SLOT:
        value = event.get("value")
        if isinstance(value, str) and not value.startswith(_ENCRYPTED):
            event["value"] = _ENCRYPTED + _cipher().encrypt(value.encode()).decode()
    elif kind == "slot" and event.get("name") not in SYSTEM_SLOTS:
        event["value"] = _text(event.get("value"))
    return event


def _with_code(tracker: DialogueStateTracker | None) -> DialogueStateTracker | None:
    """The tracker as stored, its draft code decrypted for the turn (only in memory)."""
    slot = tracker.slots.get(CODE_SLOT) if tracker is not None else None
    if slot is not None and isinstance(slot.value, str) and slot.value.startswith(_ENCRYPTED):
        try:
            slot.value = _cipher().decrypt(slot.value[len(_ENCRYPTED):].encode()).decode()
        except InvalidToken:
            slot.value = None  # another key: the code is not repeated; the draft is unaffected
    return tracker


def redacted(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    events = [redact_event(e.as_dict()) for e in tracker.events]
    return DialogueStateTracker.from_dict(tracker.sender_id, events, domain.slots,
                                          max_event_history=tracker._max_event_history)


class _Redacting:
    """Stores a tracker redacted and hands it back with its draft code decrypted (for either Rasa store)."""

    domain: Domain

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(redacted(tracker, self.domain))  # type: ignore[misc]  # the store class follows in the MRO

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return _with_code(await super().retrieve(sender_id))  # type: ignore[misc]

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return _with_code(await super().retrieve_full_tracker(conversation_id))  # type: ignore[misc]


class RedactingInMemoryTrackerStore(_Redacting, InMemoryTrackerStore):
    def __init__(self, domain: Domain, event_broker: Any = None, host: Any = None, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)


class RedactingSQLTrackerStore(_Redacting, SQLTrackerStore):
    pass
