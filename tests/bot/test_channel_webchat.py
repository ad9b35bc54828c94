"""The web chat channel on a real Sanic server, with a real socket.io client: the server assigns
the conversation (a client cannot pick or join another's), staff tokens are verified on connect
(the backend's answer is replaced in process; it is tested end to end) and an invalid one refuses
the connection, buttons go out as quick replies."""

from __future__ import annotations

import asyncio
import itertools
from contextlib import asynccontextmanager

import pytest
import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

import channels.webchat as webchat
from channels.webchat import WebChatInput
from tests.support.ports import serving

_apps = itertools.count()
Sanic.test_mode = True
TOKENS = {"good-staff-token": 42}


@pytest.fixture(autouse=True)
def backend(monkeypatch):
    asked: list[str] = []

    async def account_for_token(backend_url: str, token: str) -> int | None:
        assert backend_url == "http://backend.test"
        asked.append(token)
        return TOKENS.get(token)

    monkeypatch.setattr(webchat, "account_for_token", account_for_token)
    return asked


async def reply(message: UserMessage) -> None:
    if message.text == "buttons":
        await message.output_channel.send_text_with_buttons(
            message.sender_id, "Pick one", [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}])
    else:
        await message.output_channel.send_text_message(message.sender_id, f"echo {message.text}")


@asynccontextmanager
async def serve():
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await reply(message)

    ch = WebChatInput.from_credentials({"backend_url": "http://backend.test/"})
    app = Sanic(f"webchat-test-{next(_apps)}")
    app.blueprint(ch.blueprint(on_new_message), url_prefix=f"/webhooks/{ch.name()}")
    ch.sio.eio.ping_interval = ch.sio.eio.ping_timeout = 1  # a long poll ends within a second, so clients close quickly
    async with serving(app) as port:
        yield f"http://127.0.0.1:{port}", received


class Client:
    """A socket.io client that collects what the bot sends."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.bot: asyncio.Queue = asyncio.Queue()
        self.session: asyncio.Queue = asyncio.Queue()
        self.sio.on("bot_uttered", self.bot.put_nowait)
        self.sio.on("session_confirm", self.session.put_nowait)

    async def connect(self, url: str, auth: dict | None = None) -> str:
        await self.sio.connect(url, auth=auth, transports=["polling"], socketio_path="/socket.io", wait_timeout=5)
        await self.sio.emit("session_request", {"session_id": "someone-elses-conversation"})
        return await asyncio.wait_for(self.session.get(), 5)

    async def say(self, text: str, **extra) -> dict:
        await self.sio.emit("user_uttered", {"message": text, **extra})
        return await asyncio.wait_for(self.bot.get(), 5)


def test_the_server_assigns_the_conversation_and_ignores_a_claimed_one():
    async def run():
        async with serve() as (url, received):
            a, b = Client(), Client()
            sid_a, sid_b = await a.connect(url), await b.connect(url)
            assert sid_a != sid_b and sid_a.startswith("webchat-") and len(sid_a) > 20
            assert "someone-elses-conversation" not in (sid_a, sid_b)
            assert await a.say("hello", session_id=sid_b, metadata={"account_id": 7}) == {"text": "echo hello"}
            assert await b.say("hi") == {"text": "echo hi"}
            assert b.bot.empty() and a.bot.empty()  # neither sees the other's replies
            assert [(m.sender_id, m.metadata, m.input_channel) for m in received] == [
                (sid_a, {}, "socketio"), (sid_b, {}, "socketio")]
            await a.sio.disconnect()
            await b.sio.disconnect()

    asyncio.run(run())


def test_a_valid_staff_token_makes_it_the_staff_members_conversation(backend):
    async def run():
        async with serve() as (url, received):
            c = Client()
            sid = await c.connect(url, auth={"staff_token": "good-staff-token"})
            await c.say("resume my draft")
            assert received[0].sender_id == sid and received[0].metadata == {"account_id": 42}
            await c.sio.disconnect()

    asyncio.run(run())
    assert backend == ["good-staff-token"]


@pytest.mark.parametrize("auth", [{"staff_token": "forged"}, {"staff_token": ["x"]}, {"staff_token": "x" * 5000}])
def test_an_invalid_staff_token_refuses_the_connection(auth):
    async def run():
        async with serve() as (url, received):
            c = Client()
            with pytest.raises(socketio.exceptions.ConnectionError):
                await c.sio.connect(url, auth=auth, transports=["polling"], wait_timeout=5)
            assert received == []

    asyncio.run(run())


def test_buttons_go_out_as_quick_replies():
    async def run():
        async with serve() as (url, _):
            c = Client()
            await c.connect(url)
            assert await c.say("buttons") == {"text": "Pick one", "quick_replies": [
                {"content_type": "text", "title": "Yes", "payload": "/affirm"},
                {"content_type": "text", "title": "No", "payload": "/deny"}]}
            await c.sio.disconnect()

    asyncio.run(run())


def test_one_client_cannot_hold_more_than_its_share_of_connections(monkeypatch):
    """Each connection is a new conversation: a client opening sockets in a loop is held back (issue 16)."""
    monkeypatch.setenv("WEBCHAT_MAX_CONNECTIONS", "3")

    async def run():
        async with serve() as (url, _):
            clients = [Client() for _ in range(3)]
            for c in clients:
                await c.connect(url)
            extra = Client()
            with pytest.raises(socketio.exceptions.ConnectionError):
                await extra.sio.connect(url, transports=["polling"], wait_timeout=5)
            await clients[0].sio.disconnect()
            for _ in range(50):  # the server hears the disconnect a moment later
                try:
                    await Client().connect(url)
                    break
                except socketio.exceptions.ConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("a closed connection's place was never freed")

    asyncio.run(run())


def test_new_connections_from_one_client_are_rate_limited_and_others_are_unaffected():
    from channels.webchat_connections import ConnectionLimit

    now = [0.0]
    limit = ConnectionLimit(max_open=100, connect_rate=20, clock=lambda: now[0])
    one, other = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.2"}
    opened = [limit.open(f"sid-{i}", one) for i in range(40)]  # open and close in a loop
    for i in range(40):
        limit.close(f"sid-{i}")
    assert opened.count(True) == 30 and not any(opened[30:])  # 20 a minute plus a burst of 10
    assert limit.open("sid-x", other) and limit.open_for("192.0.2.2") == 1
    now[0] += 60
    assert limit.open("sid-later", one)  # a minute on, the client may connect again
    assert limit.open_for("192.0.2.1") == 1  # closed ones are no longer counted


def test_forwarded_addresses_count_only_behind_our_own_proxy():
    from channels.webchat_connections import client_of

    environ = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 10.0.0.5"}
    assert client_of(environ, trust_forwarded=False) == "10.0.0.5"  # a header anyone can send
    assert client_of(environ, trust_forwarded=True) == "198.51.100.7"
