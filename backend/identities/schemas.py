from __future__ import annotations

from pydantic import BaseModel, Field


class TeamsUser(BaseModel):
    # Entra (AAD) object ids are GUIDs; the bound only keeps junk out.
    aad_object_id: str = Field(min_length=1, max_length=200)
    # Compared with account e-mails, never stored here: no format check beyond length.
    email: str | None = Field(default=None, max_length=254)


class Resolved(BaseModel):
    account_id: int
