"""Command line: `python -m backend.cli migrate|seed|serve|service-token|dev-secret|create-platform-admin|purge`."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.orm import Session

from backend.config import VAR_DIR, get_settings
from backend.database import make_engine
from backend.database.migrate import upgrade_to_head


def _seed() -> None:
    from backend.seed import seed_demo

    settings = get_settings()
    with Session(make_engine(settings.database_url)) as db:
        created = seed_demo(db, settings)
    if created is None:
        print(f"Demo accounts already exist (passwords in {VAR_DIR / 'demo-accounts.txt'}).")
        return
    print("Demo accounts (also saved in var/demo-accounts.txt):")
    for email, role, password in created:
        print(f"  {role:<15} {email:<30} password: {password}")


def _create_platform_admin(email: str, name: str) -> None:
    """The first account of a production database (the demo seed is refused there): a platform admin,
    who then registers organisations and their admins. The password comes on stdin, never argv."""
    from sqlalchemy import func, select

    from backend.accounts.models import Account, Role
    from backend.auth.passwords import hash_password

    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        raise SystemExit("create-platform-admin: give a password of at least 12 characters on stdin")
    settings = get_settings()
    upgrade_to_head(settings.database_url)
    with Session(make_engine(settings.database_url)) as db:
        if db.scalar(select(Account.id).where(func.lower(Account.email) == email.lower())) is not None:
            raise SystemExit(f"create-platform-admin: an account {email} already exists")
        db.add(Account(email=email, display_name=name, password_hash=hash_password(password),
                       organisation_ods=None, role=Role.platform_admin.value))
        db.commit()
    print(f"Platform admin {email} created.")


def _purge(settings, days: int) -> None:
    from datetime import datetime, timezone

    from sqlalchemy import create_engine

    from backend.retention import purge

    if days < 1:
        raise SystemExit("purge: the retention period is at least one day")
    tracker = create_engine(settings.tracker_database_url) if settings.tracker_database_url else None
    with Session(make_engine(settings.database_url)) as db:
        purged = purge(db, datetime.now(timezone.utc), days, tracker)
    print(f"Retention {days} days. {purged}" + ("" if tracker else " (TRACKER_DATABASE_URL unset: tracker not purged)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backend", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate", help="bring the database schema to the latest migration")
    sub.add_parser("seed", help="create demo organisations and accounts in an empty database")
    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("service-token", help="print the action server's service token")
    secret = sub.add_parser("dev-secret", help="print (making it once) a development-only secret, e.g. rest_channel_token")
    secret.add_argument("name")
    purge = sub.add_parser("purge", help="remove deleted drafts' content, old resume code tries and old "
                           "conversations after the retention period (RETENTION_DAYS); run it daily")
    purge.add_argument("--days", type=int, help="the retention period in days (default: RETENTION_DAYS)")
    admin = sub.add_parser("create-platform-admin", help="the first account of a new database; password on stdin")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.cmd == "migrate":
        upgrade_to_head(settings.database_url)
        print("Database is at the latest migration.")
    elif args.cmd == "seed":
        upgrade_to_head(settings.database_url)
        _seed()
    elif args.cmd == "purge":
        _purge(settings, args.days if args.days is not None else settings.retention_days)
    elif args.cmd == "create-platform-admin":
        _create_platform_admin(args.email, args.name)
    elif args.cmd == "service-token":
        print(settings.service_token_value())
    elif args.cmd == "dev-secret":
        if settings.environment == "production":
            parser.error("development secrets are not used in production; set them in the environment")
        from backend.config import dev_secret

        print(dev_secret(args.name))
    elif args.cmd == "serve":
        import uvicorn

        print(f"Backend API: http://{args.host}:{args.port}/api/v1/docs", flush=True)
        uvicorn.run("backend.main:create_app", factory=True, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
