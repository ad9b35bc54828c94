from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from backend.records.schemas import Storable


class TeamsUser(BaseModel):
    # Entra (AAD) object ids are GUIDs; the bound only keeps junk out.
    aad_object_id: Annotated[str, Storable] = Field(min_length=1, max_length=200)
    # Compared with account e-mails, never stored here: no format check beyond length.
    email: Annotated[str, Field(max_length=254), Storable] | None = None


class Resolved(BaseModel):
    account_id: int
