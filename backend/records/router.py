from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from sqlalchemy.orm import Session

from backend import printout
from backend.audit import service as audit
from backend.auth.dependencies import AssistantPrincipal, CurrentPrincipal
from backend.database import get_db
from backend.plan import AnswerDoc, Plan
from backend.records import anonymity, derive, service, summary
from backend.records.changes import Outcome
from backend.records.models import EventRecord
from backend.records.schemas import (
    MAX_INT,
    AmendRequest,
    AnswerRequest,
    AnswersSummary,
    AuditOut,
    ChangeResult,
    CreateRecord,
    IdentifierWarning,
    MissingList,
    NextQuestion,
    RecordOut,
    RecordPage,
    RecordSummary,
    SubmitResult,
    Unprocessable,
    VersionOut,
)
from backend.taxonomy import Taxonomy

UNPROCESSABLE: dict[int | str, dict[str, Any]] = {
    422: {"model": Unprocessable, "description": "The request does not fit this description, or an answer was not "
          "accepted, or questions that must be answered are not"}}
router = APIRouter(prefix="/records", tags=["records"], responses=UNPROCESSABLE)
Db = Annotated[Session, Depends(get_db)]


def _plan(request: Request) -> Plan:
    return request.app.state.plan


def _tax(request: Request) -> Taxonomy:
    return request.app.state.taxonomy


PlanDep = Annotated[Plan, Depends(_plan)]
TaxDep = Annotated[Taxonomy, Depends(_tax)]


def record_out(r: EventRecord) -> RecordOut:
    return RecordOut(
        id=r.public_id, reference=r.reference, event_type=r.event_type, status=r.status, audience=r.audience,
        version=r.version, revision=r.revision, channel=r.channel, organisation_ods=r.organisation_ods,
        event_date=r.event_date, answers=r.answers, created_at=r.created_at, updated_at=r.updated_at,
        submitted_at=r.submitted_at,
    )


def _result(plan: Plan, tax: Taxonomy, r: EventRecord, outcome: Outcome, core_only: bool = False) -> ChangeResult:
    return ChangeResult(
        record=record_out(r),
        changed=[c.field if c.patient is None else f"{c.field}:{c.patient}" for c in outcome.changes],
        identifiers_found=[IdentifierWarning.model_validate(f) for f in outcome.findings],
        next_question=service.next_question(plan, tax, r, core_only=core_only)["question"] if r.status == "draft" else None,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ChangeResult, summary="Create a draft")
def create_record(body: CreateRecord, who: AssistantPrincipal, db: Db, plan: PlanDep, tax: TaxDep) -> ChangeResult:
    record, outcome = service.create(db, who, plan, tax, body.event_type, body.channel, body.answers)
    return _result(plan, tax, record, outcome)


@router.get("", response_model=RecordPage, summary="List the records I may see, most recently changed first")
def list_records(
    who: AssistantPrincipal, db: Db,
    status_filter: Annotated[Literal["draft", "submitted"] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict:
    if who.via_service and status_filter != "draft":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The service credential lists only the caller's own drafts")
    total, rows = service.list_visible(db, who, status_filter, limit, offset)
    items = [
        RecordSummary(
            id=r.public_id, reference=r.reference, event_type=r.event_type, status=r.status, channel=r.channel,
            event_date=r.event_date, first_words=derive.first_words(AnswerDoc.from_json(r.answers)),
            updated_at=r.updated_at,
        )
        for r in rows
    ]
    return {"total": total, "items": items}


@router.get("/{record_id}", response_model=RecordOut)
def read_record(record_id: str, who: AssistantPrincipal, db: Db) -> RecordOut:
    return record_out(service.get_visible(db, who, record_id))


@router.post("/{record_id}/answers", response_model=ChangeResult, summary="Answer or skip questions (idempotent)")
def answer_questions(record_id: str, body: AnswerRequest, who: AssistantPrincipal, db: Db, plan: PlanDep, tax: TaxDep,
                     core_only: Annotated[bool, Query(description="next_question from the assistant's subset")] = False,
                     ) -> ChangeResult:
    record = service.get_visible(db, who, record_id)
    outcome = service.answer(db, who, plan, tax, record, body.answers, body.expected_revision)
    # The next question comes with the answer, so a conversation turn needs one backend call, not two.
    return _result(plan, tax, record, outcome, core_only)


@router.get("/{record_id}/next-question", response_model=NextQuestion)
def next_question(
    record_id: str, who: AssistantPrincipal, db: Db, plan: PlanDep, tax: TaxDep,
    core_only: Annotated[bool, Query(description="Leave out web-form-only questions (the assistant's view)")] = False,
) -> dict:
    return service.next_question(plan, tax, service.get_visible(db, who, record_id), core_only)


@router.get("/{record_id}/missing", response_model=MissingList, summary="Mandatory questions still unanswered")
def missing(record_id: str, who: AssistantPrincipal, db: Db, plan: PlanDep) -> dict:
    record = service.get_visible(db, who, record_id)
    return {"missing": service.missing_list(plan, record, AnswerDoc.from_json(record.answers))}


@router.post("/{record_id}/submit", response_model=SubmitResult,
             responses={422: {"model": Unprocessable,
                               "description": "Mandatory questions are missing; the list says which"}})
def submit(record_id: str, who: AssistantPrincipal, db: Db, plan: PlanDep) -> SubmitResult:
    record = service.submit(db, who, plan, service.get_visible(db, who, record_id))
    return SubmitResult(reference=record.reference or "", record=record_out(record))


@router.post("/{record_id}/amend", response_model=ChangeResult, summary="Amend a submitted record (adds a version)")
def amend(record_id: str, body: AmendRequest, who: CurrentPrincipal, db: Db, plan: PlanDep, tax: TaxDep) -> ChangeResult:
    record = service.get_visible(db, who, record_id)
    outcome = service.amend(db, who, plan, tax, record, body.answers, body.expected_revision, body.reason)
    return _result(plan, tax, record, outcome)


@router.delete("/{record_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a draft (its author only)")
def delete_draft(record_id: str, who: AssistantPrincipal, db: Db) -> None:
    service.delete_draft(db, who, service.get_visible(db, who, record_id))


@router.get("/{record_id}/summary", response_model=AnswersSummary,
            summary="The answers in plan order, with question text and labels")
def record_summary(record_id: str, who: AssistantPrincipal, db: Db, plan: PlanDep, tax: TaxDep) -> dict:
    record = service.get_visible(db, who, record_id)
    return {"id": record.public_id, "reference": record.reference, "event_type": record.event_type,
            "status": record.status, "answers": summary.summarise(plan, tax, record)}


@router.get("/{record_id}/summary.pdf", summary="The summary as a PDF to print or keep (labels, not codes)",
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def record_summary_pdf(record_id: str, who: CurrentPrincipal, db: Db, plan: PlanDep, tax: TaxDep) -> Response:
    record = service.get_visible(db, who, record_id)
    return printout.pdf_download(printout.summary_document(db, plan, tax, record))


@router.get("/{record_id}/versions", response_model=list[VersionOut])
def list_versions(record_id: str, who: CurrentPrincipal, db: Db) -> list[VersionOut]:
    record = service.get_visible(db, who, record_id)
    return [
        VersionOut(version=v.version, event_type=v.event_type, answers=v.answers, created_at=v.created_at,
                   created_by=anonymity.shown_actor(v.created_by, record, who), reason=v.reason)
        for v in service.versions(db, record)
    ]


@router.get("/{record_id}/audit", response_model=list[AuditOut])
def audit_trail(record_id: str, who: CurrentPrincipal, db: Db) -> list[AuditOut]:
    record = service.get_visible(db, who, record_id)
    return [
        AuditOut(at=e.at, actor=anonymity.shown_actor(e.actor, record, who, e.actor_account_id), action=e.action,
                 field=e.field, patient=e.patient,
                 old_value=e.old_value, new_value=e.new_value)
        for e in audit.history(db, "record", record.public_id)
    ]
