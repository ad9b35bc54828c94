"""SMS through Twilio, for patients and families.

Rasa 3.6.21's connector checks no signature, answers a message without a Body with a 500, sends
with the synchronous REST client inside async code (a failed send loses the turn) and sends
buttons as separate texts that a reply of "1" cannot pick. This one checks X-Twilio-Signature
before anything reaches the assistant, answers in the webhook's own TwiML, numbers the choices
and maps a number back to the choice, handles STOP/START/HELP and processes a retried MessageSid
once. Nothing the sender's phone claims is trusted: SMS reporters are the public.

After STOP/START/HELP, each number is held to the per-sender rate limit (channels/rate_limit.py): the
first message over it is answered with a polite TwiML message, later ones with nothing (every text
we send costs, and two automatic responders could otherwise text each other for ever) until the
number is let through again. Control characters are removed from what comes in and goes out (they
are not allowed in TwiML's XML); emoji and right-to-left text pass through (sent as UCS-2)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from channels import channel_state, conversation_keys, sms_render
from channels.channel_state import ChannelState
from channels.input_text import clean, not_a_command
from channels.no_reply import guard
from channels.rate_limit import SLOW_DOWN, RateLimiter
from channels.structured import Collector
from wording.render import say

logger = logging.getLogger(__name__)

# Twilio's own keywords (whole message, any case); YES opts back in only after an opt-out.
OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN = {"START", "UNSTOP", "YES"}
HELP_WORDS = {"HELP", "INFO"}
# The channel's own replies, from the wording catalogue.
HELP, WELCOME_BACK, EMPTY, NOT_UNDERSTOOD, TROUBLE = (
    say(f"sms_{key}", "public", "sms") for key in ("help", "welcome_back", "empty", "not_understood", "trouble"))
MAX_TEXT = 1600  # Twilio's own limit for an incoming message
STOP_INTENT = "/stop"  # ends the form; the actions keep the draft
# Shared channel state (channels/channel_state.py): its keys and how long each is kept.
SID_KEY, OPTED_OUT_KEY, OPTIONS_KEY = "sms:sid:", "sms:opted-out:", "sms:options:"
PENDING = "pending"  # a MessageSid whose turn is under way
SID_TTL = 24 * 3600  # Twilio retries within minutes
OPTIONS_TTL = 24 * 3600
OPT_OUT_TTL = 10 * 365 * 24 * 3600  # an opt-out stands until the number opts back in


class TtlStore:
    """A small in-memory map whose entries expire and whose oldest entries go first when full."""

    def __init__(self, ttl: float, max_items: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.max_items, self.clock = ttl, max_items, clock
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def get(self, key: str) -> Any:
        hit = self._items.get(key)
        if hit is None or hit[0] < self.clock():
            self._items.pop(key, None)
            return None
        return hit[1]

    def put(self, key: str, value: Any) -> None:
        self._items[key] = (self.clock() + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)


def twiml(bodies: list[str]) -> HTTPResponse:
    reply = MessagingResponse()
    for body in bodies:
        reply.message(clean(body))
    return response.text(str(reply), content_type="text/xml; charset=utf-8")


class TwilioSmsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "twilio"  # actions/conversation.py maps this to the backend's "sms" channel

    def __init__(self, auth_token: str, public_url: str, state: ChannelState | None = None,
                 conversation_secret: str | None = None) -> None:
        if not auth_token:
            raise ValueError("the Twilio SMS channel needs the account's auth token (TWILIO_AUTH_TOKEN)")
        self.validator = RequestValidator(auth_token)
        self.public_url = public_url.rstrip("/")
        if not self.public_url:
            logger.warning("No public_url/PUBLIC_BASE_URL: signatures are checked against the URL this server "
                           "sees, which fails behind a proxy")
        self.seen = TtlStore(ttl=24 * 3600, max_items=10_000)  # MessageSid -> its turn (a Task), this process
        # Opt-outs, the last choices and MessageSids seen (with their replies): shared by every Rasa server
        # and kept over a restart (channels/channel_state.py), keyed on the conversation id, not the number.
        self.state = state or channel_state.from_env()
        # The conversation id is a keyed hash of the number (channels/conversation_keys.py).
        self.conversation_secret = (conversation_secret or os.environ.get("CONVERSATION_KEY_SECRET")
                                    or conversation_keys.default_secret(auth_token))
        self.limiter = RateLimiter.from_env()

    def conversation_id(self, number: str) -> str:
        return conversation_keys.sms_conversation_id(number, self.conversation_secret)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioSmsInput:
        credentials = credentials or {}
        return cls(credentials.get("auth_token") or os.environ.get("TWILIO_AUTH_TOKEN", ""),
                   credentials.get("public_url") or os.environ.get("PUBLIC_BASE_URL", ""))

    @staticmethod
    def _form(request: Request) -> RequestParameters:
        # Twilio signs empty fields too (FromCity=, ...), which Sanic's request.form drops.
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return RequestParameters()
        return RequestParameters(parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True))

    def _signed(self, request: Request, form: RequestParameters) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return False
        # Twilio signs the URL it was given (the public one, query string included), not ours.
        url = f"{self.public_url}{request.path}" if self.public_url else request.url.split("?")[0]
        if request.query_string:
            url += "?" + request.query_string
        return self.validator.validate(url, form, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guard(on_new_message, reraise=True)  # a failed action still gets a reply (channels/no_reply.py)
        hook = Blueprint("twilio_sms", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form = self._form(request)
            if not self._signed(request, form):
                return response.text("invalid or missing X-Twilio-Signature", status=403)
            sender, sid = form.get("From", ""), form.get("MessageSid") or form.get("SmsMessageSid") or ""
            if not sender or not sid:
                return response.text("From and MessageSid are required", status=400)
            earlier = self.seen.get(sid)
            if earlier is not None:  # Twilio retried: the first attempt's reply, the turn only once
                try:
                    return twiml(earlier.result() if earlier.done() else await asyncio.wait_for(
                        asyncio.shield(earlier), 30))
                except Exception:
                    return twiml([])
            if not await self.state.add(SID_KEY + sid, PENDING, SID_TTL):
                # Seen by another server, or before a restart: its reply once it has one, never a second turn.
                return twiml(await self._reply_of(sid))
            # A task of its own, so the turn completes for a retry even if Twilio hangs up after 15 s.
            turn = asyncio.ensure_future(self._turn(sid, self.conversation_id(sender), form, on_new_message))
            self.seen.put(sid, turn)
            return twiml(await asyncio.shield(turn))

        return hook

    async def _turn(self, sid: str, sender: str, form: RequestParameters,
                    on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> list[str]:
        try:
            bodies = await self._handle(sender, form, on_new_message)
        except Exception:
            logger.exception("SMS turn failed")
            self.seen.pop(sid)  # a retry may try again
            await self.state.pop(SID_KEY + sid)
            return [TROUBLE]
        await self.state.put(SID_KEY + sid, json.dumps(bodies), SID_TTL)
        return bodies

    async def _reply_of(self, sid: str, wait: float = 10.0) -> list[str]:
        deadline = time.monotonic() + wait
        while True:
            value = await self.state.get(SID_KEY + sid)
            if value is not None and value != PENDING:
                return json.loads(value)
            if value is None or time.monotonic() > deadline:
                return []  # the first attempt failed (Twilio retries again) or is still going
            await asyncio.sleep(0.2)

    async def _handle(self, sender: str, form: RequestParameters,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> list[str]:
        # Some carriers turn "@" into "¡" on the way. Twilio's keywords are the whole message, any case.
        text = clean(form.get("Body") or "").replace("¡", "@").strip()[:MAX_TEXT]
        keyword = text.upper()
        if keyword in OPT_OUT or form.get("OptOutType") == "STOP":
            await self.state.put(OPTED_OUT_KEY + sender, "1", OPT_OUT_TTL)
            await self.state.pop(OPTIONS_KEY + sender)
            try:
                await on_new_message(self._message(STOP_INTENT, sender, CollectingOutputChannel()))
            except Exception:
                logger.exception("could not end the conversation after STOP")
            return []  # Twilio itself confirms an opt-out; nothing more may be sent
        if await self.state.get(OPTED_OUT_KEY + sender):
            if keyword not in OPT_IN and form.get("OptOutType") != "START":
                return []  # Twilio would refuse to deliver anything until they opt back in
            await self.state.pop(OPTED_OUT_KEY + sender)
            return [WELCOME_BACK]
        if keyword in HELP_WORDS or form.get("OptOutType") == "HELP":
            return [HELP]
        verdict = self.limiter.check(sender)
        if not verdict.allowed:
            return [SLOW_DOWN] if verdict.tell else []
        text = not_a_command(text).strip()  # a typed "/intent{...}" is words, never a command to Rasa
        if not text:
            return [EMPTY]  # a picture or an empty text: nothing for the assistant
        options = json.loads(await self.state.get(OPTIONS_KEY + sender) or "[]")
        text = sms_render.chosen(text, options) or text  # "2": the second choice
        collector = Collector()
        await on_new_message(self._message(text, sender, collector))
        await self._remember_options(sender, collector.messages)
        # Silence over SMS looks like a lost message; the assistant says nothing to e.g. a first "no".
        return sms_render.bodies(collector.messages) or [NOT_UNDERSTOOD]

    def _message(self, text: str, sender: str, output: CollectingOutputChannel) -> UserMessage:
        return UserMessage(text, output, sender, input_channel=self.name(), metadata={})

    async def _remember_options(self, sender: str, messages: list[dict[str, Any]]) -> None:
        # Only the last message's choices: a number answers the question asked last.
        payloads = sms_render.payloads(messages[-1]) if messages else []
        if payloads:
            await self.state.put(OPTIONS_KEY + sender, json.dumps(payloads), OPTIONS_TTL)
        else:
            await self.state.pop(OPTIONS_KEY + sender)
