"""Who the conversation is with, and the small helpers every form shares."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction

CHANNELS = {"rest": "chat", "socketio": "chat", "botframework": "teams", "twilio": "sms", "twilio_voice": "voice"}


def audience(tracker: Tracker) -> str:
    return "staff" if tracker.get_slot("account_id") else "public"


def act_as(tracker: Tracker) -> str:
    """The backend identity: a verified staff account, or the public conversation's own key."""
    account = tracker.get_slot("account_id")
    if account:
        return f"account:{account}"
    channel = tracker.get_latest_input_channel() or "chat"
    return f"public:{channel}:{tracker.sender_id}"


def channel_name(tracker: Tracker) -> str:
    return CHANNELS.get(tracker.get_latest_input_channel() or "", "api")


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def resume_loop(tracker: Tracker) -> list[dict[str, Any]]:
    """After a digression, go back to the form that was running, if any."""
    loop = tracker.active_loop_name
    return [FollowupAction(loop)] if loop else []


def words(tracker: Tracker, staff: str, public: str) -> str:
    return public if audience(tracker) == "public" else staff
