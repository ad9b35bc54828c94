"""The dashboard API: counts, a page of records and a CSV export, for staff accounts only."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backend.audit import service as audit
from backend.auth.dependencies import CurrentPrincipal
from backend.auth.principal import Principal
from backend.dashboard import export, filters, queries
from backend.database import get_db
from backend.taxonomy import Taxonomy

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
Db = Annotated[Session, Depends(get_db)]
MAX_PAGE = 1_000_000  # keeps the row offset well inside what both databases take
CODES = "Any of these codes (repeat the parameter or separate with commas)"


class FilterQuery(BaseModel):
    """The filters as query parameters; values are checked against the taxonomy by filters.parse."""

    date_from: str | None = Field(default=None, description="Events on or after this date (YYYY-MM-DD)")
    date_to: str | None = Field(default=None, description="Events on or before this date (YYYY-MM-DD)")
    event_type: list[str] = Field([], description=CODES)
    status: list[str] = Field([], description="draft, submitted")
    channel: list[str] = Field([], description=CODES)
    physical_harm: list[str] = Field([], description=CODES)
    psychological_harm: list[str] = Field([], description=CODES)
    reporter_type: list[str] = Field([], description=CODES)
    agent: list[str] = Field([], description="InvolvedAgents codes")
    service_area: list[str] = Field([], description="ServiceArea codes")


def _tax(request: Request) -> Taxonomy:
    return request.app.state.taxonomy


TaxDep = Annotated[Taxonomy, Depends(_tax)]


def dashboard_principal(who: CurrentPrincipal) -> Principal:
    try:
        queries.scope(who)
    except queries.NotPermitted:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "Only staff accounts that report or review records have a dashboard") from None
    return who


def selected(query: Annotated[FilterQuery, Query()], tax: TaxDep) -> filters.Filters:
    try:
        return filters.parse(tax, query.model_dump())
    except filters.FilterError as e:
        # The same shape as FastAPI's own 422s, naming each bad parameter.
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", name), "msg": msg, "input": query.model_dump().get(name)}
             for name, msg in e.problems]
        ) from None


Who = Annotated[Principal, Depends(dashboard_principal)]
Selected = Annotated[filters.Filters, Depends(selected)]


@router.get("/options", summary="Each filter's codes and labels")
def options(who: Who, tax: TaxDep) -> dict:
    return {name: [{"code": c, "label": lbl} for c, lbl in filters.choices(tax, name).items()]
            for name in filters.filter_names() if not name.startswith("date_")}


@router.get("/summary", summary="Counts of the selected records: total, by month, harm, event type, agent")
def summary(who: Who, f: Selected, db: Db, tax: TaxDep) -> dict:
    return {"filters": f.describe(), **queries.summary(db, tax, who, f)}


@router.get("/records", summary="A page of the selected records, newest event first")
def records(
    who: Who, f: Selected, db: Db, tax: TaxDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=queries.MAX_PAGE_SIZE)] = queries.PAGE_SIZE,
) -> dict:
    p = queries.page(db, tax, who, f, page, page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "pages": p.pages, "items": p.items}


@router.get("/export.csv", summary="Every selected record as CSV (labels and codes)",
            response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def export_csv(who: Who, f: Selected, db: Db, tax: TaxDep, request: Request) -> StreamingResponse:
    # An export takes records out of the system: who took what is kept in the audit trail.
    audit.record(db, who, "dashboard", who.organisation_ods or "-", "export", new=f.describe())
    db.commit()

    def body():
        # Its own session: the request's one may be closed before a long download ends.
        with request.app.state.sessions() as session:
            yield from export.csv_text(session, tax, who, f)

    name = f"patient-safety-events-{date.today().isoformat()}.csv"
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
