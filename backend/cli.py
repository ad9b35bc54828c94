"""Command line: `python -m backend.cli migrate|seed|serve|token`."""

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
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.cmd == "migrate":
        upgrade_to_head(settings.database_url)
        print("Database is at the latest migration.")
    elif args.cmd == "seed":
        upgrade_to_head(settings.database_url)
        _seed()
    elif args.cmd == "service-token":
        print(settings.service_token.get_secret_value())
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
