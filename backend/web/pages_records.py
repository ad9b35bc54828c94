"""My records, and starting a new record on the web form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from backend.plan import AnswerDoc
from backend.records import derive, service
from backend.records.models import EventRecord
from backend.web import session
from backend.web.deps import CurrentUser, Db
from backend.web.templating import render
from backend.web.web_plan import event_type_hints, event_types, first_open_slot, question_url

router = APIRouter()
CHANNEL_NAMES = {"web": "Web form", "chat": "Web chat", "teams": "Teams", "sms": "Text message", "voice": "Phone",
                 "api": "API"}


def _row(request: Request, r: EventRecord) -> dict:
    types: dict[str | None, str] = dict(event_types(request.app.state.taxonomy))
    return {"id": r.public_id, "reference": r.reference, "status": r.status,
            "event_type": types.get(r.event_type, "Not chosen yet"), "channel": CHANNEL_NAMES.get(r.channel, r.channel),
            "event_date": r.event_date, "updated_at": r.updated_at,
            "about": derive.first_words(AnswerDoc.from_json(r.answers), 80) or "(no description yet)"}


@router.get("/records")
def my_records(request: Request, user: CurrentUser, db: Db, saved: str | None = None, deleted: bool = False):
    mine = db.scalars(select(EventRecord).where(EventRecord.owner_account_id == user.account.id)
                      .order_by(EventRecord.updated_at.desc(), EventRecord.id.desc()).limit(200)).all()
    drafts = [_row(request, r) for r in mine if r.status == "draft"]
    submitted = [_row(request, r) for r in mine if r.status != "draft"]
    return render(request, "records.html", title="My records", drafts=drafts, submitted=submitted,
                  saved=saved, deleted=deleted)


@router.get("/records/new")
def new_record(request: Request, user: CurrentUser):
    tax = request.app.state.taxonomy
    return render(request, "new_record.html", title="What are you recording?", errors=[],
                  types=event_types(tax), hints=event_type_hints(tax))


@router.post("/records/new", dependencies=[Depends(session.check_csrf)])
def create_record(request: Request, user: CurrentUser, db: Db,
                  event_type: Annotated[str, Form(max_length=40)] = ""):
    types = event_types(request.app.state.taxonomy)
    if event_type not in dict(types):
        return render(request, "new_record.html", status_code=400, title="What are you recording?", types=types,
                      hints=event_type_hints(request.app.state.taxonomy), errors=[{"href": f"event_type-{types[0][0]}", "text": "Select what you are recording"}])
    record, _ = service.create(db, user.principal, request.app.state.plan, request.app.state.taxonomy, event_type, "web", [])
    slot = first_open_slot(request, record)
    assert slot is not None  # only the event type is answered yet, and the plan asks more of every event type
    return RedirectResponse(question_url(record.public_id, *slot), status_code=303)


@router.get("/records/{record_id}/continue")
def continue_draft(request: Request, record_id: str, user: CurrentUser, db: Db):
    """A draft, wherever it was begun (chat, Teams, the web form), opens at its first missing question."""
    record = service.get_visible(db, user.principal, record_id)
    if record.status != "draft":
        return RedirectResponse(f"/records/{record_id}", status_code=303)
    slot = first_open_slot(request, record)
    return RedirectResponse(question_url(record_id, *slot) if slot else f"/records/{record_id}/check", status_code=303)
