"""Local stand-ins for the Microsoft services the Teams channel talks to, which cannot run here:
Bot Framework's OpenID metadata and signing keys, the token endpoint (client credentials) and a
Bot Framework service URL (receives replies; answers roster look-ups). Standard library only, so
it runs in both environments; it records what it receives for the tests to check."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ISSUER = "https://api.botframework.com"


@dataclass
class FakeMicrosoft:
    app_id: str
    app_password: str
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # Teams user id -> roster entry
    replies: list[dict[str, Any]] = field(default_factory=list)  # {"path", "authorization", "body"}
    key_fetches: int = 0
    tokens_issued: int = 0
    reply_status: int = 200
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def openid_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return f"{self.url}/botframework.com/oauth2/v2.0/token"

    @property
    def service_url(self) -> str:
        return f"{self.url}/teams/"  # Teams' service URLs end with a slash, e.g. https://smba.trafficmanager.net/emea/

    def bot_token(self, n: int) -> str:
        return f"bot-token-{n}"

    def replies_to(self, conversation_id: str) -> list[dict[str, Any]]:
        quoted = urllib.parse.quote(conversation_id, safe="")
        return [r["body"] for r in self.replies if f"/v3/conversations/{quoted}/" in r["path"]]

    def wait_for_replies(self, conversation_id: str, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        end = time.monotonic() + timeout
        while len(found := self.replies_to(conversation_id)) < count and time.monotonic() < end:
            time.sleep(0.05)
        return found

    def start(self) -> FakeMicrosoft:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _json(self, status: int, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _authorised(self) -> bool:
                given = self.headers.get("Authorization", "")
                return any(given == f"Bearer {fake.bot_token(n)}" for n in range(1, fake.tokens_issued + 1))

            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                if path == "/v1/.well-known/openidconfiguration":
                    self._json(200, {"issuer": ISSUER, "jwks_uri": f"{fake.url}/v1/.well-known/keys",
                                     "id_token_signing_alg_values_supported": ["RS256"]})
                elif path == "/v1/.well-known/keys":
                    fake.key_fetches += 1
                    self._json(200, fake.jwks)
                elif path.startswith("/teams/v3/conversations/") and "/members/" in path:
                    if not self._authorised():
                        return self._json(401, {"error": {"code": "Unauthorized"}})
                    member = fake.members.get(urllib.parse.unquote(path.rsplit("/", 1)[1]))
                    if member:
                        self._json(200, member)
                    else:
                        self._json(404, {"error": {"code": "MemberNotFound"}})
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if path == "/botframework.com/oauth2/v2.0/token":
                    form = dict(urllib.parse.parse_qsl(raw.decode()))
                    expected = {"grant_type": "client_credentials", "client_id": fake.app_id,
                                "client_secret": fake.app_password, "scope": "https://api.botframework.com/.default"}
                    if form != expected:
                        return self._json(401, {"error": "invalid_client"})
                    fake.tokens_issued += 1
                    self._json(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                     "access_token": fake.bot_token(fake.tokens_issued)})
                elif path.startswith("/teams/v3/conversations/"):
                    if not self._authorised():
                        return self._json(401, {"error": {"code": "Unauthorized"}})
                    fake.replies.append({"path": path, "body": json.loads(raw)})
                    self._json(fake.reply_status, {"id": f"reply-{len(fake.replies)}"})
                else:
                    self._json(404, {})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
