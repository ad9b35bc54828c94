"""The web form's page for a group of questions (the plan's groups, backend/plan/groups.py): the group's
questions on one page, validated together and saved in one change, from the same plan, defaults and
validation as the assistant. The lead keeps the page's usual field (`value`); each other question's
fields are named after it. A follow-up answered where the lead's answer does not open it is refused
(never dropped); one it opens and left blank is skipped when optional, asked for when mandatory."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from backend.plan import AnswerDoc, conditions, evaluate, groups
from backend.plan.evaluate import Slot
from backend.plan.groups import Group
from backend.records import service
from backend.records.models import EventRecord
from backend.records.schemas import AnswerItem
from backend.web import form_conflicts
from backend.web.form_answers import EMPTY, missing_message, value_from
from backend.web.templating import render
from backend.web.web_plan import event_types, first_open_slot, question_url, view

LEAD_NAME = "value"
NOT_OPENED = "Leave this blank, or change your answer to the question above"


def page_group(request: Request, record: EventRecord, slot: Slot) -> tuple[Group, list[Slot]] | None:
    """The group whose page this slot's page is (the slot leads it), with the slots it shows; None for a
    question on a page of its own."""
    plan = request.app.state.plan
    group = groups.group_of(plan, slot.question.id)
    if group is None or group.lead != slot.question.id:
        return None
    if group.when == "one_patient" and evaluate.patient_count(plan, AnswerDoc.from_json(record.answers)) != 1:
        return None
    steps = {s.question.id: s for s in plan.steps(record.event_type)}
    members = [slot] + [Slot(steps[q], slot.patient, True) for q in group.followers
                        if q in steps and steps[q].question.asks(record.audience)]
    return (group, members) if len(members) > 1 else None


def _name(i: int, slot: Slot) -> str:
    return LEAD_NAME if i == 0 else slot.question.id


def _views(request: Request, record: EventRecord, members: list[Slot]) -> list[dict[str, Any]]:
    out = []
    for i, slot in enumerate(members):
        q = view(request, record, slot)
        q["name"] = _name(i, slot)
        q["mandatory"] = record.audience in slot.step.mandatory_for
        out.append(q)
    return out


def render_page(request: Request, record: EventRecord, group: Group, qs: list[dict[str, Any]], back: str,
                change: bool, errors: list, status_code: int = 200, typed: dict | None = None,
                state: dict | None = None):
    types: dict[str | None, str] = dict(event_types(request.app.state.taxonomy))
    title = group.text(record.audience) or qs[0]["text"]
    state = state or form_conflicts.page_state(record, qs[0]["field"], qs[0]["patient"])
    by_name = {e["href"]: e["text"] for e in errors}
    return render(request, "group.html", status_code=status_code, title=title, qs=qs, group=group,
                  record=record, event_type=types.get(record.event_type, ""), back=back, change=change,
                  errors=errors, field_errors=by_name, typed=typed or {}, state=state)


def _sub_form(form: FormData, name: str) -> FormData:
    """One question's fields as its own page would post them."""
    if name == LEAD_NAME:
        return form
    items = [("value", v) for v in form.getlist(name)]
    items += [(f"date-{p}", form.get(f"{name}-date-{p}") or "") for p in ("day", "month", "year")]
    return FormData(items)


def read_page(group: Group, plan, qs: list[dict[str, Any]], members: list[Slot], form: FormData,
              action: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The page's answers as items for one change, and the errors to show (validated together)."""
    values: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for q in qs:
        try:
            values[q["field"]] = value_from(_sub_form(form, q["name"]), q)
        except ValueError as exc:
            errors.append({"href": q["name"], "text": str(exc)})
            values[q["field"]] = EMPTY
    lead, patient = qs[0], qs[0]["patient"]
    if group.kind == "detail":  # a detail ticked answers its problem too, as in the assistant's one list
        opened = [groups.opened_by(plan, group, q["field"]) for q in qs[1:] if values[q["field"]] is not EMPTY]
        if opened:
            given = values[lead["field"]] if values[lead["field"]] is not EMPTY else []
            values[lead["field"]] = list(dict.fromkeys([*given, *opened]))
    skipping = action == "skip" and not lead["mandatory"]
    items: list[dict[str, Any]] = []
    lead_value = values[lead["field"]]
    if lead_value is not EMPTY and not skipping:
        items.append({"field": lead["field"], "patient": patient, "value": lead_value})
    elif skipping:
        items.append({"field": lead["field"], "patient": patient, "skip": True})
    elif lead["mandatory"] and action != "later" and not any(e["href"] == lead["name"] for e in errors):
        errors.append({"href": lead["name"], "text": missing_message(lead)})
    for q, slot in zip(qs[1:], members[1:]):
        value = values[q["field"]]
        opens = group.kind == "together" or (lead_value is not EMPTY and not skipping and conditions.evaluate(
            slot.question.when, lambda name: (lead_value if name == lead["field"] else None, False)))
        if not opens:
            if value is not EMPTY:
                errors.append({"href": q["name"], "text": NOT_OPENED})
            continue
        if value is not EMPTY and not (skipping and not q["mandatory"]):
            items.append({"field": q["field"], "patient": patient, "value": value})
        elif q["mandatory"] and action != "later" and not any(e["href"] == q["name"] for e in errors):
            errors.append({"href": q["name"], "text": missing_message(q)})
        elif not q["mandatory"] and action != "later":
            items.append({"field": q["field"], "patient": patient, "skip": True})  # seen on the page, left out
    return items, errors


def save(request: Request, db, user, record_id: str, draft, items: list[dict[str, Any]], qs: list[dict[str, Any]],
         posted: dict | None) -> list | None:
    """Saves the page's answers in one change: [] when saved, errors per question, or None when the lead's
    answer changed elsewhere since the page was shown (form_conflicts)."""
    names = {q["field"]: q["name"] for q in qs}
    for _ in range(3):
        record = draft(db, user, record_id)
        if form_conflicts.changed_here(record, qs[0]["field"], qs[0]["patient"], posted):
            return None
        try:
            service.answer(db, user.principal, request.app.state.plan, request.app.state.taxonomy, record,
                           [AnswerItem(**i) for i in items], record.revision)
            return []
        except HTTPException as exc:
            if exc.status_code == 409:
                db.rollback()
                continue
            if exc.status_code != 422:
                raise
            detail: dict[str, Any] = exc.detail if isinstance(exc.detail, dict) else {}
            found = [{"href": names.get(e.get("field"), LEAD_NAME), "text": str(e.get("message", "is not valid"))}
                     for e in detail.get("errors", [])]
            return [{**e, "text": e["text"][:1].upper() + e["text"][1:]} for e in found] or \
                [{"href": LEAD_NAME, "text": "That answer is not valid"}]
    return None


async def answer_page(request: Request, record: EventRecord, group: Group, members: list[Slot], back: str,
                      change: bool, draft, db, user) -> Any:
    form = await request.form()
    posted = form_conflicts.posted_state(form)
    action = str(form.get("action") or "continue")
    lead = members[0]
    if form_conflicts.changed_here(record, lead.question.id, lead.patient, posted):  # before the page's own errors
        return render_page(request, record, group, _views(request, record, members), back, change,
                           [{"href": LEAD_NAME, "text": form_conflicts.MESSAGE}], 409)
    qs = _views(request, record, members)
    items, errors = read_page(group, request.app.state.plan, qs, members, form, action)
    if not errors and items:
        saved = save(request, db, user, record.public_id, draft, items, qs, posted)
        if saved is None:
            record = draft(db, user, record.public_id)
            return render_page(request, record, group, _views(request, record, members), back, change,
                               [{"href": LEAD_NAME, "text": form_conflicts.MESSAGE}], 409)
        errors = saved
    if errors:
        for q in qs:
            q["value"] = None  # what they typed is shown, not the stored answer
        return render_page(request, record, group, qs, back, change, errors, 400, typed=dict(form), state=posted)
    if action == "later":
        return RedirectResponse(f"/records?saved={record.public_id}", status_code=303)
    db.refresh(record)
    nxt = None if change else first_open_slot(request, record)
    return RedirectResponse(question_url(record.public_id, *nxt) if nxt else f"/records/{record.public_id}/check",
                            status_code=303)


def show_page(request: Request, record: EventRecord, group: Group, members: list[Slot], back: str, change: bool):
    return render_page(request, record, group, _views(request, record, members), back, change, [])
