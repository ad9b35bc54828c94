from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from backend.accounts.models import Role
from backend.records.schemas import Storable

EmailDomain = Annotated[str, Field(min_length=3, max_length=100,
                                    pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,}$")]


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ods_code: Annotated[str, Storable] = Field(min_length=3, max_length=12)
    name: Annotated[str, Field(max_length=200), Storable] | None = Field(
        None, description="Defaults to the ODS list's name")
    email_domains: list[EmailDomain] = Field(
        default_factory=list, max_length=20,
        description="Its staff's e-mail domains: its admins create accounts only on these, and Teams users "
                    "are linked to accounts by e-mail only on these")


class EmailDomains(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email_domains: list[EmailDomain] = Field(max_length=20)


class OrganisationOut(BaseModel):
    ods_code: str
    name: str
    active: bool
    email_domains: list[str] = []


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
    reporter_role: str | None = None  # LFPSE ReporterRole code: asked once, then the default of every report


class ReporterRoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reporter_role: str | None  # a ReporterRole code, or null to be asked again at the next report


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role


class ActiveChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: Annotated[str, Storable] = Field(min_length=1, max_length=200)
    new_password: Annotated[str, Storable] = Field(min_length=12, max_length=200)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
