"""The Teams channel on a real Sanic server: Bot Framework tokens (signed here with a local RSA key),
service URLs, users mapped to staff accounts, conversation keying and hero card rendering.

Microsoft's endpoints (OpenID metadata and keys, the token endpoint, the service URL that receives
replies) are local fakes (tests/support/teams_fake.py); the backend's user look-up is replaced in
process (it is tested in tests/backend/test_identities.py and end to end)."""

from __future__ import annotations

import asyncio
import itertools
import time
import urllib.parse
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from channels.teams import PERSONAL_ONLY, TeamsInput
from channels.teams_auth import SERVICE_URLS, SigningKeys, service_url_allowed
from channels.teams_users import TeamsUsers
from tests.support.ports import serving
from tests.support.teams_fake import FakeMicrosoft
from tests.support.teams_tokens import claims, new_key, sign

APP_ID, PASSWORD = "11111111-2222-3333-4444-555555555555", "test-app-password"
OID = "aad-object-id-of-the-nurse"
GOOD, GOOD_JWK = new_key("key-1")
ROGUE, _ = new_key("key-1")  # same key id, another key: a forged signature
NEXT, NEXT_JWK = new_key("key-2")  # after Microsoft rotates its keys
_apps = itertools.count()
Sanic.test_mode = True  # Sanic's own switch for starting several apps in one process, as its test client does


@pytest.fixture
def fake():
    server = FakeMicrosoft(APP_ID, PASSWORD, jwks={"keys": [GOOD_JWK]}).start()
    yield server
    server.stop()


class InProcessUsers(TeamsUsers):
    """The backend's POST /identities/teams/resolve, in process: one known e-mail, links on first use."""

    ACCOUNTS = {"nurse@example.org": 7}

    def __init__(self, connector) -> None:
        super().__init__("http://backend.invalid", "service-token", connector)
        self.links: dict[str, int] = {}
        self.asked: list[tuple[str, str | None]] = []

    async def _ask(self, oid: str, email: str | None) -> httpx.Response:
        self.asked.append((oid, email))
        if oid in self.links:
            return httpx.Response(200, json={"account_id": self.links[oid]})
        account = self.ACCOUNTS.get((email or "").lower())
        if account is None:
            return httpx.Response(404, json={"detail": "No active staff account for this user"})
        if account in self.links.values():
            return httpx.Response(409, json={"detail": "linked to another user"})
        self.links[oid] = account
        return httpx.Response(200, json={"account_id": account})


def channel(fake: FakeMicrosoft, **kwargs: Any) -> TeamsInput:
    ch = TeamsInput(APP_ID, PASSWORD, backend_url="http://backend.invalid", service_token="service-token",
                    openid_url=fake.openid_url, token_url=fake.token_url, service_urls=("http://127.0.0.1:*",),
                    **kwargs)
    ch.users = InProcessUsers(ch.connector)
    return ch


def activity(fake: FakeMicrosoft, text: str = "hello", conversation: str = "a:1personal-chat-Xy9",
             user: str = "29:1user-A", oid: str | None = OID, email: str | None = "nurse@example.org",
             **override: Any) -> dict[str, Any]:
    """An activity as Teams sends it in a one-to-one chat."""
    sender = {"id": user, "name": "Nurse Example", "aadObjectId": oid}
    if email:
        sender["email"] = email
    body = {
        "type": "message", "id": f"{time.time_ns()}", "timestamp": "2026-11-23T10:00:00.000Z",
        "serviceUrl": fake.service_url, "channelId": "msteams", "from": sender,
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": "tenant-a"},
        "recipient": {"id": f"28:{APP_ID}", "name": "Patient safety"}, "text": text, "textFormat": "plain",
        "locale": "en-GB", "channelData": {"tenant": {"id": "tenant-a"}},
    }
    body.update(override)
    return body


def token(fake: FakeMicrosoft, key: Any = GOOD, kid: str = "key-1", **claim_override: Any) -> str:
    return sign(key, kid, claims(APP_ID, fake.service_url, **claim_override))


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": f"You said: {message.text}"})


@asynccontextmanager
async def serve(ch: TeamsInput, handler=echo):
    """The channel's blueprint on a real Sanic server, as Rasa mounts it; yields (client, messages received)."""
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await handler(message)

    app = Sanic(f"teams-test-{next(_apps)}")
    app.blueprint(ch.blueprint(on_new_message), url_prefix=f"/webhooks/{ch.name()}")
    async with serving(app) as port, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/webhooks/botframework", timeout=30) as client:
        yield client, received


def post(ch: TeamsInput, *calls: tuple[dict, dict], handler=echo) -> tuple[list[httpx.Response], list[UserMessage]]:
    async def run():
        async with serve(ch, handler) as (client, received):
            return [await client.post("/webhook", json=body, headers=headers) for body, headers in calls], received

    return asyncio.run(run())


def test_a_valid_activity_reaches_the_assistant_as_the_linked_staff_account(fake):
    ch = channel(fake)
    act = activity(fake, text="a patient fell on ward 3")
    (r,), received = post(ch, (act, bearer(token(fake))))
    assert r.status_code == 200
    [msg] = received
    assert (msg.text, msg.sender_id, msg.input_channel, msg.metadata) == (
        "a patient fell on ward 3", "a:1personal-chat-Xy9", "botframework", {"account_id": 7})
    [reply] = fake.replies
    # Posted as a reply to that activity, with the bot's token from the client-credentials grant.
    conversation = urllib.parse.quote("a:1personal-chat-Xy9", safe="")  # ':' escaped in the path
    assert reply["path"] == f"/teams/v3/conversations/{conversation}/activities/{act['id']}"
    assert reply["body"]["replyToId"] == act["id"] and reply["body"]["text"] == "You said: a patient fell on ward 3"
    assert reply["body"]["from"] == act["recipient"] and reply["body"]["recipient"] == act["from"]
    assert fake.tokens_issued == 1


def test_the_conversation_not_the_user_keys_the_assistant_conversation(fake):
    ch = channel(fake)
    _, received = post(ch, (activity(fake, conversation="a:chat-1"), bearer(token(fake))),
                       (activity(fake, conversation="a:chat-1"), bearer(token(fake))),
                       (activity(fake, conversation="a:chat-2"), bearer(token(fake))))
    assert [m.sender_id for m in received] == ["a:chat-1", "a:chat-1", "a:chat-2"]
    assert fake.tokens_issued == 1 and fake.key_fetches == 1  # bot token and signing keys are cached


@pytest.mark.parametrize("case, status, reason", [
    ("missing", 401, "bearer token is required"), ("not bearer", 401, "bearer token is required"),
    ("garbage", 401, "malformed"), ("expired", 401, "Signature has expired"),
    ("wrong signature", 401, "Signature verification failed"), ("wrong audience", 401, "Audience doesn't match"),
    ("wrong issuer", 401, "Invalid issuer"), ("no expiry", 401, 'missing the "exp" claim'),
    ("symmetric algorithm", 401, "not signed with RS256"),
    ("service url not allowed", 403, "serviceUrl is not an allowed"),
    ("token for another service url", 403, "issued for another serviceUrl"),
    ("key not endorsed for channel", 403, "not endorsed for this channel"),
])
def test_activities_that_are_not_from_bot_framework_for_this_bot_are_refused(fake, case, status, reason):
    act = activity(fake)
    good = token(fake)
    headers = {
        "missing": {}, "not bearer": {"Authorization": f"Basic {good}"}, "garbage": bearer("not.a.jwt"),
        "expired": bearer(token(fake, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200)),
        "wrong signature": bearer(token(fake, key=ROGUE)),
        "wrong audience": bearer(token(fake, aud="some-other-bot")),
        "wrong issuer": bearer(token(fake, iss="https://sts.windows.net/evil/")),
        "no expiry": bearer(token(fake, exp=None)),
        "symmetric algorithm": bearer(jwt.encode(claims(APP_ID, fake.service_url), "k" * 32, headers={"kid": "key-1"})),
    }.get(case, bearer(good))
    if case == "service url not allowed":
        act["serviceUrl"] = "https://attacker.example.com/"
        headers = bearer(token(fake, serviceurl=act["serviceUrl"]))
    if case == "token for another service url":
        headers = bearer(token(fake, serviceurl="http://127.0.0.1:1/other/"))
    if case == "key not endorsed for channel":
        act["channelId"] = "skype"
    (r,), received = post(channel(fake), (act, headers))
    assert r.status_code == status and reason in r.json()["error"], r.text
    assert received == [] and fake.replies == [] and fake.tokens_issued == 0


def test_keys_are_fetched_on_first_use_not_at_start_and_refreshed_for_an_unknown_key(fake):
    offline = TeamsInput.from_credentials({"app_id": APP_ID, "app_password": PASSWORD, "service_token": "s",
                                           "openid_url": "http://127.0.0.1:9/unreachable"})
    assert offline.configured  # constructed without any network access: `rasa run` starts offline
    ch = channel(fake, keys=SigningKeys(fake.openid_url, min_refresh=0))
    assert fake.key_fetches == 0
    (first,), _ = post(ch, (activity(fake), bearer(token(fake))))
    assert first.status_code == 200 and fake.key_fetches == 1
    fake.jwks = {"keys": [GOOD_JWK, NEXT_JWK]}  # Microsoft rotates: a token names a key we have not seen
    (rotated,), _ = post(ch, (activity(fake), bearer(token(fake, key=NEXT, kid="key-2"))))
    assert rotated.status_code == 200 and fake.key_fetches == 2
    (unknown,), _ = post(ch, (activity(fake), bearer(token(fake, key=NEXT, kid="key-3"))))
    assert unknown.status_code == 401 and fake.key_fetches == 3  # refreshed once, still unknown


def test_unknown_key_ids_do_not_make_us_refetch_within_a_minute(fake):
    ch = channel(fake)
    calls = [(activity(fake), bearer(token(fake, key=NEXT, kid=f"made-up-{i}"))) for i in range(3)]
    responses, _ = post(ch, *calls)
    assert [r.status_code for r in responses] == [401, 401, 401] and fake.key_fetches == 1


def test_unreachable_keys_mean_try_again_later(fake):
    ch = channel(fake, keys=SigningKeys("http://127.0.0.1:9/unreachable"))
    (r,), received = post(ch, (activity(fake), bearer(token(fake))))
    assert r.status_code == 503 and received == []


def test_an_unconfigured_channel_refuses_everything(fake, monkeypatch):
    for name in ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    ch = TeamsInput.from_credentials(None)
    (r,), received = post(ch, (activity(fake), bearer(token(fake))))
    assert r.status_code == 503 and received == []


def test_an_unknown_user_is_told_how_to_get_an_account_and_nothing_reaches_the_assistant(fake):
    (r,), received = post(channel(fake), (activity(fake, email="locum@example.org"), bearer(token(fake))))
    assert r.status_code == 200 and received == []
    [reply] = fake.replies
    assert "can't find a staff account for you (locum@example.org)" in reply["body"]["text"]
    assert "admin" in reply["body"]["text"]


def test_the_email_comes_from_the_roster_when_the_activity_has_none_and_the_link_is_reused(fake):
    fake.members["29:1user-A"] = {"id": "29:1user-A", "name": "Nurse Example", "aadObjectId": OID,
                                  "email": "Nurse@Example.org", "userPrincipalName": "nurse@example.org"}
    ch = channel(fake)
    no_email = activity(fake, email=None)
    _, received = post(ch, (no_email, bearer(token(fake))), ({**no_email, "id": "2"}, bearer(token(fake))))
    assert [m.metadata for m in received] == [{"account_id": 7}, {"account_id": 7}]
    # First message: not linked, so the roster's e-mail links it; the second is answered from the cache.
    assert ch.users.asked == [(OID, None), (OID, "Nurse@Example.org")]


def test_a_user_without_a_directory_identity_or_with_a_taken_account_is_refused(fake):
    ch = channel(fake)
    ch.users.links["someone-else"] = 7
    _, received = post(ch, (activity(fake, oid=None), bearer(token(fake))), (activity(fake), bearer(token(fake))))
    assert received == []
    assert "can't find a staff account" in fake.replies[0]["body"]["text"]
    assert "already linked to a different Teams user" in fake.replies[1]["body"]["text"]


def test_group_chats_and_channels_are_refused_in_favour_of_a_one_to_one_chat(fake):
    group = activity(fake, conversation="19:abc@thread.v2")
    group["conversation"].update(conversationType="groupChat", isGroup=True)
    (r,), received = post(channel(fake), (group, bearer(token(fake))))
    assert r.status_code == 200 and received == []
    assert fake.replies[0]["body"]["text"] == PERSONAL_ONLY


def test_tenants_can_be_restricted(fake):
    ch = channel(fake, tenants=("tenant-b",))
    (r,), received = post(ch, (activity(fake), bearer(token(fake))))
    assert r.status_code == 403 and received == []


def test_retries_and_non_message_activities_do_not_reach_the_assistant(fake):
    act = activity(fake)
    update = activity(fake, type="conversationUpdate", text=None, membersAdded=[{"id": f"28:{APP_ID}"}])
    responses, received = post(channel(fake), (act, bearer(token(fake))), (act, bearer(token(fake))),
                               (update, bearer(token(fake))))
    assert [r.status_code for r in responses] == [200, 200, 200] and len(received) == 1


def test_a_slow_turn_is_acknowledged_at_once_and_replies_follow(fake):
    # The turn is held until the test has seen the acknowledgement: no race with the machine's speed.
    acknowledged = asyncio.Event()

    async def slow(message: UserMessage) -> None:
        await acknowledged.wait()
        await echo(message)

    async def run():
        async with serve(channel(fake, reply_within=0.05), slow) as (client, _):
            act = activity(fake)
            r = await client.post("/webhook", json=act, headers=bearer(token(fake)))
            assert r.status_code == 202 and fake.replies == []
            acknowledged.set()
            conversation = act["conversation"]["id"]
            for _ in range(600):  # at most 30 s on a busy machine; usually the first look
                if fake.replies_to(conversation):
                    break
                await asyncio.sleep(0.05)
            assert [b["text"] for b in fake.replies_to(conversation)] == ["You said: hello"]

    asyncio.run(run())


def test_choices_are_hero_card_buttons_that_reply_with_their_value(fake):
    labels = ["Nurse or midwife", "Doctor", "Pharmacist", "Allied health", "Healthcare assistant", "Admin",
              "Student", "Other"]

    async def ask(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {
            "text": "What is your role?\n1. first line\n2. second line",
            "buttons": [{"title": label, "payload": label} for label in labels],
        })
        await message.output_channel.send_response(message.sender_id, {
            "text": "Ready to send it?",
            "buttons": [{"title": "Yes, submit", "payload": "yes"},
                        {"title": "Guidance", "type": "web_url", "url": "https://example.org/g"}],
        })

    post(channel(fake), (activity(fake), bearer(token(fake))), handler=ask)
    role, submit = [r["body"] for r in fake.replies]
    assert role["attachmentLayout"] == "list"
    first, second = role["attachments"]
    assert first["contentType"] == "application/vnd.microsoft.card.hero"
    assert first["content"]["text"] == "What is your role?\n\n1. first line\n\n2. second line"
    assert [b["title"] for b in first["content"]["buttons"]] == labels[:6]  # Teams shows six per card
    assert second["content"] == {"buttons": [{"type": "imBack", "title": t, "value": t} for t in labels[6:]]}
    assert submit["attachments"][0]["content"]["buttons"] == [
        {"type": "imBack", "title": "Yes, submit", "value": "yes"},
        {"type": "openUrl", "title": "Guidance", "value": "https://example.org/g"},
    ]


def test_a_refused_reply_is_logged_not_raised_into_the_turn(fake):
    fake.reply_status = 400
    (r,), received = post(channel(fake), (activity(fake), bearer(token(fake))))
    assert r.status_code == 200 and len(received) == 1 and len(fake.replies) == 1


@pytest.mark.parametrize("url, allowed", [
    ("https://smba.trafficmanager.net/emea/", True), ("https://smba.trafficmanager.net/amer/", True),
    ("https://europe.webchat.botframework.com/", False), ("https://directline.botframework.com/", False),
    ("https://SMBA.trafficmanager.net/uk/", True),
    ("http://smba.trafficmanager.net/emea/", False), ("https://smba.trafficmanager.net.evil.example/", False),
    ("https://evil.example/smba.trafficmanager.net/", False), ("https://smba.trafficmanager.net@evil.example/", False),
    ("https://botframework.com.evil.example/", False), ("https://smba.trafficmanager.net:8443/", False),
    ("not a url", False), ("https://[::1/", False),
])
def test_the_default_service_url_allowlist(url, allowed):
    assert service_url_allowed(url, SERVICE_URLS) is allowed


def test_only_teams_activities_are_accepted(fake):
    """Web Chat and Direct Line clients write their own `from` (name, aadObjectId, e-mail): an activity
    from any channel but Teams never reaches the user lookup (issue 15). Microsoft's keys are endorsed
    for many channels at once, so the endorsement check alone does not stop them."""
    _, shared_jwk = new_key("key-3", ("msteams", "webchat", "directline", "emulator"))
    shared_jwk = {**GOOD_JWK, "kid": "key-3", "endorsements": shared_jwk["endorsements"]}
    fake.jwks = {"keys": [GOOD_JWK, shared_jwk]}
    for channel_id in ("webchat", "directline", "emulator"):
        act = activity(fake, channelId=channel_id)
        (r,), received = post(channel(fake), (act, bearer(token(fake, kid="key-3"))))
        assert r.status_code == 403 and "Only Microsoft Teams" in r.json()["error"], channel_id
        assert received == [] and fake.replies == []


def test_production_refuses_to_start_without_tenants(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("TEAMS_TENANT_IDS", raising=False)
    settings = {"app_id": APP_ID, "app_password": PASSWORD, "service_token": "s"}
    with pytest.raises(ValueError, match="TEAMS_TENANT_IDS must be set in production"):
        TeamsInput.from_credentials(settings)
    assert TeamsInput.from_credentials({**settings, "tenants": "tenant-a"}).tenants == {"tenant-a"}
    assert not TeamsInput.from_credentials({}).configured  # an unconfigured channel needs none: it refuses all
