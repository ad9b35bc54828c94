"""Builds rasa_sdk trackers and runs actions against the fake backend."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import set_client
from actions.fake_backend import FakeBackend


def tracker(slots: dict[str, Any] | None = None, text: str = "", intent: str | None = "inform",
            entities: list[dict] | None = None, active_loop: str | None = None, channel: str = "rest",
            sender: str = "conv-1") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    events = [{"event": "user", "text": text, "input_channel": channel, "parse_data": latest}]
    return Tracker(sender, dict(slots or {}), latest, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run(action, t: Tracker, dispatcher: CollectingDispatcher | None = None):
    dispatcher = dispatcher or CollectingDispatcher()
    return asyncio.run(action.run(dispatcher, t, {})), dispatcher


def validate(form_action, slot: str, value: Any, t: Tracker):
    dispatcher = CollectingDispatcher()
    method = getattr(form_action, f"validate_{slot}")
    return asyncio.run(method(value, dispatcher, t, {})), dispatcher


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") for m in dispatcher.messages]


def said(dispatcher: CollectingDispatcher, medium: str) -> list[str]:
    """What each message says on a medium, rendered from its structured message as the channels do."""
    from wording.message import structured
    from wording.render import render
    return [render(structured(m), medium).text for m in dispatcher.messages]


def fake(**kwargs) -> FakeBackend:
    backend = FakeBackend(**kwargs)
    set_client(backend)
    return backend
