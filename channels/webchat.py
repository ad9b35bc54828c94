"""The web chat channel: Rasa's socket.io channel, made safe for a public page.

Differences from `rasa.core.channels.socketio.SocketIOInput` (Rasa 3.6.21):
- the server assigns the conversation id when the socket connects (a random id, confirmed to the
  client on `session_request`); a `session_id` sent by the client is ignored, so nobody can join
  or write into another person's conversation;
- `enter_room` is awaited (a coroutine in python-socketio 5.x; Rasa forgets to await it);
- an optional staff token in the socket.io `auth` payload (`{"staff_token": ...}`) is verified with
  the backend on connect: valid → the conversation is the staff member's (metadata `account_id`),
  invalid → the connection is refused; no token → a public report. Metadata sent by the client is
  never used;
- socket.io accepts only the origins in WEBCHAT_ALLOWED_ORIGINS (the chat page's site), by default
  only its own; "*" is not accepted;
- typed "/intent" commands are words (channels/input_text.py), never commands to Rasa.
Buttons go out as Rasa's socketio sends them (`quick_replies` on the `bot_uttered` event).

Every `user_uttered` gets an answer: a conversation over the per-sender rate limit
(channels/rate_limit.py), a message with no words or over MAX_TEXT characters are answered by the
channel itself (a `bot_uttered` with a polite text) and do not reach the assistant. Control and
bidi-override characters are removed from the text. The limit is per conversation; how many
connections (so conversations) one client may hold and open is limited by channels/webchat_connections.py.

The channel keeps the name "socketio", so records it creates have the channel "chat"."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels import rasa_speedups
from channels.identity import account_for_token
from channels.input_text import EMPTY, too_long, words
from channels.no_reply import guard
from channels.rate_limit import SLOW_DOWN, RateLimiter
from channels.structured import for_screen
from channels.webchat_connections import ConnectionLimit

logger = logging.getLogger(__name__)
MAX_TEXT = 10_000
MAX_TOKEN = 4096


class WebChatOutput(SocketIOOutput):
    """Each reply rendered for screens from its structured message: text and quick-reply buttons."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await super().send_response(recipient_id, for_screen(message, keep_structured=False))


def new_conversation_id() -> str:
    return "webchat-" + secrets.token_urlsafe(18)


class WebChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, backend_url: str, socketio_path: str = "/socket.io", user_message_evt: str = "user_uttered",
                 bot_message_evt: str = "bot_uttered", cors_allowed_origins: str | list[str] | None = None) -> None:
        self.backend_url = backend_url.rstrip("/")
        self.socketio_path = socketio_path or "/socket.io"
        self.user_message_evt, self.bot_message_evt = user_message_evt, bot_message_evt
        self.cors_allowed_origins = cors_allowed_origins
        self.sio: AsyncServer | None = None
        self.limiter = RateLimiter.from_env()
        self.connections = ConnectionLimit.from_env()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        rasa_speedups.apply()  # Rasa is building its channels: its speed fixes, checked (loud if they do not fit)
        credentials = credentials or {}
        # The chat page's origin (the backend's site); unset: only the Rasa server's own origin. Never "*":
        # any site could then open a staff member's chat in their browser.
        origins = credentials.get("cors_allowed_origins") or os.environ.get("WEBCHAT_ALLOWED_ORIGINS") or None
        if isinstance(origins, str):
            origins = [o.strip() for o in origins.split(",") if o.strip() and o.strip() != "*"] or None
        return cls(credentials.get("backend_url") or os.environ.get("BACKEND_URL", "http://127.0.0.1:8000"),
                   credentials.get("socketio_path") or "/socket.io",
                   credentials.get("user_message_evt") or "user_uttered",
                   credentials.get("bot_message_evt") or "bot_uttered", origins)

    def get_output_channel(self) -> OutputChannel | None:
        return WebChatOutput(self.sio, self.bot_message_evt) if self.sio else None

    async def on_connect(self, sio: AsyncServer, sid: str, auth: Any) -> bool:
        """Verifies the optional staff token and assigns the conversation; False refuses the connection."""
        metadata: dict[str, Any] = {}
        token = auth.get("staff_token") if isinstance(auth, dict) else None
        if token:
            if not isinstance(token, str) or len(token) > MAX_TOKEN:
                return False
            try:
                account = await account_for_token(self.backend_url, token)
            except Exception:  # the backend is unreachable: refuse rather than downgrade to public
                logger.exception("could not verify a web chat staff token")
                return False
            if account is None:
                logger.info("web chat connection refused: the staff token is not valid")
                return False
            metadata["account_id"] = account
        conversation = new_conversation_id()
        await sio.save_session(sid, {"conversation": conversation, "metadata": metadata})
        await sio.enter_room(sid, conversation)
        return True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guard(on_new_message)  # a failed action still gets a reply (channels/no_reply.py)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins)
        hook = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            if not self.connections.open(sid, environ):
                logger.info("web chat connection refused: too many connections from one client")
                return False
            accepted = await self.on_connect(sio, sid, auth)
            if not accepted:
                self.connections.close(sid)
            return accepted

        @sio.on("disconnect")
        async def disconnect(sid: str, *_: Any) -> None:
            self.connections.close(sid)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            session = await sio.get_session(sid)
            await sio.emit("session_confirm", session["conversation"], room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any = None) -> None:
            session = await sio.get_session(sid)
            conversation = session["conversation"]
            output = WebChatOutput(sio, self.bot_message_evt)
            text = data.get("message") if isinstance(data, dict) else None
            text = words(text) if isinstance(text, str) else ""
            refusal = (SLOW_DOWN if not self.limiter.check(conversation).allowed
                       else EMPTY if not text.strip() else too_long(MAX_TEXT) if len(text) > MAX_TEXT else None)
            if refusal:
                await output.send_text_message(conversation, refusal)
                return
            await on_new_message(UserMessage(text, output, conversation, input_channel=self.name(),
                                             metadata=dict(session["metadata"])))

        return hook
