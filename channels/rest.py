"""The REST channel, for tests and integrations: Rasa's own accepts anyone and takes the sender
from the body, and its webhook is not covered by --auth-token. This one requires the configured
bearer token and an explicit sender id, and passes on only a verified staff identity.

The staff identity is checked on every message, not once per conversation: a message with a valid
`staff_token` goes to the conversation `staff:<account>:<sender>`, one without to the public
conversation `<sender>`. So whoever reuses a sender without the token reaches only a public
conversation of their own, never the member of staff's (whose identity Rasa keeps in the tracker).
A public sender may not start with "staff:". Replies name the sender as the caller gave it.

Bad input is answered, not passed on: a sender over the per-sender rate limit (channels/rate_limit.py),
a message with no words or over MAX_TEXT characters get 200 and a JSON list with one polite message,
as any turn does, so an integration shows it like any other reply; the assistant is not called.
A malformed request (no sender, a sender that is not printable ASCII, a message that is not text)
is a 422."""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import rasa_speedups
from channels.identity import IdentityUnavailable, account_for_token
from channels.input_text import EMPTY, too_long, words
from channels.no_reply import guard
from channels.rate_limit import SLOW_DOWN, RateLimiter
from channels.structured import Collector, for_screen
from wording.render import say

logger = logging.getLogger(__name__)
MAX_SENDER = 128
MAX_TEXT = 10_000
CANNOT_VERIFY = say("channel_cannot_verify", "staff", "screen")
# The sender becomes part of the action server's X-Act-As header (public:rest:<sender>): ASCII only.
SENDER = re.compile(r"^[\x20-\x7e]+$")
STAFF_PREFIX = "staff:"  # staff conversations' keys; a caller's sender may not start with it


def conversation_of(sender: str, account: int | None) -> str:
    return f"{STAFF_PREFIX}{account}:{sender}" if account is not None else sender


class AuthenticatedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self, token: str, backend_url: str) -> None:
        if not token:
            raise ValueError("the REST channel needs a token (REST_CHANNEL_TOKEN)")
        self.token, self.backend_url = token, backend_url.rstrip("/")
        self.limiter = RateLimiter.from_env()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> AuthenticatedRestInput:
        rasa_speedups.apply()  # Rasa is building its channels: its speed fixes, checked (loud if they do not fit)
        credentials = credentials or {}
        return cls(credentials.get("token") or os.environ.get("REST_CHANNEL_TOKEN", ""),
                   credentials.get("backend_url") or os.environ.get("BACKEND_URL", "http://127.0.0.1:8000"))

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), self.token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guard(on_new_message)  # no message goes unanswered (channels/no_reply.py)
        hook = Blueprint("authenticated_rest", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "a valid bearer token is required"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if (not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER or not SENDER.match(sender)
                    or sender.startswith(STAFF_PREFIX)):
                return response.json({"error": f"'sender' (1-{MAX_SENDER} printable ASCII characters, not starting "
                                               f"with '{STAFF_PREFIX}') is required"}, status=422)
            if not isinstance(text, str):
                return response.json({"error": "'message' must be text"}, status=422)
            if not self.limiter.check(sender).allowed:  # before the staff token costs a backend call
                return self._say(sender, SLOW_DOWN)
            text = words(text)
            if not text.strip():
                return self._say(sender, EMPTY)
            if len(text) > MAX_TEXT:
                return self._say(sender, too_long(MAX_TEXT))
            metadata: dict[str, Any] = {}
            account = None
            staff_token = body.get("staff_token")
            if staff_token:
                try:
                    account = await account_for_token(self.backend_url, str(staff_token))
                except IdentityUnavailable:  # never downgraded to the public: asked to send it again
                    logger.exception("could not verify a staff token")
                    return self._say(sender, CANNOT_VERIFY)
                if account is None:
                    return response.json({"error": "the staff token is not valid"}, status=401)
                metadata["account_id"] = account
            collector = Collector()
            await on_new_message(UserMessage(text, collector, conversation_of(sender, account),
                                             input_channel=self.name(), metadata=metadata))
            # Rendered for screens; the structured message stays under "custom" for integrations.
            return response.json([{**for_screen(m), "recipient_id": sender} for m in collector.messages])

        return hook

    @staticmethod
    def _say(sender: str, text: str) -> HTTPResponse:
        """One message from the channel itself, in the shape of the assistant's replies."""
        return response.json([{"recipient_id": sender, "text": text}])
