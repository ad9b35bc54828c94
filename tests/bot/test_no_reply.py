"""channels/no_reply.py on its own: a turn in which an action failed, or whose handling raised, gets
the apology on its own output channel; any other turn is left exactly as the assistant made it.
(tests/e2e/test_resilience.py kills the real action server under the real Rasa server.)"""

from __future__ import annotations

import asyncio
import inspect
import logging

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor

from channels.no_reply import ACTION_FAILED, NO_REPLY, guard

processor_log = logging.getLogger("rasa.core.processor")


def turn(handler, text: str = "hello", sender: str = "someone") -> list[dict]:
    collector = CollectingOutputChannel()
    asyncio.run(guard(handler)(UserMessage(text, collector, sender)))
    return collector.messages


async def says_hello(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "Hello."})


async def action_fails(message: UserMessage) -> None:
    try:
        raise ConnectionRefusedError("the action server is down")
    except ConnectionRefusedError:
        processor_log.exception(f"{ACTION_FAILED} 'report_form'.Bot will continue, but the actions events are lost.")


def test_a_turn_whose_action_failed_gets_the_apology_instead_of_silence():
    assert turn(action_fails) == [{"recipient_id": "someone", "text": NO_REPLY}]


def test_a_turn_that_raises_gets_the_apology():
    async def raises(message: UserMessage) -> None:
        raise RuntimeError("the tracker store is unreachable")

    assert turn(raises) == [{"recipient_id": "someone", "text": NO_REPLY}]


def test_what_the_assistant_said_is_kept_and_the_apology_follows_it():
    async def says_then_fails(message: UserMessage) -> None:
        await says_hello(message)
        await action_fails(message)

    assert [m["text"] for m in turn(says_then_fails)] == ["Hello.", NO_REPLY]


def test_other_turns_are_untouched_including_a_deliberate_silence():
    assert turn(says_hello) == [{"recipient_id": "someone", "text": "Hello."}]

    async def silent(message: UserMessage) -> None:
        processor_log.error("some other error, not an action failing")

    assert turn(silent) == []


def test_a_failure_in_one_conversation_does_not_reach_another_handled_at_the_same_time():
    async def slow_then(fail: bool, message: UserMessage) -> None:
        await asyncio.sleep(0.05)
        await (action_fails if fail else says_hello)(message)

    async def both() -> tuple[list[dict], list[dict]]:
        a, b = CollectingOutputChannel(), CollectingOutputChannel()
        await asyncio.gather(guard(lambda m: slow_then(True, m))(UserMessage("x", a, "a")),
                             guard(lambda m: slow_then(False, m))(UserMessage("y", b, "b")))
        return a.messages, b.messages

    failed, fine = asyncio.run(both())
    assert [m["text"] for m in failed] == [NO_REPLY] and [m["text"] for m in fine] == ["Hello."]


def test_guarding_twice_watches_rasa_once():
    guard(says_hello), guard(says_hello)
    assert sum(type(f).__name__ == "_ActionFailures" for f in processor_log.filters) == 1


def test_rasa_still_logs_a_failed_action_the_way_the_filter_looks_for():
    """The filter recognises the processor's own message; a Rasa upgrade that rewords it fails here."""
    source = inspect.getsource(MessageProcessor._run_action)
    assert f'f"{ACTION_FAILED}' in source and "logger.exception(" in source


def test_the_log_never_holds_the_sender(caplog):
    """A sender id may be a phone number: channels/no_reply.py logged it on every failure (issue 16)."""
    async def raises(message: UserMessage) -> None:
        raise RuntimeError("the tracker store is unreachable")

    with caplog.at_level(logging.INFO):
        turn(raises, sender="+447700900123")
        turn(action_fails, sender="+447700900123")
    assert caplog.records and all("447700900123" not in r.getMessage() for r in caplog.records)
