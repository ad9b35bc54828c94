from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backend.auth.dependencies import AssistantPrincipal
from backend.database import get_db
from backend.records.router import record_out
from backend.records.schemas import Invalid, RecordOut
from backend.records.service import get_visible
from backend.resume_codes import service

router = APIRouter(prefix="/records", tags=["records"])
Db = Annotated[Session, Depends(get_db)]


class IssuedCode(BaseModel):
    code: str = Field(description="Twelve digits, shown or spoken to the reporter once; only a hash is kept")
    expires_at: datetime


class RedeemCode(BaseModel):
    code: str = Field(max_length=40, description="The code as typed or keyed: spaces, * and # are ignored")


def _settings(request: Request):
    return request.app.state.settings


@router.post("/{record_id}/resume-code", response_model=IssuedCode, summary="A code to carry a draft into another conversation",
             responses={409: {"description": "Not an unfinished draft of the caller's"}})
def issue_code(record_id: str, who: AssistantPrincipal, db: Db, request: Request) -> IssuedCode:
    settings = _settings(request)
    record = get_visible(db, who, record_id)
    code, expires = service.issue(db, who, record, settings.secret_key.get_secret_value(), settings.resume_code_hours)
    return IssuedCode(code=code, expires_at=expires)


@router.post("/resume", response_model=RecordOut, summary="Take over a public draft by its code (single use)",
             responses={403: {"description": "Staff accounts use their own draft list"},
                        422: {"model": Invalid, "description": "Not twelve digits, or not a valid request"},
                        404: {"description": "No live code matches"},
                        429: {"description": "Too many wrong codes recently"}})
def redeem_code(body: RedeemCode, who: AssistantPrincipal, db: Db, request: Request) -> RecordOut:
    record = service.redeem(db, who, body.code, _settings(request).secret_key.get_secret_value())
    return record_out(record)
