"""Record use cases: create, answer, next question, submit, amend, list. Routers stay thin."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from fastapi import HTTPException, status
from sqlalchemy import Table, func, select, update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from backend.accounts import service as accounts
from backend.accounts.models import Account
from backend.audit import service as audit
from backend.auth import permissions
from backend.auth.principal import Principal
from backend.plan import AnswerDoc, Plan, evaluate, groups, present
from backend.records import derive
from backend.records.changes import BatchRejected, Outcome, apply_batch
from backend.records.models import EventRecord, RecordVersion
from backend.records.schemas import AnswerItem
from backend.taxonomy import Taxonomy


def _now() -> datetime:
    return datetime.now(timezone.utc)


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No such record")


def _is_public_id(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value  # the form ids are given in: lower case, with hyphens
    except ValueError:
        return False


def get_visible(db: Session, who: Principal, public_id: str) -> EventRecord:
    # Anything else names no record, and is not sent to the database: PostgreSQL refused a NUL in it (a 500).
    if not _is_public_id(public_id):
        raise not_found()
    record = db.scalar(select(EventRecord).where(EventRecord.public_id == public_id))
    if record is None or not permissions.can_read(who, record):
        raise not_found()
    return record


def _reject(exc: BatchRejected) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, {"message": "Some answers were not accepted", "errors": exc.errors})


def known_for(db: Session, who: Principal) -> dict[str, Any]:
    """What the reporter's account says, for the plan's defaults (`from:` in question_plan.yaml)."""
    account = db.get(Account, who.account_id) if who.account_id else None
    if account is None:
        return {}
    return {"account.organisation": account.organisation_ods, "account.reporter_role": account.reporter_role}


def _apply(plan: Plan, tax: Taxonomy, record: EventRecord, items: list[AnswerItem],
           known: dict[str, Any] | None = None) -> Outcome:
    try:
        return apply_batch(plan, tax, record.event_type, record.audience, AnswerDoc.from_json(record.answers), items,
                           known)
    except BatchRejected as exc:
        raise _reject(exc) from None


def _store(db: Session, who: Principal, record: EventRecord, outcome: Outcome, action_prefix: str = "") -> None:
    record.event_type = outcome.event_type
    record.updated_at = _now()
    derive.refresh(record, outcome.doc)
    for ch in outcome.changes:
        audit.record(db, who, "record", record.public_id, action_prefix + ch.action, ch.field, ch.patient, ch.old, ch.new)


CONFLICT = "The record was changed by someone else; reload it and try again"
ATTEMPTS = 3
T = TypeVar("T")


def _commit(db: Session) -> None:
    try:
        db.commit()
    except StaleDataError:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, CONFLICT) from None


def _claim(db: Session, record: EventRecord, record_id: int) -> None:
    """Re-reads the record holding its write lock until commit: a no-op UPDATE locks the row on PostgreSQL and
    takes the database's write lock on SQLite (FOR UPDATE is ignored there), so no change can slip in between."""
    table = EventRecord.__table__
    assert isinstance(table, Table)  # a declarative model with __tablename__ maps a Table
    db.execute(update(table).where(table.c.id == record_id).values(revision=table.c.revision))
    try:
        db.refresh(record)
    except InvalidRequestError:  # deleted meanwhile
        db.rollback()
        raise not_found() from None


def _with_retry(db: Session, record: EventRecord, expected_revision: int | None, change: Callable[[], T]) -> T:
    """Applies `change` (checks included) and commits. A concurrent commit makes the versioned UPDATE fail: a
    caller that sent expected_revision gets 409, as it asked; otherwise (the assistant answers one field at a time
    and never sends one) the change is applied again to the fresh record, under its lock, so a change to another
    field is kept and the later change to the same field wins, instead of the reporter seeing an error."""
    record_id, attempts = record.id, 0
    while True:
        try:
            result = change()
            db.commit()
            return result
        except StaleDataError:
            db.rollback()
            attempts += 1
            if expected_revision is not None or attempts == ATTEMPTS:
                raise HTTPException(status.HTTP_409_CONFLICT, CONFLICT) from None
        _claim(db, record, record_id)


def create(db: Session, who: Principal, plan: Plan, tax: Taxonomy, event_type: str | None, channel: str,
           items: list[AnswerItem]) -> tuple[EventRecord, Outcome]:
    if event_type is not None:
        items = [AnswerItem(field="EventType", value=event_type), *items]
    record = EventRecord(
        public_id=str(uuid.uuid4()), status="draft", audience=who.audience, channel=channel,
        owner_account_id=who.account_id, public_key_hash=who.public_key_hash if who.is_public else None,
        organisation_ods=who.organisation_ods, answers={}, created_at=_now(),
    )
    outcome = _apply(plan, tax, record, items, known_for(db, who))
    db.add(record)
    db.flush()
    audit.record(db, who, "record", record.public_id, "create", new={"channel": channel})
    _store(db, who, record, outcome)
    _commit(db)
    return record, outcome


def _check_revision(record: EventRecord, expected: int | None) -> None:
    if expected is not None and expected != record.revision:
        raise HTTPException(status.HTTP_409_CONFLICT, f"The record is at revision {record.revision}, not {expected}")


def answer(db: Session, who: Principal, plan: Plan, tax: Taxonomy, record: EventRecord,
           items: list[AnswerItem], expected_revision: int | None) -> Outcome:
    def change() -> Outcome:
        if record.status != "draft":
            raise HTTPException(status.HTTP_409_CONFLICT, "This record has been submitted; amend it instead")
        if not permissions.can_edit_draft(who, record):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the author can change a draft")
        _check_revision(record, expected_revision)
        outcome = _apply(plan, tax, record, items, known_for(db, who))
        if outcome.changes:  # the same answer twice changes nothing, not even the audit trail
            _store(db, who, record, outcome)
        return outcome

    return _with_retry(db, record, expected_revision, change)


def next_question(plan: Plan, tax: Taxonomy, record: EventRecord, core_only: bool) -> dict[str, Any]:
    doc = AnswerDoc.from_json(record.answers)
    slot = evaluate.next_slot(plan, record.event_type, record.audience, doc, core_only)
    missing = evaluate.missing_mandatory(plan, record.event_type, record.audience, doc)
    count = evaluate.patient_count(plan, doc)
    view = present.question_view(slot, tax, record.audience, count) if slot else None
    if slot is not None and core_only:  # the assistant asks a group of questions as one (the web: one page)
        group = groups.for_slot(plan, record.event_type, record.audience, doc, slot,
                                evaluate.applicable_slots(plan, record.event_type, record.audience, doc))
        view = groups.view(plan, group, view, tax, record.audience) if group and view is not None else view
    out: dict[str, Any] = {
        "question": view,
        "missing_mandatory": len(missing),
        "ready_to_submit": record.status == "draft" and not missing,
    }
    # What the assistant offers at check your answers rather than asking (the plan's `chat`); the web asks all.
    out["offered"] = [present.offered_view(s, record.audience, count)
                      for s in evaluate.offered_slots(plan, record.event_type, record.audience, doc)] if core_only else []
    return out


def missing_list(plan: Plan, record: EventRecord, doc: AnswerDoc) -> list[dict[str, Any]]:
    count = evaluate.patient_count(plan, doc)
    return [
        {"field": s.question.id, "patient": s.patient, "text": s.question.text(record.audience, s.patient, count)}
        for s in evaluate.missing_mandatory(plan, record.event_type, record.audience, doc)
    ]


def _snapshot(db: Session, who: Principal, record: EventRecord, reason: str | None) -> None:
    db.add(RecordVersion(
        record_id=record.id, version=record.version, event_type=record.event_type,
        answers=record.answers, created_by=who.audit_label, reason=reason,
    ))


def _remember_reporter_role(db: Session, who: Principal, record: EventRecord) -> None:
    """A member of staff's role in this report becomes their account's, so the next report assumes it
    (the plan's default for ReporterRole); changed at any report's check-your-answers."""
    role = AnswerDoc.from_json(record.answers).get("ReporterRole")
    account = db.get(Account, who.account_id) if who.account_id and record.owner_account_id == who.account_id else None
    if account is not None and isinstance(role, str):
        accounts.keep_reporter_role(db, who, account, role)


def submit(db: Session, who: Principal, plan: Plan, record: EventRecord) -> EventRecord:
    def change() -> EventRecord:  # checked again on the fresh record if an answer lands meanwhile
        if record.status != "draft":
            raise HTTPException(status.HTTP_409_CONFLICT, f"Already submitted as {record.reference}")
        if not permissions.can_edit_draft(who, record):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the author can submit a draft")
        missing = missing_list(plan, record, AnswerDoc.from_json(record.answers))
        if missing:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                {"message": "Some questions still need an answer", "missing": missing})
        _remember_reporter_role(db, who, record)
        record.submitted_at = record.updated_at = _now()
        record.status, record.version = "submitted", 1
        record.reference = f"PSE-{record.submitted_at:%Y}-{record.id:06d}"
        _snapshot(db, who, record, None)
        audit.record(db, who, "record", record.public_id, "submit", new={"reference": record.reference, "version": 1})
        return record

    return _with_retry(db, record, None, change)


def amend(db: Session, who: Principal, plan: Plan, tax: Taxonomy, record: EventRecord,
          items: list[AnswerItem], expected_revision: int | None, reason: str | None) -> Outcome:
    def change() -> Outcome:
        if not permissions.can_amend(who, record):
            if record.status != "submitted":
                raise HTTPException(status.HTTP_409_CONFLICT, "Only a submitted record can be amended; a draft is answered")
            raise HTTPException(status.HTTP_403_FORBIDDEN, "You cannot amend this record")
        _check_revision(record, expected_revision)
        outcome = _apply(plan, tax, record, items)
        if not outcome.changes:
            return outcome
        missing = [
            {"field": s.question.id, "patient": s.patient}
            for s in evaluate.missing_mandatory(plan, outcome.event_type, record.audience, outcome.doc)
        ]
        if missing:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                {"message": "An amendment cannot remove required answers", "missing": missing})
        if not permissions.keeps_owning_organisation(record, outcome.doc):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "An amendment cannot move a submitted record to another organisation: keep "
                                f"{record.organisation_ods} as the first organisation (others may be added)")
        _store(db, who, record, outcome, action_prefix="amend:")
        record.version += 1
        _snapshot(db, who, record, reason)
        audit.record(db, who, "record", record.public_id, "amend", new={"version": record.version, "reason": reason})
        return outcome

    return _with_retry(db, record, expected_revision, change)


def list_visible(db: Session, who: Principal, status_filter: str | None, limit: int, offset: int) -> tuple[int, list[EventRecord]]:
    cond = permissions.visible_filter(who)
    if status_filter:
        cond = cond & (EventRecord.status == status_filter)
    total = db.scalar(select(func.count()).select_from(EventRecord).where(cond)) or 0
    rows = db.scalars(
        select(EventRecord).where(cond).order_by(EventRecord.updated_at.desc(), EventRecord.id.desc())
        .limit(limit).offset(offset)
    )
    return total, list(rows)


def answered_fields(record: EventRecord) -> list[str]:
    """The names of the answered and skipped questions ("PhysicalHarm:2" for patient 2), sorted."""
    doc = AnswerDoc.from_json(record.answers)
    names = set(doc.fields) | set(doc.skipped)
    names |= {f"{name}:{n}" for n, patient in enumerate(doc.patients, start=1) for name in patient}
    return sorted(names)


def delete_draft(db: Session, who: Principal, record: EventRecord) -> None:
    if not permissions.can_edit_draft(who, record):
        raise HTTPException(status.HTTP_409_CONFLICT if record.status != "draft" else status.HTTP_403_FORBIDDEN,
                            "Only the author can delete a draft, and only before it is submitted")
    # Which fields the draft held, never what they said: the reporter asked for their words to go.
    audit.record(db, who, "record", record.public_id, "delete", old={"fields": answered_fields(record)})
    db.delete(record)
    _commit(db)


def versions(db: Session, record: EventRecord) -> list[RecordVersion]:
    stmt = select(RecordVersion).where(RecordVersion.record_id == record.id).order_by(RecordVersion.version)
    return list(db.scalars(stmt))
