"""Microsoft Teams, through Bot Framework, for clinicians.

Fixes Rasa 3.6.21's `botframework` connector: every activity's token is checked (signature, issuer,
audience, expiry; keys fetched on first use, so `rasa run` starts offline), only Teams activities
(channelId "msteams") from Teams' service URLs are accepted (other Bot Framework channels let the
client write the user's identity; our bot token is sent to the serviceUrl), in production only from
the configured tenants (it refuses to start without them), the conversation is keyed on the Teams
conversation rather than the user, the user must map to a staff account (linked on first use by the
backend) before anything reaches the assistant, and choices are card buttons. Named `botframework`
so the webhook is /webhooks/botframework/webhook and the assistant records the channel as "teams".

Each Teams conversation is held to the per-sender rate limit (channels/rate_limit.py): the first
activity over it gets a polite reply, later ones none (each reply is a call to Bot Framework) until
it is let through again; none reaches the assistant. A message with no words (a file or picture
alone) is told so; control and bidi-override characters are removed from the text."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import rasa_speedups
from channels.input_text import EMPTY, too_long, words
from channels.no_reply import guard
from channels.rate_limit import SLOW_DOWN, RateLimiter
from channels.structured import for_screen
from channels.teams_auth import OPENID_URL, SERVICE_URLS, TEAMS_CHANNEL, Refused, SigningKeys, TokenValidator
from channels.teams_connector import TOKEN_URL, Connector
from channels.teams_users import BackendUnavailable, NotStaff, TeamsUsers
from wording.render import say

logger = logging.getLogger(__name__)

MAX_TEXT = 10_000
MAX_CARD_BUTTONS = 6  # Teams shows at most six buttons on a hero card; more go on further cards
SEEN_ACTIVITIES = 10_000
PERSONAL_ONLY = say("channel_personal_only", "staff", "screen")
TOO_LONG = too_long(MAX_TEXT)
UNAVAILABLE = say("channel_unavailable", "staff", "screen")


def _markdown(text: str) -> str:
    # Teams' markdown joins single line breaks; the assistant's lists and recaps need each line kept.
    return re.sub(r"(?<!\n)\n(?!\n)", "\n\n", text.strip())


def card_action(button: dict[str, Any]) -> dict[str, Any]:
    title = str(button.get("title") or button.get("payload") or "")
    if button.get("type") == "web_url" and button.get("url"):
        return {"type": "openUrl", "title": title, "value": button["url"]}
    # imBack posts the value into the chat as the user's own reply, which is what the assistant reads.
    return {"type": "imBack", "title": title, "value": str(button.get("payload") or title)}


def hero_cards(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """A message whose choices are hero card buttons: the text on the first card, six buttons per card."""
    actions = [card_action(b) for b in buttons]
    chunks = [actions[i:i + MAX_CARD_BUTTONS] for i in range(0, len(actions), MAX_CARD_BUTTONS)] or [[]]
    cards = [{"contentType": "application/vnd.microsoft.card.hero",
              "content": {"text": _markdown(text), "buttons": chunks[0]}}]
    cards += [{"contentType": "application/vnd.microsoft.card.hero", "content": {"buttons": c}} for c in chunks[1:]]
    return {"attachmentLayout": "list", "attachments": cards}


class TeamsOutput(OutputChannel):
    """Replies to one incoming activity, in its conversation."""

    @classmethod
    def name(cls) -> str:
        return "botframework"

    def __init__(self, connector: Connector, activity: dict[str, Any]) -> None:
        self.connector, self.activity = connector, activity

    async def _send(self, message: dict[str, Any]) -> None:
        # A failed delivery is logged, never raised: the turn (and its saved answer) must still complete.
        await self.connector.reply(self.activity, message)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        # Rendered for screens from the structured message: text, and its choices as card buttons.
        await super().send_response(recipient_id, for_screen(message, keep_structured=False))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send({"text": _markdown(text), "textFormat": "markdown"})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        await self._send(hero_cards(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send({"attachments": [{"contentType": "application/vnd.microsoft.card.hero",
                                           "content": {"images": [{"url": image}]}}]})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        # Custom payloads are Bot Framework activity fields (e.g. an Adaptive Card attachment).
        await self._send(dict(json_message))


def _env_list(value: str | list[str] | None) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return tuple(v for v in re.split(r"[,\s]+", value or "") if v)


class TeamsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "botframework"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TeamsInput:
        """Each setting from credentials.yml, else its environment variable (see README, "Microsoft Teams")."""
        rasa_speedups.apply()  # Rasa is building its channels: its speed fixes, checked (loud if they do not fit)
        c, env = credentials or {}, os.environ.get
        return cls(
            app_id=c.get("app_id") or env("TEAMS_APP_ID", ""),
            app_password=c.get("app_password") or env("TEAMS_APP_PASSWORD", ""),
            backend_url=c.get("backend_url") or env("BACKEND_URL", "http://127.0.0.1:8000"),
            service_token=c.get("service_token") or env("SERVICE_TOKEN", ""),
            openid_url=c.get("openid_url") or env("TEAMS_OPENID_URL") or OPENID_URL,
            token_url=c.get("token_url") or env("TEAMS_TOKEN_URL") or TOKEN_URL,
            service_urls=_env_list(c.get("service_urls") or env("TEAMS_SERVICE_URLS")) or SERVICE_URLS,
            tenants=_env_list(c.get("tenants") or env("TEAMS_TENANT_IDS")),
            reply_within=float(c.get("reply_within") or env("TEAMS_REPLY_WITHIN_SECONDS") or 10),
            require_tenants=env("ENVIRONMENT") == "production",
        )

    def __init__(self, app_id: str, app_password: str, backend_url: str, service_token: str,
                 openid_url: str = OPENID_URL, token_url: str = TOKEN_URL,
                 service_urls: tuple[str, ...] = SERVICE_URLS, tenants: tuple[str, ...] = (),
                 reply_within: float = 10.0, keys: SigningKeys | None = None, require_tenants: bool = False) -> None:
        # Nothing is fetched here: keys and tokens are fetched on first use, so Rasa starts offline.
        self.configured = bool(app_id and app_password and service_token)
        if self.configured and require_tenants and not tenants:
            # A multi-tenant bot registration accepts users of any Entra tenant: in production only ours.
            raise ValueError("TEAMS_TENANT_IDS must be set in production: the Entra tenants whose users may report")
        if not self.configured:
            logger.warning("Teams channel not configured (TEAMS_APP_ID, TEAMS_APP_PASSWORD, SERVICE_TOKEN): "
                           "it refuses every activity")
        self.validator = TokenValidator(app_id, keys or SigningKeys(openid_url), tuple(service_urls))
        self.connector = Connector(app_id, app_password, token_url)
        self.users = TeamsUsers(backend_url, service_token, self.connector)
        self.tenants = frozenset(tenants)
        # Bot Framework gives up after about 15 s and may send the activity again; a slower turn carries on
        # in the background, and an activity already seen is not processed twice.
        self.reply_within = reply_within
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._running: set[asyncio.Task] = set()
        self.limiter = RateLimiter.from_env()

    def _first_time(self, conversation: str, activity_id: str) -> bool:
        key = (conversation, activity_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > SEEN_ACTIVITIES:
            self._seen.popitem(last=False)
        return True

    async def _handle(self, activity: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        conversation = activity["conversation"]
        reply = self.connector.reply
        try:
            verdict = self.limiter.check(conversation["id"])
            if not verdict.allowed:
                if verdict.tell:
                    await reply(activity, {"text": SLOW_DOWN})
                return
            if conversation.get("isGroup") or conversation.get("conversationType", "personal") != "personal":
                # One Rasa conversation per Teams conversation: in a group it would mix up people.
                await reply(activity, {"text": PERSONAL_ONLY})
                return
            text = activity.get("text")
            text = words(text).strip() if isinstance(text, str) else ""
            if not text:  # e.g. a file or a picture alone (reactions are not messages)
                await reply(activity, {"text": EMPTY})
                return
            if len(text) > MAX_TEXT:
                await reply(activity, {"text": TOO_LONG})
                return
            try:
                account = await self.users.account_for(activity)
            except NotStaff as exc:
                await reply(activity, {"text": str(exc)})
                return
            except BackendUnavailable as exc:
                logger.error("Teams user lookup failed: %s", exc)
                await reply(activity, {"text": UNAVAILABLE})
                return
            await on_new_message(UserMessage(
                text, TeamsOutput(self.connector, activity), conversation["id"], input_channel=self.name(),
                metadata={"account_id": account},
            ))
        except Exception:  # a background turn has no one else to report to
            logger.exception("Teams activity %s could not be handled", activity.get("id"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guard(on_new_message)  # a failed action still gets a reply (channels/no_reply.py)
        hook = Blueprint("teams_botframework", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.configured else "not configured"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"error": "The Teams channel is not configured"}, status=503)
            try:
                activity = request.json
            except Exception:  # Sanic raises on a body that is not JSON
                activity = None
            if not isinstance(activity, dict):
                return response.json({"error": "An activity (JSON object) is required"}, status=400)
            try:
                await self.validator.check(request.headers.get("Authorization"), activity)
            except Refused as exc:
                logger.warning("Teams activity refused (%d): %s", exc.status, exc.reason)
                return response.json({"error": exc.reason}, status=exc.status)
            if activity.get("channelId") != TEAMS_CHANNEL:  # other channels' clients write their own `from`
                return response.json({"error": "Only Microsoft Teams activities are accepted"}, status=403)
            tenant = ((activity.get("channelData") or {}).get("tenant") or {}).get("id") \
                or (activity.get("conversation") or {}).get("tenantId")
            if self.tenants and tenant not in self.tenants:
                return response.json({"error": "This organisation's tenant is not served here"}, status=403)
            if activity.get("type") != "message":
                return response.json({})  # conversationUpdate, typing, reactions: nothing to do
            conversation, activity_id = (activity.get("conversation") or {}).get("id"), activity.get("id")
            if not isinstance(conversation, str) or not conversation or not isinstance(activity_id, str) \
                    or not isinstance(activity.get("from"), dict):
                return response.json({"error": "The activity needs id, conversation.id and from"}, status=400)
            if not self._first_time(conversation, activity_id):
                return response.json({})  # a retry of an activity we already have
            task = asyncio.ensure_future(self._handle(activity, on_new_message))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            done, _ = await asyncio.wait({task}, timeout=self.reply_within)
            return response.json({}, status=200 if done else 202)

        return hook
