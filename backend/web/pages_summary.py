"""A record's summary page, its print view and its PDF: labels, not codes; what reporters typed is
escaped by the templates and drawn as text in the PDF."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request

from backend import printout
from backend.records import service
from backend.web.deps import CurrentUser, Db
from backend.web.templating import render

router = APIRouter()


def _document(request: Request, db, user, record_id: str):
    record = service.get_visible(db, user.principal, record_id)  # 404 for another organisation's record
    return record, printout.summary_document(db, request.app.state.plan, request.app.state.taxonomy, record)


@router.get("/records/{record_id}")
def record_summary(request: Request, record_id: str, user: CurrentUser, db: Db, back: str | None = None):
    record, doc = _document(request, db, user, record_id)
    back_href = "/dashboard" if back == "dashboard" else "/records"
    return render(request, "summary.html", title=f"{doc['reference'] or 'Draft'}: summary", doc=doc,
                  printing=False, back_href=back_href, own=record.owner_account_id == user.account.id)


@router.get("/records/{record_id}/print")
def record_print(request: Request, record_id: str, user: CurrentUser, db: Db):
    record, doc = _document(request, db, user, record_id)
    return render(request, "summary.html", title=f"{doc['reference'] or 'Draft'}: print", doc=doc, printing=True,
                  back_href="", own=False, now=datetime.now(timezone.utc))


@router.get("/records/{record_id}/summary.pdf")
def record_pdf(request: Request, record_id: str, user: CurrentUser, db: Db):
    _, doc = _document(request, db, user, record_id)
    return printout.pdf_download(doc)
