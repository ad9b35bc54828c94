"""A question page saved after its answer changed elsewhere: another window, or the assistant in a chat.

The rule: a page carries the revision of the record it was rendered from and a fingerprint of the answer it showed
(hidden fields). On save, if the record has moved on and THIS question's stored answer is no longer the one the
page showed, nothing is saved and the page is shown again with the current answer and a message. A change to any
other question does not block the page: its answer is saved on top of the newer record. A page without the hidden
fields (rendered before they existed) is saved as before: the later change wins."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.datastructures import FormData

from backend.plan import AnswerDoc
from backend.records.models import EventRecord

MESSAGE = ("This answer was changed in another window or by the assistant while you were on this page. "
           "The current answer is shown; check it and save again.")


def fingerprint(record: EventRecord, field: str, patient: int | None) -> str:
    """A short digest of one question's stored answer (its value, or that it was skipped)."""
    doc = AnswerDoc.from_json(record.answers)
    state: Any = {"skipped": True} if doc.is_skipped(field, patient) else {"value": doc.get(field, patient)}
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:20]


def page_state(record: EventRecord, field: str, patient: int | None) -> dict[str, Any]:
    """The hidden fields for a page rendered from the record as it is now."""
    return {"revision": record.revision, "seen": fingerprint(record, field, patient)}


def posted_state(form: FormData) -> dict[str, Any] | None:
    """The hidden fields as the page sent them back; None when missing or not ours."""
    revision, seen = str(form.get("revision") or ""), str(form.get("seen") or "")
    if not revision.isdigit() or len(revision) > 12 or not seen.isalnum() or len(seen) > 64:
        return None
    return {"revision": int(revision), "seen": seen}


def changed_here(record: EventRecord, field: str, patient: int | None, posted: dict[str, Any] | None) -> bool:
    if posted is None or posted["revision"] == record.revision:
        return False
    return fingerprint(record, field, patient) != posted["seen"]
