"""A message the assistant could not deal with is answered, not dropped: when an action fails during
the turn (the action server down, restarting, killed mid-call, or an action crashing) or handling the
message raises, the channel says sorry and asks for the message again (issue 6, resilience).

Rasa 3.6 keeps going when an action fails: `RemoteAction.run` raises (it cannot connect, or the
action server answers 500), and `MessageProcessor._run_action` logs "Encountered an exception while
running action ..." and carries on as if the action had returned nothing. The form or question the
reporter is answering is what the action server runs, so the turn ends without a reply: an empty list
on the REST channel, nothing at all on the others. An exception from the processor itself (the
tracker or lock store unreachable) would reach the channel's webhook as a 500.

The failure is seen through that log record (a filter on Rasa's `rasa.core.processor` logger; it
only observes), so a turn in which the assistant deliberately says nothing is left as it was.

Every answer the reporter was told was saved is in the backend draft (the backend saves an answer
before the assistant moves on to the next question), and answers are idempotent, so sending the last
message again is safe. A channel wraps the handler it is given:

    def blueprint(self, on_new_message):
        on_new_message = guard(on_new_message)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from wording.render import say

logger = logging.getLogger(__name__)

NO_REPLY = say("channel_no_reply", "public", "screen")

Handler = Callable[[UserMessage], Awaitable[Any]]

# What rasa.core.processor.MessageProcessor._run_action logs (rasa 3.6) when an action raised.
ACTION_FAILED = "Encountered an exception while running action"
_failures: ContextVar[list[str] | None] = ContextVar("lfpse_action_failures", default=None)


class _ActionFailures(logging.Filter):
    """Notes, for the message being handled in this task, that an action failed. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        failures = _failures.get()
        if failures is not None and isinstance(record.msg, str) and record.msg.startswith(ACTION_FAILED):
            failures.append(record.getMessage())
        return True


def _watch_processor() -> None:
    processor_log = logging.getLogger("rasa.core.processor")
    if not any(isinstance(f, _ActionFailures) for f in processor_log.filters):
        processor_log.addFilter(_ActionFailures())


def guard(on_new_message: Handler, reraise: bool = False) -> Handler:
    """`on_new_message`, but when an action failed during the turn, or handling the message raised,
    NO_REPLY is added on the message's own output channel (so in the channel's usual shape: the REST
    list, TwiML, speech, a Teams activity, a socket.io event). With `reraise`, an exception is left
    to the channel (SMS answers it itself and lets Twilio's retry of the message through)."""
    _watch_processor()

    async def handle(message: UserMessage) -> Any:
        failures: list[str] = []
        token = _failures.set(failures)
        result = None
        try:
            result = await on_new_message(message)
        except Exception:
            if reraise:
                raise
            # The channel, never the sender: a sender id may be a phone number (no personal data in logs).
            logger.exception("handling a %s message failed; asked the sender to send it again",
                             message.input_channel)
            failures.append("raised")
        finally:
            _failures.reset(token)
        if not failures:
            return result
        logger.error("%d action(s) failed while handling a %s message (is the action server up?); asked "
                     "the sender to send it again", len(failures), message.input_channel)
        output = message.output_channel
        await output.send_response(message.sender_id, {"text": NO_REPLY})
        return output.messages if isinstance(output, CollectingOutputChannel) else result

    return handle
