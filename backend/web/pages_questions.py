"""The web form: one page per question, from the same plan, code lists and validation as the
assistant; save and come back later on every page; check your answers; submit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from backend.plan import AnswerDoc
from backend.records import service, summary
from backend.records.models import EventRecord
from backend.records.schemas import AnswerItem
from backend.web import form_conflicts, pages_groups, session
from backend.web.deps import CurrentUser, Db, WebUser
from backend.web.form_answers import EMPTY, missing_message, search_codes, value_from
from backend.web.templating import render
from backend.web.web_plan import event_types, find_slot, first_open_slot, question_url, view

router = APIRouter()


def _draft(db, user: WebUser, record_id: str) -> EventRecord:
    record = service.get_visible(db, user.principal, record_id)
    if record.status != "draft":
        raise HTTPException(409, "This record has been submitted. You can view its summary.")
    if record.owner_account_id != user.account.id:
        raise HTTPException(404)  # a reviewer sees colleagues' submitted records, never their drafts
    return record


def _page(request: Request, record: EventRecord, q: dict[str, Any], previous, change: bool, errors: list,
          status_code: int = 200, found: list | None = None, query: str = "", state: dict | None = None):
    types: dict[str | None, str] = dict(event_types(request.app.state.taxonomy))
    back = _back(record, previous, change)
    # A page shown again (a search, a mistake to fix) keeps the state it was first rendered from.
    state = state or form_conflicts.page_state(record, q["field"], q["patient"])
    return render(request, "question.html", status_code=status_code, title=q["text"], q=q, record=record,
                  event_type=types.get(record.event_type, ""), back=back, change=change, errors=errors,
                  found=found or [], query=query, state=state)


def _back(record: EventRecord, previous, change: bool) -> str:
    if change or previous is None:
        return f"/records/{record.public_id}/check" if change else "/records"
    return question_url(record.public_id, *previous.key)


@router.get("/records/{record_id}/questions/{field}")
def question(request: Request, record_id: str, field: str, user: CurrentUser, db: Db,
             patient: int | None = None, change: bool = False):
    record = _draft(db, user, record_id)
    slot, previous = find_slot(request, record, field, patient)
    grouped = pages_groups.page_group(request, record, slot)
    if grouped:  # questions that belong together, on one page (the plan's groups)
        return pages_groups.show_page(request, record, *grouped, _back(record, previous, change), change)
    return _page(request, record, view(request, record, slot), previous, change, [])


@router.post("/records/{record_id}/questions/{field}", dependencies=[Depends(session.check_csrf)])
async def answer(request: Request, record_id: str, field: str, user: CurrentUser, db: Db,
                 patient: int | None = None, change: bool = False):
    record = _draft(db, user, record_id)
    slot, previous = find_slot(request, record, field, patient)
    grouped = pages_groups.page_group(request, record, slot)
    if grouped:
        return await pages_groups.answer_page(request, record, *grouped, _back(record, previous, change), change,
                                              _draft, db, user)
    q = view(request, record, slot)
    form = await request.form()
    posted = form_conflicts.posted_state(form)
    action = str(form.get("action") or "continue")
    item: dict[str, Any] | None = None
    errors: list[dict[str, str]] = []
    if q["kind"] == "search" and action == "search":  # look up the long list, then choose on the same page
        query = str(form.get("query") or "")[:100]
        found = search_codes(request.app.state.taxonomy, field, query)
        errs = [] if found else [{"href": "query", "text": "No organisation matches that name or code"}]
        return _page(request, record, q, previous, change, errs, 200 if found else 400, found, query, posted)
    if action == "skip" and (not q["mandatory"] or q["alternative"]):
        item = {"field": field, "patient": patient, "skip": True}
    else:
        try:
            value = value_from(form, q, request.app.state.taxonomy)
        except ValueError as exc:
            errors = [{"href": "value", "text": str(exc)}]
            value = EMPTY
        if value is not EMPTY:
            item = {"field": field, "patient": patient, "value": value}
        elif not errors and action != "later" and (q["mandatory"] or q["kind"] == "search"):
            errors = [{"href": "value", "text": missing_message(q)}]
    if item is not None and not errors:
        saved = _save(request, db, user, record_id, AnswerItem(**item), posted)
        if saved is None:  # nothing saved: the page again, from the record as it is now
            record = _draft(db, user, record_id)
            slot, previous = find_slot(request, record, field, patient)
            q = view(request, record, slot)
            href = "query" if q["kind"] == "search" else "value"
            return _page(request, record, q, previous, change, [{"href": href, "text": form_conflicts.MESSAGE}], 409)
        errors = saved
    if errors:
        q["value"] = None  # show what they typed, not the stored answer (below)
        return _page(request, record, {**q, "typed": dict(form)}, previous, change, errors, 400, state=posted)
    if action == "later":
        return RedirectResponse(f"/records?saved={record_id}", status_code=303)
    db.refresh(record)
    nxt = None if change else first_open_slot(request, record)
    return RedirectResponse(question_url(record_id, *nxt) if nxt else f"/records/{record_id}/check", status_code=303)


def _save(request: Request, db, user: WebUser, record_id: str, item: AnswerItem, posted: dict | None) -> list | None:
    """Saves the page's answer: [] when saved, the answer's errors to show on the page, or None when this
    question's answer changed since the page was shown (form_conflicts has the rule)."""
    for _ in range(3):
        record = _draft(db, user, record_id)  # fresh after a failed attempt (a rollback expires it)
        if form_conflicts.changed_here(record, item.field, item.patient, posted):
            return None
        try:
            # The revision just checked: a change landing before this commits is a 409, and is checked again.
            service.answer(db, user.principal, request.app.state.plan, request.app.state.taxonomy, record,
                           [item], record.revision)
            return []
        except HTTPException as exc:
            if exc.status_code == 409:
                db.rollback()  # read it all again: submitted meanwhile is _draft's 409, not a loop
                continue
            if exc.status_code != 422:
                raise
            detail: dict[str, Any] = exc.detail if isinstance(exc.detail, dict) else {}
            return [{"href": "value", "text": _sentence(e.get("message", "is not valid"))}
                    for e in detail.get("errors", [])] or [{"href": "value", "text": "That answer is not valid"}]
    return None


def _sentence(message: str) -> str:
    return message[0].upper() + message[1:] if message else message


@router.get("/records/{record_id}/check")
def check_answers(request: Request, record_id: str, user: CurrentUser, db: Db):
    record = _draft(db, user, record_id)
    plan, tax = request.app.state.plan, request.app.state.taxonomy
    rows = summary.summarise(plan, tax, record)
    missing = service.missing_list(plan, record, AnswerDoc.from_json(record.answers))
    types: dict[str | None, str] = dict(event_types(tax))
    return render(request, "check.html", title="Check your answers", record=record, rows=rows, missing=missing,
                  event_type=types.get(record.event_type, ""), question_url=question_url)


@router.post("/records/{record_id}/submit", dependencies=[Depends(session.check_csrf)])
def submit(request: Request, record_id: str, user: CurrentUser, db: Db):
    record = _draft(db, user, record_id)
    try:
        service.submit(db, user.principal, request.app.state.plan, record)
    except HTTPException as exc:
        if exc.status_code != 422:
            raise
        return RedirectResponse(f"/records/{record_id}/check", status_code=303)
    return RedirectResponse(f"/records/{record_id}/submitted", status_code=303)


@router.get("/records/{record_id}/submitted")
def submitted(request: Request, record_id: str, user: CurrentUser, db: Db):
    record = service.get_visible(db, user.principal, record_id)
    if record.status != "submitted":
        return RedirectResponse(f"/records/{record_id}/check", status_code=303)
    return render(request, "submitted.html", title="Record submitted", record=record)
