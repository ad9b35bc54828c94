"""Who a record's history shows as acting. An anonymous record (IsAnonymous answered yes) shows its
author to nobody but the author: to everyone else the author's own changes and versions are by
"reporter". A public reporter is "public" to everyone: no part of their key's hash is ever shown.
Applied wherever a record's actors leave the server (the versions and audit endpoints; the pages,
print, PDF and exports name no actor at all)."""

from __future__ import annotations

from backend.auth.principal import Principal
from backend.plan import AnswerDoc
from backend.records.models import EventRecord

VIA_SERVICE = " via service"
REPORTER = "reporter"
PUBLIC = "public"


def is_anonymous(record: EventRecord) -> bool:
    return AnswerDoc.from_json(record.answers).get("IsAnonymous") is True


def is_author(reader: Principal, record: EventRecord) -> bool:
    if reader.is_public:
        return record.owner_account_id is None and record.public_key_hash == reader.public_key_hash
    return record.owner_account_id is not None and record.owner_account_id == reader.account_id


def _account_in(label: str) -> int | None:
    kind, _, value = label.partition(":")
    return int(value) if kind == "account" and value.isascii() and value.isdigit() else None


def shown_actor(label: str, record: EventRecord, reader: Principal, account_id: int | None = None) -> str:
    """``label`` (an audit actor or a version's created_by) as ``reader`` may see it."""
    via = label.endswith(VIA_SERVICE)
    who = label.removesuffix(VIA_SERVICE)
    if who.startswith("public"):
        who = PUBLIC
    else:
        actor = account_id if account_id is not None else _account_in(who)
        if (actor is not None and actor == record.owner_account_id and is_anonymous(record)
                and not is_author(reader, record)):
            who = REPORTER
    return who + VIA_SERVICE if via else who
