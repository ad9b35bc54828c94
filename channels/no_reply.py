"""No message goes unanswered: when the assistant says nothing at all to a message, or handling it
fails, the channel says sorry and asks for the message again, instead of leaving the reporter with
silence (issue 6, resilience).

Rasa 3.6 keeps going when a custom action fails: if the action server cannot be reached (down,
restarting, killed mid-call), `RemoteAction.run` raises, and `MessageProcessor._run_action` logs
"Encountered an exception while running action ... the actions events are lost" and carries on as if
the action had returned nothing. The form or question the reporter is answering is what the action
server runs, so the turn ends with no reply: an empty list on the REST channel, nothing on the others.
An exception from the processor itself (the tracker or lock store unreachable) would reach the
channel's webhook as a 500, which Twilio and Bot Framework do not pass on to the person either.

Every answer the reporter was told was saved is in the backend draft (the backend saves an answer
before the assistant moves on to the next question), and answers are idempotent, so sending the last
message again is always safe. Each channel wraps the handler it is given:

    def blueprint(self, on_new_message):
        on_new_message = no_reply.guard(on_new_message)
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

logger = logging.getLogger(__name__)

NO_REPLY = ("Sorry, something went wrong on my side. Everything you've already told me is kept. "
            "Please send your last message again in a moment.")

Handler = Callable[[UserMessage], Awaitable[Any]]


def guard(on_new_message: Handler) -> Handler:
    """`on_new_message`, but a message that got no reply at all, or whose handling raised, is answered
    with NO_REPLY on the message's own output channel (so in the channel's usual shape: the REST list,
    TwiML, speech, a Teams activity, a socket.io event)."""

    async def handle(message: UserMessage) -> Any:
        output = message.output_channel
        send, own = output.send_response, "send_response" in vars(output)
        sent = 0

        async def counted(recipient_id: str, reply: dict[str, Any]) -> None:
            nonlocal sent
            sent += 1
            await send(recipient_id, reply)

        output.send_response = counted  # type: ignore[method-assign]  # this message's output channel only
        result, failed = None, False
        try:
            result = await on_new_message(message)
        except Exception:  # noqa: BLE001 - answered below; the webhook must not fail silently
            logger.exception("handling a message from %s failed; asked the sender to send it again",
                             message.sender_id)
            failed = True
        finally:
            if own:
                output.send_response = send  # type: ignore[method-assign]
            else:
                del output.send_response
        if failed or not sent:
            if not failed:
                logger.error("the assistant gave no reply to a message from %s (is the action server up?); "
                             "asked the sender to send it again", message.sender_id)
            await send(message.sender_id, {"text": NO_REPLY})
            if isinstance(output, CollectingOutputChannel):
                return output.messages
        return result

    return handle
