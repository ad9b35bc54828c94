"""Who may do what with a record. Every record endpoint goes through these; a record the caller
may not see answers 404 (its existence is not disclosed), one they may see but not change, 403.

- standard: own records and drafts.
- organisational, admin: also every submitted record of their organisation (review and amend);
  other people's drafts stay private to their authors.
- platform_admin: manages organisations and accounts; sees no records but their own.
- public reporter (through the action server): only records made in the same conversation key.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement

from backend.auth.principal import Principal
from backend.records.models import EventRecord


def _owns(p: Principal, r: EventRecord) -> bool:
    if p.is_public:
        return r.owner_account_id is None and r.public_key_hash == p.public_key_hash
    return r.owner_account_id == p.account_id


def _reviews(p: Principal, r: EventRecord) -> bool:
    return (
        p.reviews_organisation
        and r.status == "submitted"
        and r.organisation_ods is not None
        and r.organisation_ods == p.organisation_ods
    )


def can_read(p: Principal, r: EventRecord) -> bool:
    return _owns(p, r) or _reviews(p, r)


def can_edit_draft(p: Principal, r: EventRecord) -> bool:
    return r.status == "draft" and _owns(p, r)


def can_amend(p: Principal, r: EventRecord) -> bool:
    return r.status == "submitted" and (_owns(p, r) or _reviews(p, r))


def visible_filter(p: Principal) -> ColumnElement[bool]:
    """The same rule as can_read, as SQL, for listings."""
    if p.is_public:
        return and_(EventRecord.owner_account_id.is_(None), EventRecord.public_key_hash == p.public_key_hash)
    own = EventRecord.owner_account_id == p.account_id
    if p.reviews_organisation and p.organisation_ods:
        return or_(
            own,
            and_(EventRecord.status == "submitted", EventRecord.organisation_ods == p.organisation_ods),
        )
    return own if p.account_id is not None else false()
