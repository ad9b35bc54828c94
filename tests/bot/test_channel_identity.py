"""Issue 15, the channels: a REST staff identity is checked on every message (a reused sender without
the token reaches only its own public conversation), typed "/intent" commands reach Rasa as words in
every channel, and the web chat's socket.io takes only the chat page's origin."""

from __future__ import annotations

import asyncio

import pytest
import socketio

import channels.rest as rest
from channels.input_text import not_a_command, words
from tests.bot import test_channel_teams as teams
from tests.bot.test_channel_bad_input import Rest
from tests.bot.test_channel_teams import fake  # noqa: F401  (fixture)
from tests.bot.test_channel_webchat import Client, backend, serve  # noqa: F401  (backend: autouse fixture)

COMMANDS = ["/restart", "  /affirm", '/inform{"account_id": "1"}', "//stop", "\t/deny"]


@pytest.fixture
def staff_tokens(monkeypatch):
    async def account_for_token(backend_url: str, token: str) -> int | None:
        return {"nurse-token": 42}.get(token)

    monkeypatch.setattr(rest, "account_for_token", account_for_token)


def test_not_a_command():
    assert [not_a_command(c) for c in COMMANDS] == ["restart", "affirm", 'inform{"account_id": "1"}', "stop", "deny"]
    assert not_a_command("a/b and 1/2 of a dose") == "a/b and 1/2 of a dose"  # a slash inside is a word
    assert words("\x00/restart") == "restart"  # cleaned first: a control character does not hide it


def test_a_rest_staff_identity_is_checked_on_every_message(staff_tokens):
    ch = Rest()

    def say(sender: str, text: str, token: str | None = None):
        async def go():
            import httpx
            body = {"sender": sender, "message": text} | ({"staff_token": token} if token else {})
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=ch.app), base_url="http://rasa") as c:
                return await c.post("/webhooks/rest/webhook", json=body, headers={"Authorization": "Bearer rest-token"})
        return ch.loop.run_until_complete(go())

    r = say("shared-laptop", "resume my draft", "nurse-token")
    assert r.status_code == 200 and r.json()[0]["recipient_id"] == "shared-laptop"
    r = say("shared-laptop", "resume my draft")  # the same sender, no token: not the nurse's conversation
    assert r.status_code == 200
    assert [(m.sender_id, m.metadata) for m in ch.received] == [
        ("staff:42:shared-laptop", {"account_id": 42}), ("shared-laptop", {})]
    # Nor can a public caller name the staff conversation itself.
    assert say("staff:42:shared-laptop", "resume my draft").status_code == 422
    assert say("shared-laptop", "hello", "forged-token").status_code == 401
    assert len(ch.received) == 2


def test_typed_commands_are_words_in_rest(staff_tokens):
    ch = Rest()
    for text in COMMANDS:
        assert ch.post("someone", text).status_code == 200
    assert [m.text for m in ch.received] == ["restart", "affirm", 'inform{"account_id": "1"}', "stop", "deny"]


def test_typed_commands_are_words_in_the_web_chat():
    async def run():
        async with serve() as (url, received):
            c = Client()
            await c.connect(url)
            for text in COMMANDS:
                await c.say(text)
            await c.sio.disconnect()
            return [m.text for m in received]

    assert asyncio.run(run()) == ["restart", "affirm", 'inform{"account_id": "1"}', "stop", "deny"]


def test_typed_commands_are_words_in_teams(fake):
    ch = teams.channel(fake)
    calls = [(teams.activity(fake, text=text), teams.bearer(teams.token(fake))) for text in COMMANDS]
    _, received = teams.post(ch, *calls)
    assert [m.text for m in received] == ["restart", "affirm", 'inform{"account_id": "1"}', "stop", "deny"]


@pytest.mark.parametrize("allowed, origin, accepted", [
    (None, "https://evil.example", False),  # default: the Rasa server's own origin only
    ("https://chat.example.org", "https://evil.example", False),
    ("https://chat.example.org", "https://chat.example.org", True),
    ("*", "https://evil.example", False),  # "*" is not honoured
])
def test_socketio_takes_only_the_chat_pages_origin(monkeypatch, allowed, origin, accepted):
    if allowed is None:
        monkeypatch.delenv("WEBCHAT_ALLOWED_ORIGINS", raising=False)
    else:
        monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", allowed)

    async def run() -> bool:
        async with serve() as (url, _):
            sio = socketio.AsyncClient(reconnection=False)
            try:
                await sio.connect(url, headers={"Origin": origin}, transports=["polling"], wait_timeout=5)
            except socketio.exceptions.ConnectionError:
                return False
            await sio.disconnect()
            return True

    assert asyncio.run(run()) is accepted
