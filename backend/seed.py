"""Demo organisations and one account per role, for trying the system; never in production.

Passwords are generated on each seeding, printed once and kept in var/demo-accounts.txt (ignored
by git), so no credential is ever committed.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Organisation, Role
from backend.auth.passwords import hash_password
from backend.config import VAR_DIR, Settings
from backend.private_files import write_private
from backend.taxonomy import get_taxonomy

# A GP practice (primary care is where reporting is scarcest) and a hospital trust, from the ODS list.
DEMO_ORGS = ("G81019", "RVJ")
DEMO_ACCOUNTS = (
    ("standard@demo.example", "Sam Standard", Role.standard, "G81019"),
    ("reviewer@demo.example", "Olu Organisational", Role.organisational, "G81019"),
    ("admin@demo.example", "Ada Admin", Role.admin, "G81019"),
    ("trust.standard@demo.example", "Tom Trust", Role.standard, "RVJ"),
    ("platform@demo.example", "Pat Platform", Role.platform_admin, None),
)


def seed_demo(db: Session, settings: Settings, var_dir: Path | None = None) -> list[tuple[str, str, str]] | None:
    """Seeds an empty database; returns (email, role, password) rows, or None if it had accounts."""
    if settings.environment == "production":
        raise RuntimeError("demo accounts are never created in production")
    if db.scalar(select(func.count()).select_from(Account)):
        return None
    ods = get_taxonomy().code_system("ods-codes-5")
    for code in DEMO_ORGS:
        db.add(Organisation(ods_code=code, name=ods.label(code), email_domains="demo.example"))
    db.flush()
    created = []
    for email, name, role, org in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        db.add(Account(email=email, display_name=name, password_hash=hash_password(password),
                       organisation_ods=org, role=role.value))
        created.append((email, role.value, password))
    db.commit()
    write_private((var_dir or VAR_DIR) / "demo-accounts.txt", "".join(f"{e}\t{r}\t{p}\n" for e, r, p in created))
    return created
