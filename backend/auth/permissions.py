"""Who may do what with a record. Every record endpoint goes through these; a record the caller
may not see answers 404 (its existence is not disclosed), one they may see but not change, 403.

- standard: own records and drafts.
- organisational, admin: also every submitted record of their organisation (review and amend);
  other people's drafts stay private to their authors.
- platform_admin: manages organisations and accounts; sees no records but their own.
- public reporter (through the action server): only records made in the same conversation key.

The owning organisation (organisation_ods, whose reviewers see the record) of a staff record is the
reporter's organisation; of a public record, the first organisation the reporter named, until it is
submitted. After submission it is fixed: an amendment (by the author or a reviewer) may correct the
Organisation answer only while it keeps that organisation first, so no reviewer can take a record
off their organisation's dashboard (and out of their colleagues' sight) by amending it.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement

from backend.auth.principal import Principal
from backend.plan.answers import AnswerDoc
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


def keeps_owning_organisation(r: EventRecord, doc: AnswerDoc) -> bool:
    """Whether answers `doc` leave a submitted record with the organisation that owns it (see the module)."""
    if r.status != "submitted" or r.audience != "public":
        return True  # drafts follow the reporter's answer; staff records belong to the reporter's organisation
    orgs = doc.get("Organisation") or []
    return (orgs[0] if orgs else None) == r.organisation_ods
