"""Starts the action server: rasa-sdk's own app, bound to ACTIONS_HOST (not every interface) and
refusing every call that does not carry Rasa's credential.

`rasa run actions` binds 0.0.0.0 and accepts anyone; the actions take the acting identity from the
tracker the caller sends, so whoever reached the port could forge a tracker and act for any account
or phone number. Here the Rasa server sends `Authorization: Bearer $ACTION_SERVER_TOKEN` (the
`headers` of `action_endpoint` in endpoints.yml and endpoints.production.yml) and anything else
answers 401. /health stays open (it says nothing) for health checks.

    python -m actions.server --port 5055      # ACTIONS_HOST (default 127.0.0.1), ACTION_SERVER_TOKEN
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from pathlib import Path

from sanic import Sanic, response
from sanic.request import Request

OPEN_PATHS = {"/health"}


def action_server_token() -> str:
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if token:
        return token
    raise SystemExit("ACTION_SERVER_TOKEN is not set: the action server refuses to start without Rasa's credential")


def protect(app: Sanic, token: str) -> Sanic:
    """Every request but OPEN_PATHS must carry the token."""
    if len(token) < 16:
        raise SystemExit("ACTION_SERVER_TOKEN is too short (at least 16 characters; e.g. openssl rand -hex 32)")
    expected = f"Bearer {token}".encode()

    @app.middleware("request")
    async def require_rasa(request: Request):
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "the action server answers only the Rasa server"}, status=401)
        return None

    return app


def create_app(token: str) -> Sanic:
    from rasa_sdk.endpoint import create_app as sdk_app

    # No CORS: only the Rasa server calls this, never a browser.
    return protect(sdk_app("actions", cors_origins=None), token)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("ACTIONS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", "5055")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    os.chdir(Path(__file__).resolve().parent.parent)  # the actions package is found from the project root
    app = create_app(action_server_token())
    logging.getLogger(__name__).info("action server on http://%s:%s (Rasa's credential required)", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
