from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from backend.accounts.models import Role
from backend.records.schemas import Storable


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ods_code: Annotated[str, Storable] = Field(min_length=3, max_length=12)
    name: Annotated[str, Field(max_length=200), Storable] | None = Field(
        None, description="Defaults to the ODS list's name")


class OrganisationOut(BaseModel):
    ods_code: str
    name: str
    active: bool


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    display_name: Annotated[str, Storable] = Field(min_length=1, max_length=200)
    password: Annotated[str, Storable] = Field(min_length=12, max_length=200)
    role: Role = Role.standard
    organisation_ods: Annotated[str, Field(max_length=12), Storable] | None = Field(
        None, description="Platform admins only; admins create in their own")


class AccountOut(BaseModel):
    id: int
    email: str
    display_name: str
    organisation_ods: str | None
    role: Role
    active: bool


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
