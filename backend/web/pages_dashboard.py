"""The dashboard pages: counts as charts and tables, the matching records a page at a time, and the
CSV export, for staff accounts that have a dashboard. The filters, the scope rules and the queries
are the dashboard API's own (backend/dashboard), so the pages and the API always agree."""

from __future__ import annotations

from calendar import month_name
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from backend.accounts.models import Organisation
from backend.dashboard import filters, queries
from backend.dashboard.router import export_csv
from backend.web.deps import CurrentUser, Db, WebUser
from backend.web.templating import render

router = APIRouter()
# The filter form's groups of checkboxes, in the order shown; the first four are open by default.
GROUPS = (("event_type", "Event type"), ("status", "Status"), ("physical_harm", "Physical harm"),
          ("psychological_harm", "Psychological harm"), ("agent", "Agents involved"),
          ("service_area", "Service area"), ("channel", "How it was recorded"), ("reporter_type", "Reporter type"))
DATES = (("date_from", "Events from"), ("date_to", "Events to"))
NAMES = dict(GROUPS + DATES)
MAX_PAGE = 1_000_000  # as the API: keeps the row offset well inside what both databases take


def _principal(user: WebUser):
    """The caller's principal, or a 403 page: platform administrators see no records."""
    try:
        queries.scope(user.principal)
    except queries.NotPermitted:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The dashboard is for staff accounts of an organisation.") from None
    return user.principal


def _raw(request: Request) -> dict[str, list[str]]:
    return {name: request.query_params.getlist(name) for name in filters.filter_names()}


def _chosen(request: Request) -> dict[str, list[str]]:
    """What the form shows as chosen: each value, whether repeated or comma-separated (as the API takes)."""
    return {name: [v.strip() for raw in values for v in raw.split(",") if v.strip()]
            for name, values in _raw(request).items()}


def _problem(name: str, message: str) -> dict[str, str]:
    """A reporter-friendly sentence for one bad filter, linked to its first control."""
    if name in dict(DATES):
        text = ("The 'events from' date must be the same as or before the 'events to' date" if "is after" in message
                else f"{NAMES[name]} must be a real date, like 2025-03-27")
        return {"name": name, "href": name, "text": text}
    return {"name": name, "href": f"{name}-1", "text": f"Select {NAMES[name].lower()} from the list"}


def _parse(request: Request):
    """(filters, errors): the query string's filters, or the problems to show in the error summary."""
    try:
        return filters.parse(request.app.state.taxonomy, _raw(request)), []
    except filters.FilterError as e:
        return None, [_problem(name, msg) for name, msg in e.problems]


def _page_number(raw: str | None) -> int:
    # A mangled page number is not worth an error page: show the first page.
    return int(raw) if raw and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE else 1


def _month(key: str) -> str:
    year, month = key.split("-")
    return f"{month_name[int(month)]} {year}"


def _charts(summary: dict) -> list[dict]:
    """Each chart's title, rows (label, count) and the id of its table; drawn by static/dashboard.js."""
    months = [{"label": _month(m["month"]), "count": m["count"]} for m in summary["by_month"]]
    return [
        {"id": "by-month", "title": "Records by month of the event", "kind": "bar", "rows": months,
         "category": "Month"},
        {"id": "by-harm", "title": "Records by physical harm", "kind": "bar", "rows": summary["by_physical_harm"],
         "category": "Physical harm"},
        {"id": "by-agent", "title": "Records by agent involved", "kind": "horizontal", "rows": summary["by_agent"],
         "category": "Agent involved",
         "note": "A record naming more than one agent is counted once for each."},
    ]


def _scope_text(db, user: WebUser) -> str:
    if not user.principal.reviews_organisation or not user.account.organisation_ods:
        return "Your own records."
    org = db.get(Organisation, user.account.organisation_ods)
    name = org.name if org else user.account.organisation_ods
    return f"Submitted records of {name}, and your own records."


def _link(items: list[tuple[str, str]], **extra) -> str:
    return "/dashboard?" + urlencode(items + list(extra.items())) if items or extra else "/dashboard"


def _view(request: Request, user: WebUser, db, errors: list, f, number: int):
    tax, who = request.app.state.taxonomy, _principal(user)
    context: dict[str, Any] = {
        "errors": errors, "groups": [(n, lbl, filters.choices(tax, n)) for n, lbl in GROUPS],
        "dates": DATES, "chosen": _chosen(request), "scope": _scope_text(db, user),
        "summary": None, "charts": [], "page": None, "links": {}}
    if f is not None:
        summary = queries.summary(db, tax, who, f)
        page = queries.page(db, tax, who, f, number)
        if not page.items and page.total and number > page.pages:  # past the end: the last page
            page = queries.page(db, tax, who, f, page.pages)
        items = f.query_items()
        context.update(summary=summary, charts=_charts(summary), page=page, links={
            "export": "/dashboard/export.csv" + ("?" + urlencode(items) if items else ""),
            "previous": _link(items, page=page.page - 1) if page.page > 1 else None,
            "next": _link(items, page=page.page + 1) if page.page < page.pages else None,
        })
    return render(request, "dashboard.html", status_code=400 if errors else 200, title="Patient safety events dashboard", **context)


@router.get("/dashboard")
def dashboard(request: Request, user: CurrentUser, db: Db, page: str | None = None):
    f, errors = _parse(request)
    return _view(request, user, db, errors, f, _page_number(page))


@router.get("/dashboard/export.csv")
def dashboard_export(request: Request, user: CurrentUser, db: Db) -> Response:
    who = _principal(user)
    f, errors = _parse(request)
    if errors:  # the page, with the error summary, rather than a CSV of the wrong records
        return _view(request, user, db, errors, None, 1)
    # The API's export itself: the same audit entry ("who took what"), streaming and file name.
    response = export_csv(who, f, db, request.app.state.taxonomy, request)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
