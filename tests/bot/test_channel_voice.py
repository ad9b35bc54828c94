"""The Twilio voice channel against a stub assistant: signed form posts to the blueprint mounted in a
Sanic server, as Rasa mounts it; the stub records what reaches the assistant and answers with canned
messages; the TwiML is checked as Twilio would read it."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic
from twilio.request_validator import RequestValidator

from channels.channel_state import MemoryState
from channels.twilio_voice import TwilioVoiceInput
from tests.support.ports import listening_socket
from tests.support.twiml import Heard
from wording.message import KEY, message, question
from wording.render import render

TOKEN = "bot-test-twilio-token"
BASE = "https://voice.example.org/assistant"  # the public URL Twilio calls, behind a proxy with a path
HOOK = f"{BASE}/webhooks/twilio_voice/webhook"
SID_A, SID_B = "CA" + "a" * 32, "CA" + "b" * 32
YES_NO = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]
SERVICES = [{"title": t, "payload": t} for t in
            ["GP", "Hospital care", "Pharmacy", "Dentist", "Ambulance", "Mental health", "Care home"]]
_names = itertools.count()


class Assistant:
    """Stands in for Rasa's agent: records each UserMessage, answers with the next canned turn."""

    def __init__(self, *turns: list[dict[str, Any]], draft: bool = False) -> None:
        self.turns, self.heard, self.draft = list(turns), [], draft

    async def __call__(self, message: UserMessage) -> None:
        self.heard.append(message)
        for m in self.turns.pop(0) if self.turns else []:
            await message.output_channel.send_response(message.sender_id, dict(m))


class _Tracker:
    def __init__(self, draft: bool) -> None:
        self.events, self.draft = [], draft

    def get_slot(self, name: str) -> Any:
        return "rec-1" if self.draft and name == "record_id" else None


class _Store:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    async def retrieve(self, sender_id: str) -> _Tracker:
        return _Tracker(self.assistant.draft)


def call(assistant: Assistant, script, channel: TwilioVoiceInput | None = None, store: Any = None) -> None:
    """Runs `script(post)` against a live Sanic server; post(route, sign=True, **form) -> Heard."""
    channel = channel or TwilioVoiceInput(TOKEN, BASE, state=MemoryState())

    async def main() -> None:
        Sanic.test_mode = True  # several apps in one process, as sanic-testing does
        app = Sanic(f"voice_test_{next(_names)}", configure_logging=False)
        app.blueprint(channel.blueprint(assistant), url_prefix="/webhooks/twilio_voice")
        app.ctx.agent = type("Agent", (), {"tracker_store": store or _Store(assistant)})()
        sock = listening_socket()
        port = sock.getsockname()[1]
        server = await app.create_server(sock=sock, return_asyncio_server=True)
        await server.startup()
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                async def post(route: str = "webhook", sign: bool | str = True, **form: str) -> Heard:
                    form = {"CallSid": SID_A, "AccountSid": "AC" + "0" * 32, "From": "anonymous",
                            "To": "+441632960001", "CallStatus": "in-progress", **form}
                    form = {k: v for k, v in form.items() if v is not None}
                    form.setdefault("CallerCity", "")  # Twilio sends blank fields, and signs them
                    url = f"{BASE}/webhooks/twilio_voice/{route}"
                    signature = (RequestValidator(TOKEN).compute_signature(url, form) if sign is True
                                 else sign or "")
                    r = await client.post(f"/webhooks/twilio_voice/{route}", data=form,
                                          headers={"X-Twilio-Signature": signature} if signature else {})
                    return Heard(r.status_code, r.text)

                await script(post)
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(main())


def said(message_id: str, **fields: Any) -> dict[str, Any]:
    """A reply as the actions send it: the screen text as fallback and the structured message."""
    structured = message(message_id, "public", **fields)
    return {"text": render(structured, "screen").text, "custom": {KEY: structured}}


GREETING = [{"text": "Hello. I can help you tell the NHS about something that happened."},
            {"text": "Tell me what happened, in your own words."}]


def test_a_missing_or_wrong_signature_is_refused_before_the_assistant():
    assistant = Assistant(GREETING)

    async def script(post):
        assert (await post(sign=False, CallStatus="ringing")).status == 403
        assert (await post(sign="d3Jvbmc=", CallStatus="ringing")).status == 403
        # Signed by someone with another token, or over our own URL rather than the public one.
        other = RequestValidator("another-token").compute_signature(HOOK, {"CallSid": SID_A})
        assert (await post(sign=other, CallStatus="ringing")).status == 403
        assert (await post("status", sign=False, CallStatus="completed")).status == 403
        assert (await post(CallStatus="ringing")).status == 200

    call(assistant, script)
    assert [m.text for m in assistant.heard] == ["/greet"]


def test_a_signature_over_the_callers_own_url_is_not_ours():
    channel = TwilioVoiceInput(TOKEN, "https://elsewhere.example.org", state=MemoryState())
    assistant = Assistant(GREETING)

    async def script(post):
        assert (await post(CallStatus="ringing")).status == 403  # signed for BASE, checked for elsewhere

    call(assistant, script, channel)
    assert assistant.heard == []


def test_each_call_is_its_own_conversation_keyed_on_the_call_sid():
    assistant = Assistant(GREETING, GREETING, [{"text": "Thanks."}], [{"text": "Thanks."}])

    async def script(post):
        await post(CallStatus="ringing")
        await post(CallSid=SID_B, CallStatus="ringing")  # the same withheld number, another call
        await post(Digits="3")
        await post(CallSid=SID_B, Digits="4")

    call(assistant, script)
    assert [(m.sender_id, m.text) for m in assistant.heard] == [(SID_A, "/greet"), (SID_B, "/greet"),
                                                                  (SID_A, "3"), (SID_B, "4")]
    assert {m.input_channel for m in assistant.heard} == {"twilio_voice"}
    assert all("anonymous" not in str(m.metadata) for m in assistant.heard)


def test_a_call_without_a_call_sid_is_refused():
    async def script(post):
        assert (await post(CallSid=None, CallStatus="ringing")).status == 400
        assert (await post(CallSid="+447700900123", CallStatus="ringing")).status == 400

    call(Assistant(), script)


def test_the_answer_is_a_british_english_gather_for_speech_and_keypad_with_hints():
    understood = said("extraction_check", lines=[{"name": "When", "value": "2026-03-10"},
                                                 {"name": "Place", "value": "Hospital"}])
    assistant = Assistant(GREETING, [understood])

    async def script(post):
        first = await post(CallStatus="ringing")
        gather = first.gather
        assert gather.get("input") == "speech dtmf" and gather.get("language") == "en-GB"
        assert gather.get("speechTimeout") == "auto" and gather.get("actionOnEmptyResult") == "true"
        assert gather.get("action") == HOOK and gather.get("method") == "POST"
        assert gather.get("hints") is None  # free text: no choices to hint
        assert [s.get("voice") for s in gather.iter("Say")] == ["Polly.Amy"]
        assert {s.get("language") for s in gather.iter("Say")} == {"en-GB"}
        assert first.text == ("Hello. I can help you tell the NHS about something that happened. "
                              "Tell me what happened, in your own words.")
        confirm = await post(SpeechResult="At the hospital.", Confidence="0.9")
        assert confirm.gather.get("hints") == "Yes, No"
        assert confirm.text == ("Here's what I understood. When: 10 March 2026. Place: Hospital. Is that right? "
                                "Say Yes or press 1, say No or press 2.")
        assert confirm.root.find("Hangup") is None

    call(assistant, script)
    assert assistant.heard[1].text == "At the hospital"  # short: the recogniser's full stop dropped


def test_digits_are_the_payload_of_the_choice_read_out_and_long_lists_are_paged():
    asked = [{"text": "What kind of service was it?", "buttons": SERVICES}]
    assistant = Assistant(GREETING, asked, asked, asked, asked, asked)

    async def script(post):
        await post(CallStatus="ringing")
        await post(Digits="1")  # a free-text question: the digits themselves are the answer
        first = await post(Digits="2")
        assert first.text.startswith("What kind of service was it? Say GP or press 1, say Hospital care or press 2")
        assert "Care home" not in first.text and "For more choices, press 9." in first.text
        assert first.gather.get("hints") == ", ".join(s["title"] for s in SERVICES)
        more = await post(Digits="9")  # stays in the channel
        assert more.text.startswith("Say Ambulance or press 1, say Mental health or press 2, say Care home or press 3.")
        assert "press 9" in more.text
        wrong = await post(Digits="4")  # only three read out on this page
        assert "isn't one of the choices" in wrong.text
        await post(Digits="3")  # Care home
        await post(SpeechResult="Two.")  # the spoken number of a choice read out is that key
        await post(Digits="9")
        again = await post(Digits="9")
        assert "Say GP or press 1" in again.text  # the next page is the first again
        await post(SpeechResult="the mental health team")  # anything else said goes to the assistant as said

    call(assistant, script)
    assert [m.text for m in assistant.heard] == ["/greet", "1", "Hospital care", "Care home", "Hospital care",
                                                 "the mental health team"]


def test_several_keys_pick_several_choices_by_their_numbers_in_the_whole_list():
    structured = question({"text": "Which service areas were involved?", "multiple": True, "mandatory": True,
                           "choices": [{"label": s["title"]} for s in SERVICES]}, "public")
    asked = [{"text": render(structured, "screen").text, "custom": {KEY: structured}}]
    assistant = Assistant(GREETING, asked, asked)

    async def script(post):
        await post(CallStatus="ringing")
        heard = await post(Digits="4")
        assert "Choose all that apply." in heard.text and "(for example" not in heard.text
        assert "You can press more than one number." in heard.text
        await post(Digits="9")
        await post(Digits="13")

    call(assistant, script)
    assert [m.text for m in assistant.heard][2] == "5, 7"  # Ambulance and Care home, on the second page


def test_choices_made_by_the_assistant_are_read_and_picked_by_their_number():
    listed = [said("which_one", choices=[{"label": "Beacon Surgery", "payload": "1"},
                                         {"label": "Beacon Hospital", "payload": "2"}])]
    assistant = Assistant(GREETING, listed)

    async def script(post):
        await post(CallStatus="ringing")
        heard = await post(SpeechResult="beacon")
        assert heard.text == "Which one? Say Beacon Surgery or press 1, say Beacon Hospital or press 2."
        await post(Digits="2")

    call(assistant, script)
    assert assistant.heard[-1].text == "2"


def test_long_free_text_is_read_back_and_passed_on_only_once_confirmed():
    description = "The nurse gave my dad the wrong tablets on the ward yesterday."
    assistant = Assistant(GREETING, [{"text": "Thank you."}])

    async def script(post):
        await post(CallStatus="ringing")
        heard = await post(SpeechResult="The nurse gave my dad the wrong tablet on the wall yesterday.")
        assert heard.text.startswith("I heard: The nurse gave my dad the wrong tablet on the wall yesterday.")
        assert "say yes or press 1" in heard.text and heard.gather.get("hints") == "yes, no"
        again = await post(Digits="2")
        assert again.text == "OK. Please say it again."
        heard = await post(SpeechResult=description)
        assert heard.text.startswith(f"I heard: {description}")
        assert (await post(SpeechResult="Yes.")).text == "Thank you."

    call(assistant, script)
    assert [m.text for m in assistant.heard] == ["/greet", description]


def test_silence_is_reprompted_twice_then_the_call_ends_politely_offering_sms():
    asked = [{"text": "Thank you, I've saved that."}, {"text": "Did this happen today?", "buttons": YES_NO}]
    assistant = Assistant(GREETING, asked, draft=True)

    async def script(post):
        await post(CallStatus="ringing")
        await post(SpeechResult="It was cancelled.", Digits="")
        for _ in range(2):
            again = await post()
            assert again.gather is not None
            assert again.text == ("Sorry, I didn't catch that. Did this happen today? "
                                  "Say Yes or press 1, say No or press 2.")
        end = await post()
        assert end.hung_up and end.gather is None
        assert "What you've told me so far is saved." in end.text and "text message" in end.text
        assert end.text.endswith("Goodbye.")

    call(assistant, script)
    assert [m.text for m in assistant.heard] == ["/greet", "It was cancelled"]  # silence never reached it


def test_silence_from_the_start_ends_without_promising_a_draft():
    assistant = Assistant(GREETING)

    async def script(post):
        await post(CallStatus="ringing")
        await post()
        await post()
        end = await post()
        assert end.hung_up and "saved" not in end.text and "call again" in end.text

    call(assistant, script)


def test_an_answer_resets_the_reprompt_count():
    asked = [{"text": "Did this happen today?", "buttons": YES_NO}]
    assistant = Assistant(GREETING, asked, asked)

    async def script(post):
        await post(CallStatus="ringing")
        await post(Digits="1")
        await post()
        await post()
        await post(Digits="2")  # an answer after two reprompts
        assert not (await post()).hung_up  # the count starts again

    call(assistant, script)


def test_the_hang_up_status_callback_ends_the_call_state():
    channel = TwilioVoiceInput(TOKEN, BASE, state=MemoryState())
    assistant = Assistant(GREETING, [{"text": "Thanks."}], GREETING)

    async def script(post):
        await post(CallStatus="ringing")
        assert SID_A in channel.calls
        assert (await post("status", CallStatus="in-progress")).status == 204
        assert SID_A in channel.calls  # not ended yet
        assert (await post("status", CallStatus="completed", CallDuration="30")).status == 204
        assert SID_A not in channel.calls

    call(assistant, script, channel)
    assert [m.text for m in assistant.heard] == ["/greet"]  # nothing is sent to the assistant: the draft is kept


def test_a_submitted_report_reads_the_reference_twice_and_hangs_up():
    channel = TwilioVoiceInput(TOKEN, BASE, state=MemoryState())
    done = [said("submitted", reference="PSE-2026-000042")]
    assistant = Assistant(GREETING, [{"text": "Shall I send it?", "buttons": YES_NO}], done)

    async def script(post):
        await post(CallStatus="ringing")
        await post(SpeechResult="send")
        end = await post(Digits="1")
        assert end.hung_up and end.gather is None
        assert end.text.count("P S E, 2 0 2 6, 0 0 0 0 4 2") == 2 and "PSE-" not in end.text
        assert SID_A not in channel.calls

    call(assistant, script, channel)
    assert assistant.heard[-1].text == "yes"


def test_the_call_state_is_recovered_from_the_tracker_after_a_restart():
    channel = TwilioVoiceInput(TOKEN, BASE, state=MemoryState())
    assistant = Assistant([{"text": "Thanks."}])

    class Store:
        async def retrieve(self, sender_id):
            tracker = _Tracker(False)
            tracker.events = [UserUttered("hello"), BotUttered("What kind of service was it?", {"buttons": SERVICES})]
            return tracker

    async def script(post):
        # Not in memory (a restart, or another replica took the last turn): read from the tracker.
        assert (await post()).text.startswith("Sorry, I didn't catch that. What kind of service was it? Say GP")
        await post(Digits="2")

    call(assistant, script, channel, store=Store())
    assert [m.text for m in assistant.heard] == ["Hospital care"]


@pytest.mark.parametrize("credentials", [{}, {"auth_token": "x"}, {"public_base_url": "https://x"}])
def test_the_channel_needs_a_token_and_a_public_url(credentials, monkeypatch):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ValueError):
        TwilioVoiceInput.from_credentials(credentials)


def test_stop_ends_the_call_without_promising_what_a_call_cannot_do():
    channel = TwilioVoiceInput(TOKEN, BASE, state=MemoryState())
    assistant = Assistant(GREETING, [said("stopped")])

    async def script(post):
        await post(CallStatus="ringing")
        end = await post(SpeechResult="Stop.")
        assert end.hung_up and end.text == "OK, I've stopped. What you told me is saved. Goodbye."
        assert SID_A not in channel.calls

    call(assistant, script, channel)
    assert assistant.heard[-1].text == "Stop"


def test_the_words_never_end_a_call_only_the_structured_message_does():
    # Prose that reads like the end (a reporter's words quoted back, a plain reply) is spoken, not obeyed.
    assistant = Assistant(GREETING, [{"text": "OK, I've stopped. Your reference is PSE-2026-000042."}])

    async def script(post):
        await post(CallStatus="ringing")
        heard = await post(SpeechResult="Stop.")
        assert not heard.hung_up and heard.gather is not None

    call(assistant, script)


def test_the_recap_quoting_the_caller_is_not_mistaken_for_the_end():
    recap = [{"text": "Please check what you've told me:\n"
                      "• What happened? The bleeding I've stopped, PSE-2026-000001\nShall I send it?",
              "buttons": YES_NO}]
    assistant = Assistant(GREETING, recap)

    async def script(post):
        await post(CallStatus="ringing")
        heard = await post(SpeechResult="carry on")
        assert not heard.hung_up and heard.text.endswith("Shall I send it? Say Yes or press 1, say No or press 2.")

    call(assistant, script)


def test_free_text_waiting_for_its_yes_is_passed_on_when_the_caller_hangs_up():
    assistant = Assistant(GREETING, [{"text": "Here's what I understood."}])

    async def script(post):
        await post(CallStatus="ringing")
        heard = await post(SpeechResult="The ambulance took three hours to come for my nan.")
        assert heard.text.startswith("I heard:")
        assert (await post("status", CallStatus="completed")).status == 204

    call(assistant, script)
    assert [m.text for m in assistant.heard] == ["/greet", "The ambulance took three hours to come for my nan."]


def test_free_text_waiting_for_its_yes_is_passed_on_before_a_silent_call_ends():
    assistant = Assistant(GREETING, [{"text": "Here's what I understood."}], draft=True)

    async def script(post):
        await post(CallStatus="ringing")
        await post(SpeechResult="The ambulance took three hours to come.")
        again = await post()
        assert again.text.startswith("Sorry, I didn't catch that. I heard: The ambulance took three hours to come.")
        await post()
        end = await post()
        assert end.hung_up and "What you've told me so far is saved." in end.text

    call(assistant, script)
    assert [m.text for m in assistant.heard] == ["/greet", "The ambulance took three hours to come."]


def test_saying_it_again_replaces_what_was_heard():
    assistant = Assistant(GREETING, [{"text": "Thanks."}])

    async def script(post):
        await post(CallStatus="ringing")
        await post(SpeechResult="My mum was sent home with a broken rest.")
        heard = await post(SpeechResult="No, my mum was sent home with a broken wrist.")
        assert heard.text.startswith("I heard: my mum was sent home with a broken wrist.")
        await post(SpeechResult="Yeah.")

    call(assistant, script)
    assert assistant.heard[-1].text == "my mum was sent home with a broken wrist."


def test_the_recognisers_times_are_passed_on_as_the_assistant_reads_them():
    assistant = Assistant(GREETING, [{"text": "Thanks."}])

    async def script(post):
        await post(CallStatus="ringing")
        await post(SpeechResult="3 p.m.")

    call(assistant, script)
    assert assistant.heard[-1].text == "3 pm"


def test_someone_in_danger_now_is_not_held_back_by_the_read_back():
    danger = [{"text": "If someone is in danger now, call 999 straight away."}]
    assistant = Assistant(GREETING, danger)

    async def script(post):
        await post(CallStatus="ringing")
        heard = await post(SpeechResult="My dad has collapsed and is not breathing right now.")
        assert heard.text.startswith("If someone is in danger now, call 999")

    call(assistant, script)
    assert assistant.heard[-1].text == "My dad has collapsed and is not breathing right now."


def test_a_signed_webhook_replayed_after_its_call_ended_is_refused_on_any_server(tmp_path):
    """Twilio's signature has no time in it: a captured request could be replayed into the conversation
    once the call is over. Ended calls are kept in the channels' shared state (issue 16)."""
    from channels.channel_state import SqliteState

    shared = str(tmp_path / "channel-state.db")
    assistant = Assistant(GREETING, [{"text": "I've saved that."}])

    async def first_server(post):
        await post(CallStatus="ringing")
        assert (await post("status", CallStatus="completed")).status == 204

    call(assistant, first_server, TwilioVoiceInput(TOKEN, BASE, state=SqliteState(shared)))

    async def replay(post):
        heard = await post(SpeechResult="Submit it")
        assert heard.status == 200 and heard.hung_up and heard.gather is None

    call(assistant, replay, TwilioVoiceInput(TOKEN, BASE, state=SqliteState(shared)))  # another server
    assert [m.text for m in assistant.heard] == ["/greet"]
