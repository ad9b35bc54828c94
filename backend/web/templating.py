"""Jinja2 rendering for the pages: autoescaped everywhere (what reporters typed is shown as text),
with the signed-in user, the CSRF token and the navigation in every template."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from backend.web.session import csrf_token

TEMPLATES = Path(__file__).parent / "templates"
UK = ZoneInfo("Europe/London")
# Pages never cached (they show patient safety data), never framed, no referrer leaking record ids.
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
                "X-Content-Type-Options": "nosniff"}


def uk_datetime(value: datetime | str | None) -> str:
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UK).strftime("%-d %B %Y, %H:%M")


def uk_date(value: date | str | None) -> str:
    if value is None:
        return ""
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return day.strftime("%-d %B %Y")


env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)
env.filters["uk_datetime"] = uk_datetime
env.filters["uk_date"] = uk_date


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    html = env.get_template(template).render(request=request, user=user, csrf_token=csrf_token(request), **context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
