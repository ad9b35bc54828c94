"""The assistant's replies as each channel receives them: a structured message (wording/message.py)
in Rasa's custom payload, beside a plain text fallback. Channels render the structured message for
their medium; a reply without one (the channel's own, or a plain domain response) is shown as it is."""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel

from wording.message import structured
from wording.render import rendered


class Collector(CollectingOutputChannel):
    """Keeps each reply whole (text, buttons and custom payload together); Rasa's own collector splits
    a reply with a custom payload into two messages."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self._persist_message({"recipient_id": recipient_id, **message})


def for_screen(message: dict[str, Any], keep_structured: bool = True) -> dict[str, Any]:
    """A reply as screens show it: its text and buttons (REST, web chat, Teams); the structured message
    is kept for integrations that render their own (REST), or dropped (a chat client would show it raw)."""
    shown = rendered(message, "screen")
    drop = ("text", "buttons") if keep_structured or structured(message) is None else ("text", "buttons", "custom")
    out = {k: v for k, v in message.items() if k not in drop}
    out["text"] = shown.text
    if shown.buttons:
        out["buttons"] = shown.buttons
    return out
