"""How an action says something: a structured message (wording/message.py) with the screen wording
as its plain text fallback; each channel renders the structured message for its own medium."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import audience
from wording.message import KEY, message, question
from wording.render import render


def utter(dispatcher: CollectingDispatcher, structured: dict[str, Any]) -> None:
    shown = render(structured, "screen")
    dispatcher.utter_message(text=shown.text, buttons=shown.buttons, json_message={KEY: structured})


def say(dispatcher: CollectingDispatcher, tracker: Tracker, message_id: str, **params: Any) -> None:
    """A catalogue message in the reporter's audience, with its parameters."""
    utter(dispatcher, message(message_id, audience(tracker), params=params))


def ask(dispatcher: CollectingDispatcher, tracker: Tracker, q: dict[str, Any]) -> None:
    """A plan question: its text from the plan, its choices, hints per medium."""
    utter(dispatcher, question(q, audience(tracker)))


def choose(dispatcher: CollectingDispatcher, tracker: Tracker, message_id: str, choices: list[dict[str, str]],
           **params: Any) -> None:
    """A catalogue message offering choices made here (drafts, names found)."""
    utter(dispatcher, message(message_id, audience(tracker), params=params, choices=choices))


def listing(dispatcher: CollectingDispatcher, tracker: Tracker, message_id: str, lines: list[dict[str, str]],
            **params: Any) -> None:
    """A catalogue message with rows of answers ({name, value}), and the entry's own choices."""
    utter(dispatcher, message(message_id, audience(tracker), params=params, lines=lines))
