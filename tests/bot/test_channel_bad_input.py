"""Bad input in every channel, against a stub assistant (issue 6, resilience): a flood from one sender
gets the polite reply and never reaches the assistant while another sender is unaffected; messages
with no words, too many, control characters, bidi overrides, lone surrogates, emoji, right-to-left
text, HTML and SQL get a 200 and a sensible reply, and what reaches the assistant is the words as
typed, control characters removed. Each channel's own test module drives it the same way: their
helpers are reused here."""

from __future__ import annotations

import asyncio
import itertools
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from channels.input_text import EMPTY, too_long
from channels.rate_limit import SLOW_DOWN, SLOW_DOWN_VOICE
from channels.rest import AuthenticatedRestInput
from channels.twilio_sms import EMPTY as SMS_EMPTY
from channels.twilio_sms import HELP
from tests.bot import test_channel_teams as teams
from tests.bot import test_channel_voice as voice
from tests.bot.test_channel_sms import make_phone  # noqa: F401  (fixture)
from tests.bot.test_channel_teams import fake  # noqa: F401  (fixture)
from tests.bot.test_channel_webchat import Client, backend  # noqa: F401  (backend: autouse fixture)
from tests.bot.test_channel_webchat import serve as serve_webchat

LIMIT = 3  # the tests' limit: three messages a minute, no burst
WORDS = ("The nurse said \"it's fine\" 😀👩‍⚕️ مرحبا، حدث خطأ שלום, טעות <script>alert(1)</script> "
         "<b>bold</b> &amp; '); DROP TABLE records;-- \\ end")
CONTROLS = "a\x00b\x1b[31mc\x07d\u202eef\x7fg"
CLEANED = "ab[31mcdefg"
_apps = itertools.count()


@pytest.fixture(autouse=True)
def limit(monkeypatch):
    """Channels made after this have a limit of LIMIT messages a minute, no burst."""
    monkeypatch.setenv("CHANNEL_RATE_LIMIT", str(LIMIT))
    monkeypatch.setenv("CHANNEL_RATE_BURST", "0")
    monkeypatch.setenv("CHANNEL_RATE_WINDOW", "60")
    return monkeypatch


@pytest.fixture
def roomy(limit):
    """Channels made after this are not limited within a test's few messages."""
    limit.setenv("CHANNEL_RATE_LIMIT", "1000")


# REST ------------------------------------------------------------------------------------------------

class Rest:
    """The REST channel in a Sanic app over ASGI, with an echoing stub assistant."""

    def __init__(self) -> None:
        Sanic.test_mode = True
        self.received: list[UserMessage] = []
        self.channel = AuthenticatedRestInput("rest-token", "http://backend.invalid")
        self.app = Sanic(f"rest_bad_input_{next(_apps)}")
        self.app.blueprint(self.channel.blueprint(self._assistant), url_prefix="/webhooks/rest")
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.app._startup())

    async def _assistant(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": f"You said: {message.text}"})

    def post(self, sender: object, message: object, raw: bytes | None = None) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://rasa") as c:
                content = raw if raw is not None else json.dumps({"sender": sender, "message": message}).encode()
                return await c.post("/webhooks/rest/webhook", content=content, headers={
                    "Authorization": "Bearer rest-token", "Content-Type": "application/json"})
        return self.loop.run_until_complete(go())

    def say(self, sender: str, message: str) -> str:
        r = self.post(sender, message)
        assert r.status_code == 200, r.text
        [reply] = r.json()
        assert reply["recipient_id"] == sender
        return reply["text"]


@pytest.fixture
def rest(roomy):
    r = Rest()
    yield r
    r.loop.close()


@pytest.fixture
def limited_rest():
    r = Rest()
    yield r
    r.loop.close()


def test_rest_a_flood_gets_the_polite_reply_and_not_the_assistant_while_another_sender_goes_on(limited_rest):
    rest = limited_rest
    assert [rest.say("flood", f"message {n}") for n in range(LIMIT)] == [f"You said: message {n}" for n in range(LIMIT)]
    assert [rest.say("flood", "more") for _ in range(5)] == [SLOW_DOWN] * 5  # a caller always gets a reply
    assert rest.say("someone else", "hello") == "You said: hello"
    assert [m.sender_id for m in rest.received] == ["flood"] * LIMIT + ["someone else"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x1b\u202e"])
def test_rest_a_message_without_words_is_answered_and_not_passed_on(rest, text):
    assert rest.say("empty", text) == EMPTY
    assert rest.received == []


def test_rest_ten_thousand_characters_pass_and_more_are_answered_politely(rest):
    assert rest.say("long", "x" * 10_000) == "You said: " + "x" * 10_000
    assert rest.say("long", "x" * 10_001) == too_long(10_000)
    assert rest.say("long", "y" * 1_000_000) == too_long(10_000)
    assert len(rest.received) == 1


def test_rest_words_in_any_script_pass_as_typed_and_control_characters_are_removed(rest):
    assert rest.say("words", WORDS) == f"You said: {WORDS}"
    assert rest.say("words", CONTROLS) == f"You said: {CLEANED}"
    # A lone surrogate, which JSON can carry (\ud800) and UTF-8 cannot: replaced, never a 500.
    r = rest.post(None, None, raw=b'{"sender": "words", "message": "half \\ud800 a pair"}')
    assert r.status_code == 200 and r.json()[0]["text"] == "You said: half \ufffd a pair"
    assert [m.text for m in rest.received] == [WORDS, CLEANED, "half \ufffd a pair"]


@pytest.mark.parametrize("sender", ["héllo", "😀", "a\x00b", "line\nbreak", "\u202eevil"])
def test_rest_a_sender_that_is_not_printable_ascii_is_refused(rest, sender):
    r = rest.post(sender, "hello")
    assert r.status_code == 422 and "printable ASCII" in r.json()["error"]
    assert rest.received == []


def test_rest_a_body_that_is_not_json_or_a_message_that_is_not_text_is_a_422_not_a_500(rest):
    assert rest.post(None, None, raw=b"\xff\xfe not json").status_code in (400, 422)
    assert rest.post(None, None, raw=b"[1, 2]").status_code == 422
    assert rest.post("s", {"text": "hello"}).status_code == 422
    assert rest.received == []


# SMS -------------------------------------------------------------------------------------------------

def test_sms_a_flood_is_told_once_then_ignored_and_stop_and_help_still_work(make_phone):
    phone = make_phone()
    for n in range(LIMIT):
        assert phone.text(f"message {n}")[0].startswith(f"You said message {n}.")
    assert phone.text("more") == [SLOW_DOWN]
    assert phone.text("and more") == []  # told once: every text sent costs, and loops must end
    assert phone.text("HELP") == [HELP]
    assert len(phone.received) == LIMIT
    # The signature is still checked first: unsigned is refused, not rate limited.
    assert phone.post(phone.params("forged"), signature=None).status_code == 403
    assert phone.text("STOP") == []
    assert phone.received[-1].text == "/stop"  # STOP always reaches the assistant, to end the form


def test_sms_another_number_is_unaffected_by_a_flood(make_phone):
    phone = make_phone()
    for _ in range(LIMIT + 2):
        phone.text("flood")
    params = phone.params("hello", From="+447700900456")
    r = phone.post(params)
    assert r.status_code == 200 and "You said hello." in r.text
    assert [m.sender_id for m in phone.received][-1] == phone.channel.conversation_id("+447700900456")


def test_sms_control_characters_are_removed_and_words_pass_both_ways_as_valid_twiml(roomy, make_phone):
    phone = make_phone(lambda text: [{"text": f"You said \x1b{text}\x00."}])
    [reply] = phone.text(WORDS)  # the XML parses (no control characters in it)
    assert reply == f"You said {WORDS}."
    phone.text(CONTROLS)
    assert [m.text for m in phone.received] == [WORDS, CLEANED]


def test_sms_a_text_of_control_characters_only_is_a_text_without_words(make_phone):
    phone = make_phone()
    assert phone.text("\x00\x1b\u202e ") == [SMS_EMPTY]  # the SMS channel's own wording
    assert phone.received == []


# Voice -----------------------------------------------------------------------------------------------

def test_voice_a_flood_is_told_to_slow_down_and_listened_to_again_without_the_assistant():
    asked = [{"text": "Was anyone hurt?", "buttons": voice.YES_NO}]
    assistant = voice.Assistant(voice.GREETING, asked, asked, voice.GREETING)  # in order, whichever call

    async def script(post):
        await post(CallStatus="ringing")
        await post(SpeechResult="At the hospital.")
        question = await post(Digits="1")
        assert question.text.startswith("Was anyone hurt?")
        held = await post(Digits="2")
        assert held.status == 200 and held.text.startswith(SLOW_DOWN_VOICE)
        assert "Was anyone hurt? Say Yes or press 1, say No or press 2." in held.text  # the question stands
        assert held.gather is not None and held.gather.get("hints") == "Yes, No" and not held.hung_up
        other = await post(CallSid=voice.SID_B, CallStatus="ringing")  # another call goes on
        assert other.text.startswith("Hello.")

    voice.call(assistant, script)
    assert [(m.sender_id, m.text) for m in assistant.heard] == [
        (voice.SID_A, "/greet"), (voice.SID_A, "At the hospital"), (voice.SID_A, "yes"), (voice.SID_B, "/greet")]


def test_voice_control_characters_are_removed_from_what_is_heard_and_said():
    assistant = voice.Assistant(voice.GREETING, [{"text": "Thanks\x00 \x1b[0m\u202e."}])

    async def script(post):
        await post(CallStatus="ringing")
        heard = await post(SpeechResult="It\x00 \u202ehappened\x1b", Digits="")
        assert heard.status == 200 and heard.text == "Thanks [0m."  # the TwiML parses
        assert "\x00" not in heard.xml and "\x1b" not in heard.xml

    voice.call(assistant, script)
    assert assistant.heard[1].text == "It happened"


# Teams -----------------------------------------------------------------------------------------------

def test_teams_a_flood_is_told_once_and_does_not_reach_the_assistant_while_another_chat_goes_on(fake):
    ch = teams.channel(fake)
    calls = [(teams.activity(fake, text=f"message {n}", conversation="a:flood"), teams.bearer(teams.token(fake)))
             for n in range(LIMIT + 3)]
    calls.append((teams.activity(fake, text="hello", conversation="a:other"), teams.bearer(teams.token(fake))))
    responses, received = teams.post(ch, *calls)
    assert {r.status_code for r in responses} == {200}
    assert [m.text for m in received] == [f"message {n}" for n in range(LIMIT)] + ["hello"]
    assert [b["text"] for b in fake.replies_to("a:flood")] == [f"You said: message {n}" for n in range(LIMIT)] + [
        SLOW_DOWN]
    assert [b["text"] for b in fake.replies_to("a:other")] == ["You said: hello"]


@pytest.mark.parametrize("text", ["", "  ", None, "\x00\u202e", 42])
def test_teams_a_message_without_words_is_told_so(fake, text):
    (r,), received = teams.post(teams.channel(fake), (teams.activity(fake, text=text), teams.bearer(teams.token(fake))))
    assert r.status_code == 200 and received == []
    assert [r["body"]["text"] for r in fake.replies] == [EMPTY]


def test_teams_words_pass_as_typed_and_control_characters_are_removed(fake):
    ch = teams.channel(fake)
    (a, b), received = teams.post(ch, (teams.activity(fake, text=WORDS), teams.bearer(teams.token(fake))),
                                  (teams.activity(fake, text=CONTROLS), teams.bearer(teams.token(fake))))
    assert (a.status_code, b.status_code) == (200, 200)
    assert [m.text for m in received] == [WORDS, CLEANED]


# Web chat --------------------------------------------------------------------------------------------

def test_webchat_every_message_gets_an_answer_and_a_flood_does_not_reach_the_assistant():
    async def run():
        async with serve_webchat() as (url, received):
            flood, other = Client(), Client()
            conversation = await flood.connect(url)
            await other.connect(url)
            replies = [await flood.say(f"message {n}") for n in range(LIMIT + 2)]
            assert replies == [{"text": f"echo message {n}"} for n in range(LIMIT)] + [{"text": SLOW_DOWN}] * 2
            assert await other.say("hello") == {"text": "echo hello"}
            assert [m.sender_id for m in received][:LIMIT] == [conversation] * LIMIT and len(received) == LIMIT + 1
            await flood.sio.disconnect()
            await other.sio.disconnect()

    asyncio.run(run())


def test_webchat_no_words_too_many_and_control_characters(roomy):
    async def run():
        async with serve_webchat() as (url, received):
            c = Client()
            await c.connect(url)
            assert await c.say("   ") == {"text": EMPTY}
            await c.sio.emit("user_uttered", "not an object")
            assert await asyncio.wait_for(c.bot.get(), 5) == {"text": EMPTY}
            assert await c.say("x" * 10_001) == {"text": too_long(10_000)}
            assert await c.say(CONTROLS) == {"text": f"echo {CLEANED}"}
            assert [m.text for m in received] == [CLEANED]
            await c.sio.disconnect()

    asyncio.run(run())


def test_webchat_words_in_any_script_pass_as_typed():
    async def run():
        async with serve_webchat() as (url, received):
            c = Client()
            await c.connect(url)
            assert await c.say(WORDS) == {"text": f"echo {WORDS}"}
            await c.sio.disconnect()

    asyncio.run(run())


def test_twiml_from_the_sms_channel_is_always_well_formed_xml():
    from channels.twilio_sms import twiml
    body = twiml(["a\x00b\x1bc", WORDS]).body.decode()
    assert [m.text for m in ET.fromstring(body).iter("Message")] == ["abc", WORDS]
