"""What a record's printed summary shows, gathered in one dictionary for `pdf.summary_pdf`.

The same answers as GET /records/{id}/summary, plus what a reader of a printout needs to place it:
the event type and organisation by name, and the dates. Nothing about the reporter is added beyond
their own answers (no account name or e-mail address).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backend.accounts.models import Organisation
from backend.plan import Plan, present
from backend.records import summary
from backend.records.models import EventRecord
from backend.taxonomy import Taxonomy

ODS_SYSTEM = "ods-codes-5"


def organisation_name(db: Session, tax: Taxonomy, ods_code: str | None) -> str | None:
    """The registered organisation's name, else its name in the ODS list, with the ODS code."""
    if not ods_code:
        return None
    registered = db.get(Organisation, ods_code)
    if registered is not None:
        name = registered.name
    else:
        try:
            name = tax.code_system(ODS_SYSTEM).label(ods_code)
        except KeyError:
            name = ods_code
    return name if name == ods_code else f"{name} ({ods_code})"


def event_type_label(plan: Plan, tax: Taxonomy, record: EventRecord) -> str | None:
    if not record.event_type:
        return None
    question = plan.questions.get("EventType")
    if question is None:
        return record.event_type
    return present.label_of(question, tax, record.audience, record.event_type)


def summary_document(db: Session, plan: Plan, tax: Taxonomy, record: EventRecord) -> dict[str, Any]:
    """The input of `pdf.summary_pdf` for one record (the caller has checked the reader may see it)."""
    return {
        "id": record.public_id,
        "reference": record.reference,
        "event_type": record.event_type,
        "event_type_label": event_type_label(plan, tax, record),
        "status": record.status,
        "version": record.version,
        "organisation": organisation_name(db, tax, record.organisation_ods),
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "submitted_at": record.submitted_at,
        "answers": summary.summarise(plan, tax, record),
    }
