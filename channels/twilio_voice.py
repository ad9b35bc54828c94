"""Twilio Voice, for patients and families who would rather phone.

Rasa 3.6.21's connector checks no signature, keys the conversation on the caller's number (withheld
numbers share one), ignores the keypad and reprompts forever. This one refuses unsigned requests,
keys each conversation on the CallSid, answers in British English with speech and keypad input,
reads choices a few at a time, reads long free text back before passing it on, and after two
reprompts ends the call politely. The draft is saved by the assistant answer by answer, so a
silence or a hang-up loses nothing.

Every webhook of a call counts towards the per-sender rate limit (channels/rate_limit.py), keyed on
the CallSid; one over it is told to slow down and listened to again, without reaching the assistant
or changing what the call is waiting for. Control characters are removed from what is heard and
from what is said (they are not allowed in TwiML's XML)."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from actions.safety import danger_now
from channels import channel_state
from channels.channel_state import ChannelState
from channels.input_text import clean, words
from channels.rate_limit import SLOW_DOWN_VOICE, RateLimiter
from channels.structured import Collector
from channels.voice_speech import MORE_KEY, PAGE, code_words, heard, page_count, phrase, read_options
from wording import spoken

logger = logging.getLogger(__name__)

CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
MAX_REPROMPTS = 2
CONFIRM_WORDS = 4  # free text this long is read back: speech recognition errs most on long answers
WAIT_SECONDS = 8  # before giving up on silence: people think before describing what happened
CALL_HOURS = 4  # Twilio's longest call; state older than this belongs to a call that has ended
SAY_CHARS = 1500  # per <Say>: a long description is read in pieces
MAX_SPEECH = 10_000  # characters of a recognised answer passed on (Twilio's are far shorter)
YES = {"yes", "yeah", "yep", "correct", "right", "ok", "okay", "sure"}
NO = {"no", "nope", "wrong"}
SPOKEN_KEYS = {"one": "1", "two": "2", "three": "3", "four": "4", "nine": "9", **{k: k for k in "12349"}}
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
ENDED_KEY = "voice:ended:"  # channel state: this CallSid's call is over
ENDED_TTL = 7 * 24 * 3600  # well past the signature's usefulness for a call Twilio has closed
Handler = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class Call:
    """What the channel must remember between one webhook of a call and the next."""
    said: str = ""  # the last question, spoken again on a reprompt
    options: list[dict[str, str]] = field(default_factory=list)
    multiple: bool = False
    page: int = 0
    misses: int = 0
    heard: str | None = None  # free text waiting for the caller's "yes"
    seen: float = field(default_factory=time.monotonic)


class VoiceCollector(Collector):
    """Collects the assistant's replies under this channel's name, so responses can have a phone wording."""

    @classmethod
    def name(cls) -> str:
        return "twilio_voice"


class TwilioVoiceInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "twilio_voice"

    def __init__(self, auth_token: str, public_base_url: str, voice: str = "Polly.Amy", language: str = "en-GB",
                 initial_message: str = "/greet", sms_offer: bool = True, speech_timeout: str = "auto",
                 state: ChannelState | None = None) -> None:
        if not auth_token or not public_base_url:
            raise ValueError("the Twilio voice channel needs TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL")
        self.validator = RequestValidator(auth_token)
        self.base_url = public_base_url.rstrip("/")
        self.voice, self.language = voice, language
        self.initial_message, self.sms_offer = initial_message, sms_offer
        # "auto" ends at a natural pause; some speech models want seconds instead (Twilio warning 13335).
        self.speech_timeout = speech_timeout
        self.calls: dict[str, Call] = {}
        # Calls that have ended, shared by every Rasa server (channels/channel_state.py): a signed webhook
        # replayed once its call is over is refused, so a captured request cannot drive the conversation.
        self.state = state or channel_state.from_env()
        self.limiter = RateLimiter.from_env()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioVoiceInput:
        c = credentials or {}
        return cls(c.get("auth_token") or os.environ.get("TWILIO_AUTH_TOKEN", ""),
                   c.get("public_base_url") or os.environ.get("PUBLIC_BASE_URL", ""),
                   voice=c.get("voice") or "Polly.Amy", language=c.get("language") or "en-GB",
                   initial_message=c.get("initial_message") or "/greet",
                   sms_offer=str(c.get("sms_offer", True)).lower() != "false",
                   speech_timeout=str(c.get("speech_timeout") or "auto"))

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/webhooks/{self.name()}/webhook"

    def _signed(self, request: Request) -> RequestParameters | None:
        """The form, if Twilio signed it: the URL it called (the public one, not ours behind a proxy)
        and every field, blank ones too (Sanic's own form parsing drops those, breaking the signature)."""
        form = RequestParameters(parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        url = self.base_url + request.path + (f"?{request.query_string}" if request.query_string else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        return form if signature and self.validator.validate(url, form, signature) else None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        hook = Blueprint("twilio_voice_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form = self._signed(request)
            if form is None:
                logger.warning("Twilio voice webhook refused: missing or wrong X-Twilio-Signature")
                return response.text("invalid signature", status=403)
            sid = form.get("CallSid") or ""
            if not CALL_SID.match(sid):
                return response.text("CallSid is required", status=400)
            if await self.state.get(ENDED_KEY + sid):
                logger.warning("Twilio voice webhook refused: its call has ended (a replay?)")
                return self._goodbye("")
            if not self.limiter.check(sid).allowed:  # the question stands; nothing reaches the assistant
                held = self.calls.get(sid) or Call()
                return self._twiml(_join(SLOW_DOWN_VOICE, held.said, self._choices(held)), held)
            speech = _recognised(words(form.get("SpeechResult") or "")[:MAX_SPEECH])
            digits = clean(form.get("Digits") or "").strip()
            call = self.calls.get(sid) or await self._recover(request, sid)
            if call is None:  # a new call: the assistant greets and asks what happened
                return await self._pass_on(request, sid, self.initial_message, on_new_message)
            call.seen = time.monotonic()
            if not speech and not digits:
                return await self._missed(request, sid, call, on_new_message)
            call.misses = 0
            if call.options and (digits == MORE_KEY or SPOKEN_KEYS.get(_plain(speech)) == MORE_KEY) \
                    and page_count(call.options) > 1:
                call.page = (call.page + 1) % page_count(call.options)
                return self._twiml(self._choices(call), call)
            if call.heard is not None:
                return await self._confirming(request, sid, call, speech, digits, on_new_message)
            if call.options:
                text = self._picked(call, digits or SPOKEN_KEYS.get(_plain(speech), ""))
                if text is None and digits:
                    return self._twiml(_join(phrase("call_wrong_key"), self._choices(call)), call)
                return await self._pass_on(request, sid, text or _short(speech), on_new_message)
            # Read back before it counts, unless someone is in danger now: 999 comes first, unconfirmed.
            if speech and len(speech.split()) >= CONFIRM_WORDS and not danger_now(speech):
                call.heard = speech
                return self._read_back(call)
            return await self._pass_on(request, sid, digits or _short(speech), on_new_message)

        @hook.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            # The caller hung up (or the call failed): forget the call; the draft stays in the backend.
            # Configured on the number as its status callback, as Twilio does not call the webhook then.
            form = self._signed(request)
            if form is None:
                return response.text("invalid signature", status=403)
            if form.get("CallStatus") in ENDED:
                sid = form.get("CallSid") or ""
                if CALL_SID.match(sid):
                    await self.state.put(ENDED_KEY + sid, "1", ENDED_TTL)
                await self._save_heard(sid, self.calls.pop(sid, None), on_new_message)
            return response.empty()

        return hook

    # What the caller said, turned into the assistant's next turn.

    async def _pass_on(self, request: Request, sid: str, text: str, on_new_message: Handler) -> HTTPResponse:
        collector = VoiceCollector()
        await on_new_message(UserMessage(text, collector, sid, input_channel=self.name()))
        self._forget_old()
        replies = [heard(m) for m in collector.messages]
        said = _join(*(r.text for r in replies))
        reference = next((r.reference for r in replies if r.reference), None)
        if reference:  # submitted: the reference twice, slowly, then goodbye
            self.calls.pop(sid, None)
            return self._goodbye(_join(said, phrase("call_reference_again", reference=spoken.spell(reference))))
        if any(r.ended for r in replies):  # e.g. the caller said stop: nothing more is asked, so the call ends
            self.calls.pop(sid, None)
            return self._goodbye(_join(said, await self._way_back(request, sid), phrase("call_goodbye")))
        if not collector.messages:  # nothing to say (or the assistant failed): the question stands
            call = self.calls.get(sid) or self._turn([])
            return self._twiml(_join(phrase("call_not_caught"), call.said, self._choices(call)), call)
        call = self.calls[sid] = self._turn(collector.messages)
        return self._twiml(_join(said, read_options(call.options, 0, call.multiple)), call)

    @staticmethod
    def _turn(messages: list[dict[str, Any]]) -> Call:
        """The caller is answering the last message: its question and choices are what a reprompt repeats."""
        if not messages:
            return Call(said=phrase("call_go_on"))
        last = heard(messages[-1])
        return Call(said=last.text, options=last.choices, multiple=last.multiple)

    @staticmethod
    def _choices(call: Call) -> str:
        return read_options(call.options, call.page, call.multiple)

    @staticmethod
    def _picked(call: Call, keys: str) -> str | None:
        """Keys pressed, as the assistant's own choice: one key is that option's payload; several
        (a 'choose all that apply' question) are the options' numbers in the whole list."""
        if not keys:
            return None
        first = call.page * PAGE
        shown = call.options[first:first + PAGE]
        picked = [int(k) for k in keys if k.isdigit() and 1 <= int(k) <= len(shown)]
        if not picked or len(picked) != len(keys):
            return None
        if len(picked) == 1:
            return shown[picked[0] - 1]["payload"]
        return ", ".join(str(first + k) for k in dict.fromkeys(picked))

    async def _confirming(self, request: Request, sid: str, call: Call, speech: str, digits: str,
                          on_new_message: Handler) -> HTTPResponse:
        word = _plain(speech).split(" ")[0] if speech else ""
        if digits == "1" or word in YES:
            heard, call.heard = call.heard, None
            return await self._pass_on(request, sid, heard or "", on_new_message)
        if digits == "2" or (word in NO and len(speech.split()) < CONFIRM_WORDS):
            call.heard = None
            return self._twiml(phrase("call_say_again"), call)
        if speech:  # said again, differently ("no, it was ..."): read that back instead
            call.heard = re.sub(r"^no\b[,.]?\s*", "", speech, flags=re.I) or speech
        return self._read_back(call)

    def _read_back(self, call: Call) -> HTTPResponse:
        return self._twiml(phrase("call_read_back", heard=_sentence(call.heard or "")), call, hints=["yes", "no"])

    async def _save_heard(self, sid: str, call: Call | None, on_new_message: Handler) -> None:
        """Free text still waiting for the caller's yes goes to the assistant, so the call ending
        loses nothing of what was said (it is a draft, and the recap shows it before anything is sent)."""
        if call is not None and call.heard:
            await on_new_message(UserMessage(call.heard, VoiceCollector(), sid, input_channel=self.name()))

    async def _missed(self, request: Request, sid: str, call: Call, on_new_message: Handler) -> HTTPResponse:
        call.misses += 1
        if call.misses <= MAX_REPROMPTS:
            again = (phrase("call_read_back_short", heard=_sentence(call.heard)) if call.heard is not None
                     else _join(call.said, self._choices(call)))
            return self._twiml(_join(phrase("call_not_caught"), again), call)
        await self._save_heard(sid, self.calls.pop(sid, None), on_new_message)
        if await self._has_draft(request, sid):
            return self._goodbye(_join(phrase("call_cannot_hear_saved"), phrase("call_sms_offer") if self.sms_offer else "",
                                       await self._way_back(request, sid), phrase("call_goodbye")))
        return self._goodbye(phrase("call_cannot_hear"))

    # The tracker store, for what in-memory state cannot know (another replica took the call, a restart).

    @staticmethod
    async def _tracker(request: Request, sid: str) -> Any:
        store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
        return await store.retrieve(sid) if store is not None else None

    async def _recover(self, request: Request, sid: str) -> Call | None:
        tracker = await self._tracker(request, sid)
        events = list(tracker.events) if tracker else []
        if not any(isinstance(e, UserUttered) for e in events):
            return None
        said: list[dict[str, Any]] = []
        for event in reversed(events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, BotUttered):
                said.insert(0, {"text": event.text, **(event.data or {})})
        call = self.calls[sid] = self._turn(said)
        return call

    async def _has_draft(self, request: Request, sid: str) -> bool:
        tracker = await self._tracker(request, sid)
        return bool(tracker and tracker.get_slot("record_id"))

    async def _way_back(self, request: Request, sid: str) -> str:
        """The draft code the assistant gave in this call, said again as the call ends."""
        tracker = await self._tracker(request, sid)
        code = tracker.get_slot("resume_code") if tracker and tracker.get_slot("record_id") else None
        return code_words(code) if code else ""

    def _forget_old(self) -> None:
        oldest = time.monotonic() - CALL_HOURS * 3600
        for sid in [s for s, c in self.calls.items() if c.seen < oldest]:
            del self.calls[sid]

    # TwiML.

    def _twiml(self, text: str, call: Call, hints: list[str] | None = None) -> HTTPResponse:
        hints = hints if hints is not None else [o["title"] for o in call.options]
        gather = Gather(input="speech dtmf", action=self.webhook_url, method="POST", language=self.language,
                        speech_timeout=self.speech_timeout, timeout=WAIT_SECONDS, action_on_empty_result=True,
                        **({"hints": ", ".join(h for h in hints if h)[:1000]} if hints else {}))
        for piece in _pieces(text):
            gather.say(piece, voice=self.voice, language=self.language)
        return _xml(VoiceResponse().append(gather))

    def _goodbye(self, text: str) -> HTTPResponse:
        twiml = VoiceResponse()
        for piece in _pieces(text):
            twiml.say(piece, voice=self.voice, language=self.language)
        twiml.hangup()
        return _xml(twiml)


def _xml(twiml: VoiceResponse) -> HTTPResponse:
    return response.text(str(twiml), content_type="text/xml")


def _plain(speech: str) -> str:
    return re.sub(r"[^a-z0-9' ]+", "", speech.lower()).strip()


def _recognised(speech: str) -> str:
    """The recogniser's "3 p.m." as "3 pm", which the assistant reads as a time."""
    return re.sub(r"\b([ap])\.\s?m\b\.?", lambda m: m.group(1).lower() + "m", speech.strip(), flags=re.I)


def _sentence(text: str) -> str:
    return text if text[-1:] in ".?!" else text + "."


def _short(speech: str) -> str:
    """'Yes.' as 'Yes': recognisers punctuate, and a short answer is matched word by word."""
    return speech.rstrip(".!?") if len(speech.split()) < CONFIRM_WORDS else speech


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _pieces(text: str) -> list[str]:
    pieces = [""]
    for sentence in re.split(r"(?<=[.?!])\s+", clean(text).strip()):
        if pieces[-1] and len(pieces[-1]) + len(sentence) > SAY_CHARS:
            pieces.append("")
        pieces[-1] = _join(pieces[-1], sentence)
    return [p for p in pieces if p]
