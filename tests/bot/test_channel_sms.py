"""The SMS connector on its own: real Twilio form fields and signatures through the channel's blueprint
(Sanic, over ASGI), with a stub assistant that records what reaches it and answers canned messages."""

from __future__ import annotations

import asyncio
import itertools
import logging
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from twilio.request_validator import RequestValidator

from channels import sms_render
from channels.channel_state import ChannelState, MemoryState, SqliteState
from channels.no_reply import ACTION_FAILED, NO_REPLY
from channels.twilio_sms import EMPTY, HELP, NOT_UNDERSTOOD, TROUBLE, WELCOME_BACK, TtlStore, TwilioSmsInput
from wording.message import KEY, message
from wording.render import sms_choices

TOKEN = "unit-test-auth-token"
PUBLIC = "https://sms.example.org"  # what Twilio calls; the test client talks to the "internal" host
PATH = "/webhooks/twilio/webhook"
REPORTER = "+447700900123"
YES_NO = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]
HARM = ["Not hurt", "A little (low harm)", "Needed more treatment (moderate harm)", "Lasting harm (severe harm)",
        "They died"]
_apps = itertools.count()
_sids = itertools.count(1)


def sign(params: dict[str, str], url: str = PUBLIC + PATH, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


class Phone:
    """A Sanic app with only this channel, a stub assistant, and a reporter texting it."""

    def __init__(self, replies: Callable[[str], list[dict[str, Any]]] | None = None,
                 state: ChannelState | None = None) -> None:
        self.received: list[UserMessage] = []
        self.replies = replies or (lambda text: [{"text": f"You said {text}.", "buttons": YES_NO}])
        self.delay = 0.0
        self.before: Callable[[], Awaitable[None]] | None = None  # holds a turn where a test needs it to
        self.channel = TwilioSmsInput(TOKEN, PUBLIC, state=state or MemoryState())
        self.app = Sanic(f"sms_test_{next(_apps)}")
        self.app.blueprint(self.channel.blueprint(self._assistant), url_prefix="/webhooks/twilio")
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._ready())

    async def _ready(self) -> None:
        await self.app._startup()  # what a server does before its first request (no sanic-testing here)

    async def _assistant(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.delay)
        if self.before:
            await self.before()
        for reply in self.replies(message.text):
            if isinstance(reply, Exception):
                raise reply
            await message.output_channel.send_response(message.sender_id, dict(reply))

    def params(self, body: str | None, sid: str | None = None, **extra: str) -> dict[str, str]:
        # As Twilio posts them, blank fields included (they are signed too).
        params = {"MessageSid": sid or f"SM{next(_sids):032d}", "AccountSid": "AC" + "0" * 32, "From": REPORTER,
                  "To": "+447700900999", "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
                  "ApiVersion": "2010-04-01", "FromCity": "", "FromZip": "", "ToCity": "", **extra}
        if body is not None:
            params["Body"] = body
        return params

    async def _post(self, params: dict[str, str], signature: str | None, query: str = "") -> httpx.Response:
        headers = {} if signature is None else {"X-Twilio-Signature": signature}
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://rasa.internal:5005") as client:
            return await client.post(PATH + query, data=params, headers=headers)

    def post(self, params: dict[str, str], signature: str | None = "sign", query: str = "") -> httpx.Response:
        if signature == "sign":
            signature = sign(params, PUBLIC + PATH + query)
        return self.loop.run_until_complete(self._post(params, signature, query))

    def text(self, body: str | None, sid: str | None = None, **extra: str) -> list[str]:
        r = self.post(self.params(body, sid, **extra))
        assert r.status_code == 200, r.text
        return messages(r)

    def close(self) -> None:
        self.loop.close()


def messages(r: httpx.Response) -> list[str]:
    assert r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.text)
    assert root.tag == "Response"
    return [m.text or "" for m in root.iter("Message")]


@pytest.fixture
def make_phone(monkeypatch):
    # As sanic-testing does: lets start-up run once per app rather than once per process.
    monkeypatch.setattr(Sanic, "test_mode", True)
    phones: list[Phone] = []

    def make(replies: Callable[[str], list[Any]] | None = None, state: ChannelState | None = None) -> Phone:
        phones.append(Phone(replies, state))
        return phones[-1]

    yield make
    for p in phones:
        p.close()


@pytest.fixture
def phone(make_phone) -> Phone:
    return make_phone()


# Signature: checked over the public URL and the form, before anything reaches the assistant.

def test_a_signed_message_reaches_the_assistant_as_the_public_with_no_metadata(phone):
    assert phone.text("A nurse gave my dad the wrong tablets") == [
        "You said A nurse gave my dad the wrong tablets.\nReply 1 for Yes or 2 for No."]
    [message] = phone.received
    assert (message.text, message.sender_id, message.input_channel) == (
        "A nurse gave my dad the wrong tablets", phone.channel.conversation_id(REPORTER), "twilio")
    assert message.metadata == {}  # nothing from the phone is trusted; SMS reporters are the public


@pytest.mark.parametrize("signature", [
    lambda params: None,  # missing
    lambda params: "",
    lambda params: "not-a-signature",
    lambda params: sign({"Body": "hello"}),  # over other params
    lambda params: sign(params, "http://rasa.internal:5005" + PATH),  # over the URL this server sees, not Twilio's
    lambda params: sign(params, token="someone-elses-token"),
], ids=["missing", "empty", "garbage", "other params", "internal url", "other token"])
def test_a_missing_or_wrong_signature_is_403_and_reaches_nothing(phone, signature):
    params = phone.params("hello")
    r = phone.post(params, signature(params))
    assert r.status_code == 403 and phone.received == []


def test_a_signed_message_changed_on_the_way_is_refused(phone):
    params = phone.params("my mum fell")
    signature = sign(params)
    params["Body"] = "/delete_draft"
    assert phone.post(params, signature).status_code == 403
    assert phone.received == []


def test_only_the_signed_form_is_read_never_a_json_body(phone):
    async def post_json():  # the signature covers the URL and an empty form, so the fields must come from there
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=phone.app), base_url="http://x") as c:
            return await c.post(PATH, json={"From": REPORTER, "Body": "hi"}, headers={"X-Twilio-Signature": sign({})})
    assert phone.loop.run_until_complete(post_json()).status_code == 400 and phone.received == []


def test_the_query_string_twilio_was_given_is_part_of_what_is_signed(phone):
    params = phone.params("hello")
    assert phone.post(params, query="?number=main").status_code == 200
    assert phone.post(phone.params("hello"), sign(params), query="?number=main").status_code == 403


def test_health_answers_without_a_signature(phone):
    async def get():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=phone.app), base_url="http://x") as c:
            return await c.get("/webhooks/twilio/")
    assert phone.loop.run_until_complete(get()).status_code == 200


def test_the_channel_needs_a_token_and_reads_the_environment(monkeypatch):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with pytest.raises(ValueError):
        TwilioSmsInput.from_credentials({})
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://proxy.example.org/")
    channel = TwilioSmsInput.from_credentials({"auth_token": "", "public_url": ""})
    assert channel.public_url == "https://proxy.example.org" and channel.name() == "twilio"


# What is not a message for the assistant.

@pytest.mark.parametrize("extra", [{}, {"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/media/1",
                                        "MediaContentType0": "image/jpeg"}])
def test_no_body_gets_a_polite_reply_not_a_500(phone, extra):
    assert phone.text(None, **extra) == [EMPTY]
    assert phone.text("   ") == [EMPTY]
    assert phone.received == []


def test_missing_sender_or_sid_is_a_bad_request(phone):
    params = phone.params("hello")
    del params["From"]
    assert phone.post(params).status_code == 400
    params = phone.params("hello")
    del params["MessageSid"]
    assert phone.post(params).status_code == 400
    assert phone.received == []


def test_a_typed_intent_is_words_not_a_command(phone):
    phone.text('/inform{"account_id": "1"}')
    assert phone.received[-1].text == 'inform{"account_id": "1"}'
    assert phone.text("/") == [EMPTY]


# STOP, START, HELP.

@pytest.mark.parametrize("word", ["STOP", "stop", " Stop ", "UNSUBSCRIBE", "cancel", "End", "quit", "STOPALL"])
def test_stop_ends_the_conversation_and_sends_nothing_more(phone, word):
    phone.text("my mum fell")
    assert phone.text(word) == []
    assert phone.received[-1].text == "/stop"  # the assistant ends the form; the draft is kept
    forwarded = len(phone.received)
    assert phone.text("carry on") == [] and phone.text("HELP") == [] and phone.text("1") == []
    assert len(phone.received) == forwarded


@pytest.mark.parametrize("word", ["START", "start", "UNSTOP", "yes"])
def test_start_re_enables(phone, word):
    phone.text("STOP")
    assert phone.text(word) == [WELCOME_BACK]
    assert phone.text("carry on") == ["You said carry on.\nReply 1 for Yes or 2 for No."]


def test_yes_and_stop_inside_a_sentence_are_answers_not_keywords(phone):
    phone.text("hello")
    phone.text("yes")
    phone.text("please stop asking")
    assert [m.text for m in phone.received] == ["hello", "yes", "please stop asking"]


def test_twilio_advanced_opt_out_type_is_honoured(phone):
    assert phone.text("Arret", OptOutType="STOP") == []
    assert phone.text("Commencer", OptOutType="START") == [WELCOME_BACK]


@pytest.mark.parametrize("word", ["HELP", "help", "INFO"])
def test_help_says_what_the_service_is_how_to_stop_and_where_urgent_help_is(phone, word):
    assert phone.text(word) == [HELP]
    assert "999" in HELP and "111" in HELP and "STOP" in HELP and sms_render.segments(HELP) <= 2
    assert phone.received == []
    assert all(sms_render.segments(m) == 1 for m in (EMPTY, WELCOME_BACK, NOT_UNDERSTOOD))


# Twilio retries: one MessageSid, one turn.

def test_a_retried_message_sid_is_processed_once_and_gets_the_same_reply(phone):
    first = phone.text("my mum fell", sid="SM" + "a" * 32)
    again = phone.text("my mum fell", sid="SM" + "a" * 32)
    assert again == first and len(phone.received) == 1
    phone.text("my mum fell", sid="SM" + "b" * 32)
    assert len(phone.received) == 2


def test_a_retry_arriving_while_the_first_is_still_running_waits_for_its_reply(phone):
    phone.delay = 0.2
    params = phone.params("my mum fell", sid="SM" + "c" * 32)

    async def both():
        return await asyncio.gather(phone._post(params, sign(params)), phone._post(params, sign(params)))

    first, second = phone.loop.run_until_complete(both())
    assert messages(first) == messages(second) == ["You said my mum fell.\nReply 1 for Yes or 2 for No."]
    assert len(phone.received) == 1


def test_a_turn_outlives_twilio_hanging_up_and_its_retry_gets_the_reply(phone):
    # The turn is slower than Twilio is patient (15 s in life): held until the test lets it finish.
    params = phone.params("my mum fell", sid="SM" + "9" * 32)
    started, finish = asyncio.Event(), asyncio.Event()

    async def held() -> None:
        started.set()
        await finish.wait()

    phone.before = held

    async def hang_up_then_retry():
        first = asyncio.ensure_future(phone._post(params, sign(params)))
        await started.wait()
        first.cancel()  # the connection is gone and the handler with it
        await asyncio.sleep(0)
        finish.set()
        return await phone._post(params, sign(params))

    retry = phone.loop.run_until_complete(hang_up_then_retry())
    assert messages(retry) == ["You said my mum fell.\nReply 1 for Yes or 2 for No."] and len(phone.received) == 1


def test_a_failed_turn_gets_a_polite_reply_and_a_retry_is_processed_again(make_phone):
    phone = make_phone(lambda text: [RuntimeError("action server down")])
    assert phone.text("hello", sid="SM" + "d" * 32) == [TROUBLE]
    phone.replies = lambda text: [{"text": "Tell me what happened."}]
    assert phone.text("hello", sid="SM" + "d" * 32) == ["Tell me what happened."]
    assert len(phone.received) == 2


def test_a_turn_whose_action_failed_gets_the_apology_not_a_fresh_start(make_phone):
    def action_server_down(text: str) -> list:  # what Rasa logs, then carries on with no reply
        logging.getLogger("rasa.core.processor").error(f"{ACTION_FAILED} 'report_form'.")
        return []

    phone = make_phone(action_server_down)
    assert phone.text("the second answer") == [NO_REPLY]


def test_an_assistant_that_says_nothing_still_gets_a_reply(make_phone):
    phone = make_phone(lambda text: [])
    assert phone.text("no") == [NOT_UNDERSTOOD]


def test_the_store_forgets_after_its_ttl_and_drops_the_oldest_when_full():
    clock = [100.0]
    store = TtlStore(ttl=10, max_items=2, clock=lambda: clock[0])
    store.put("a", 1)
    store.put("b", 2)
    store.put("c", 3)
    assert store.get("a") is None and store.get("b") == 2
    clock[0] += 11
    assert store.get("c") is None


# Choices as numbered options; a number comes back as the choice.

def test_a_number_is_the_choice_it_numbered_and_anything_else_is_passed_through(make_phone):
    phone = make_phone(lambda text: [{"text": "How badly was the person physically hurt?",
                                      "buttons": [{"title": t, "payload": t} for t in HARM]}])
    [body] = phone.text("my dad fell")
    assert body == ("How badly was the person physically hurt?\n1. Not hurt\n2. A little (low harm)\n"
                    "3. Needed more treatment (moderate harm)\n4. Lasting harm (severe harm)\n5. They died")
    for reply, reached in [("3", HARM[2]), (" 2. ", HARM[1]), ("6", "6"), ("a little", "a little"), ("1, 3", "1, 3")]:
        phone.text(reply)
        assert phone.received[-1].text == reached


def test_a_number_after_a_message_without_choices_is_just_text(make_phone):
    phone = make_phone(lambda text: [{"text": "How many patients?"}] if text == "yes" else
                       [{"text": "Is that right?", "buttons": YES_NO}])
    phone.text("a patient fell")
    phone.text("1")
    assert phone.received[-1].text == "yes"
    phone.text("2")
    assert phone.received[-1].text == "2"


def test_a_number_answers_the_last_question_of_a_turn_not_an_earlier_one(make_phone):
    phone = make_phone(lambda text: [{"text": "Is that right?", "buttons": YES_NO}, {"text": "How many patients?"}])
    phone.text("a patient fell")
    phone.text("2")
    assert phone.received[-1].text == "2"


def _choices(buttons: list[dict[str, str]]) -> str:
    return sms_choices([{"label": b["title"], "payload": b["payload"]} for b in buttons], "public")


def test_short_choices_read_as_one_line_and_long_ones_as_a_numbered_list():
    assert _choices(YES_NO) == "Reply 1 for Yes or 2 for No."
    assert _choices(YES_NO + [{"title": "I don't know", "payload": "x"}]) == (
        "Reply 1 for Yes, 2 for No or 3 for I don't know.")
    assert _choices([{"title": "Yes, submit", "payload": "yes"},
                     {"title": "Change something", "payload": "no"}]) == "1. Yes, submit\n2. Change something"


def test_a_structured_message_is_rendered_from_its_fields_and_its_numbers_pick_its_payloads():
    drafts = [{"label": "Risk, 2026-11-23: The ramp", "payload": "1"}, {"label": "Incident, 2026-11-20: A fall",
                                                                          "payload": "2"}]
    reply = {"text": "Which draft?", "custom": {KEY: message("which_draft", "public", choices=drafts)}}
    assert sms_render.message_text(reply) == "Which draft?\n1. Risk, 2026-11-23: The ramp\n2. Incident, 2026-11-20: A fall"
    assert sms_render.payloads(reply) == ["1", "2"]
    ended = {"text": "x", "custom": {KEY: message("stopped", "public")}}
    assert sms_render.message_text(ended) == ("OK, I've stopped. What you told me is saved. "
                                             "To carry on, text CARRY ON or your draft code.")


# Length: GSM-7 where possible, at most three segments per SMS, in order.

def test_segments_count_gsm7_and_unicode_as_the_networks_do():
    assert [sms_render.segments(t) for t in ("a" * 160, "a" * 161, "a" * 306, "a" * 307)] == [1, 2, 2, 3]
    assert [sms_render.segments(t) for t in ("€" * 80, "€" * 81)] == [1, 2]  # escape + character
    assert [sms_render.segments(t) for t in ("é" * 160, "ĉ" * 70, "ĉ" * 71)] == [1, 1, 2]  # é is GSM-7, ĉ not


def test_a_turn_is_packed_into_as_few_sms_as_fit_with_curly_quotes_and_bullets_made_plain(make_phone):
    # One "’" or "•" (the actions' recap bullets) would make the whole SMS UCS-2: 70 characters a segment.
    understood = {"text": "Here's what I understood:\n• Today: No\nIs that right?", "buttons": YES_NO}
    phone = make_phone(lambda text: [{"text": "Thank you, I’ve saved that."}, understood])
    [body] = phone.text("hello")
    assert body == ("Thank you, I've saved that.\n\nHere's what I understood:\n- Today: No\nIs that right?\n"
                    "Reply 1 for Yes or 2 for No.")
    assert sms_render.segments(body) == 1


def test_a_long_list_is_split_between_options_into_sms_of_at_most_three_segments(make_phone):
    areas = [f"Service area number {i} with a fairly long name" for i in range(1, 18)]
    listing = "What kind of service was it?\n" + "\n".join(f"{i}. {a}" for i, a in enumerate(areas, 1))
    phone = make_phone(lambda text: [{"text": listing}])
    bodies = phone.text("hello")
    assert len(bodies) == 2 and all(sms_render.segments(b) <= 3 for b in bodies)
    assert "\n".join(bodies) == listing  # split only at line breaks, nothing lost, in order


def test_long_text_without_line_breaks_is_split_between_words():
    words = " ".join(["reading"] * 150)
    bodies = sms_render.bodies([{"text": words}])
    assert all(sms_render.segments(b) <= 3 for b in bodies) and " ".join(bodies) == words
    assert all(sms_render.segments(b) <= 3 for b in sms_render.bodies([{"text": "x" * 2000}]))


# Issue 16: the conversation id is not the number; opt-outs and seen MessageSids are shared state.

def test_the_conversation_id_is_a_keyed_hash_of_the_number_never_the_number(phone):
    phone.text("hello")
    phone.text("again")
    first, second = (m.sender_id for m in phone.received)
    assert first == second and first.startswith("sms-")
    assert "447700900123" not in first and "7700900123" not in first
    other_key = TwilioSmsInput(TOKEN, PUBLIC, state=MemoryState(), conversation_secret="another secret")
    assert other_key.conversation_id(REPORTER) != first  # keyed: the id says nothing without the secret
    assert phone.channel.conversation_id("+447700900124") != first


@pytest.fixture(params=["sqlite", "redis"])
def shared_state(request, tmp_path):
    """What two Rasa servers (or one before and after a restart) share: a SQLite file, or Redis."""
    if request.param == "sqlite":
        yield lambda: SqliteState(str(tmp_path / "channel-state.db"))
        return
    from channels.channel_state import RedisState
    from tests.support.redis import TempRedis

    server = TempRedis()
    if not server.available:
        pytest.skip("redis-server is not installed (scripts/ensure-redis.sh)")
    server.start()
    try:
        yield lambda: RedisState(f"redis://:{server.password}@127.0.0.1:{server.port}/0")
    finally:
        server.stop()


def test_an_opt_out_holds_on_another_server_and_after_a_restart(make_phone, shared_state):
    first = make_phone(state=shared_state())
    assert first.text("STOP") == []
    restarted = make_phone(state=shared_state())  # a new process: nothing in memory
    assert restarted.text("A nurse gave my dad the wrong tablets") == []
    assert [m.text for m in restarted.received] == []
    assert restarted.text("START") == [WELCOME_BACK]
    assert first.text("hello again") == ["You said hello again.\nReply 1 for Yes or 2 for No."]


def test_a_retried_message_reaching_another_server_is_processed_once(make_phone, shared_state):
    first, second = make_phone(state=shared_state()), make_phone(state=shared_state())
    params = first.params("The wrong tablets were given", sid="SM" + "7" * 32)
    r1 = first.post(params)
    r2 = second.post(params)  # Twilio's retry, routed to the other server
    assert messages(r1) == messages(r2) == ["You said The wrong tablets were given.\nReply 1 for Yes or 2 for No."]
    assert len(first.received) + len(second.received) == 1
