from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from backend.auth.dependencies import require_service
from backend.database import get_db
from backend.identities import service
from backend.identities.schemas import Resolved, TeamsUser

router = APIRouter(prefix="/identities", tags=["identities"], dependencies=[Depends(require_service)])


@router.post("/teams/resolve", response_model=Resolved, summary="The staff account of a Teams user (service only)",
             responses={404: {"description": "No active account for this user"},
                        409: {"description": "The account with this e-mail is linked to another Teams user"}})
def resolve_teams(body: TeamsUser, db: Annotated[Session, Depends(get_db)]) -> Resolved:
    """Called by the Teams channel after it verified Bot Framework's token: an existing link, or the
    active account whose e-mail matches (case-insensitive), linked now and audited."""
    return Resolved(account_id=service.resolve(db, service.TEAMS, body.aad_object_id, body.email).id)
