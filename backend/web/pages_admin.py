"""The roles page: an organisation's admins grant and withdraw the standard, organisational and admin
roles. The rules and the audit entry are the accounts service's (change_role); this page only asks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from backend.accounts import service as accounts
from backend.accounts.models import Account, Organisation, Role
from backend.audit.models import AuditEvent
from backend.web import session
from backend.web.deps import CurrentUser, Db, WebUser
from backend.web.templating import render

router = APIRouter()
ROLES = {Role.standard: ("Standard", "Their own records only"),
         Role.organisational: ("Organisational", "Also the organisation's submitted records and the dashboard"),
         Role.admin: ("Admin", "Organisational, and changes people's roles")}
RECENT = 20


def _admin(user: WebUser) -> WebUser:
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only admins of an organisation change roles.")
    return user


def role_name(role: str) -> str:
    try:
        return ROLES[Role(role)][0] if Role(role) in ROLES else "Platform administrator"
    except ValueError:
        return role


def _recent_changes(db, members: list[Account]) -> list[dict]:
    """The latest role changes to the organisation's accounts, from the audit trail."""
    by_id = {str(a.id): a for a in members}
    events = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "account", AuditEvent.field == "role",
                                                 AuditEvent.entity_id.in_(list(by_id)))
                        .order_by(AuditEvent.id.desc()).limit(RECENT)).all()
    actor_ids = {e.actor_account_id for e in events if e.actor_account_id}
    actors = {a.id: a.display_name for a in db.scalars(select(Account).where(Account.id.in_(actor_ids)))}
    return [{"at": e.at, "account": by_id[e.entity_id].display_name, "old": role_name(str(e.old_value)),
             "new": role_name(str(e.new_value)), "by": actors.get(e.actor_account_id, "A platform administrator")}
            for e in events]


def _page(request: Request, db, user: WebUser, errors: list | None = None, changed: Account | None = None,
          status_code: int = 200):
    members = accounts.list_accounts(db, user.principal)  # the admin's organisation only
    org = db.get(Organisation, user.account.organisation_ods) if user.account.organisation_ods else None
    return render(request, "admin_accounts.html", status_code=status_code, title="People and roles", errors=errors or [],
                  members=members, roles=[(r.value, *ROLES[r]) for r in ROLES], role_name=role_name,
                  organisation=org.name if org else "", changed=changed, recent=_recent_changes(db, members),
                  org_roles=[r.value for r in ROLES])


@router.get("/admin/accounts")
def roles_page(request: Request, user: CurrentUser, db: Db, changed: int | None = None):
    _admin(user)
    shown = None
    if changed is not None:
        try:
            shown = accounts.visible_account(db, user.principal, changed)
        except HTTPException:
            shown = None  # a stale or edited link: no banner rather than an error
    return _page(request, db, user, changed=shown)


@router.post("/admin/accounts/{account_id}/role", dependencies=[Depends(session.check_csrf)])
def change_role(request: Request, account_id: int, user: CurrentUser, db: Db,
                role: Annotated[str, Form(max_length=40)] = ""):
    _admin(user)
    account = accounts.visible_account(db, user.principal, account_id)  # 404 outside the organisation
    if role not in [r.value for r in ROLES]:
        return _page(request, db, user, status_code=400, errors=[
            {"href": f"role-{account.id}", "text": f"Select a role for {account.display_name}"}])
    try:
        accounts.change_role(db, user.principal, account, Role(role))  # audited there
    except HTTPException as exc:
        if exc.status_code != status.HTTP_403_FORBIDDEN:
            raise
        db.rollback()
        text = "You cannot change your own role. Ask another admin." if account.id == user.account.id else str(exc.detail)
        return _page(request, db, user, status_code=403, errors=[{"href": f"role-{account.id}", "text": text}])
    return RedirectResponse(f"/admin/accounts?changed={account.id}", status_code=303)
