"""Fixes for where Rasa 3.6 spends its time on every turn, found by profiling the turn benchmark
(`make bench-turns`; py-spy on the Rasa server). Applied when Rasa imports our channels, which
`rasa run` always does (credentials.yml names them), so every way of starting Rasa gets them.

- Each reply from the action server was checked with `jsonschema.validate`, which re-checks Rasa's
  own (constant, large) events schema against the metaschema on every call: about 14 ms of CPU per
  action call, several calls per turn, most of the Rasa server's time under load. The response is
  still validated, against the same schema, by a validator built once.
- Reading a conversation back from the tracker store looks up each event's class by walking every
  subclass of Event (with an `inspect.isabstract` check each), per event: a tenth of the Rasa
  server's time. The class found for a type name is remembered.
- Every call to the action server carried the whole conversation (every event since it began, each
  SlotSet with its value): JSON-encoding it was a tenth of the Rasa server's time, growing with the
  report. Our actions read slots and the latest message only, and rasa-sdk reads the events since
  the latest user message (the slots a form is validating), so those are the events sent.
- The NLU pipeline (tokenizer, featurizers, DIET in TensorFlow, synonyms, fallback) ran for every
  message, about 4 ms and a third of the Rasa server's time, though most answers are the same few
  words ("yes", "skip", "2"). Its result depends on the text alone (the NLU graph's only inputs are
  the message and the domain), so the parse of a short text is remembered per model: up to
  NLU_CACHE_SIZE texts of at most NLU_CACHE_TEXT characters, least recently used first out, in
  memory only. Descriptions, the long messages, are parsed every time.
- Rasa opened a new HTTP connection (and aiohttp session) for every action call; one session per
  event loop now keeps connections to the action server open.

How they are applied (docs/deployment.md, "Rasa internals"): explicitly, by `apply()`, which the
channels call when Rasa builds them from credentials.yml (rest, socketio, botframework), never as a
side effect of importing. Each patch replaces one Rasa function and is checked first: the Rasa
version must be one they were written for (SUPPORTED_RASA), and the function replaced must still
have the parameters it had; otherwise start-up fails with a message naming the patch and its
switch. RASA_SPEEDUPS_OFF="name,name" (or "all") leaves patches out: action_result_validator,
event_class_cache, action_call_events, endpoint_session, nlu_cache.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import inspect
import logging
import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import rasa
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
_resolve_event_type = Event.resolve_by_type
_event_types: dict[str, type[Event]] = {}


@functools.cache
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as e:  # the same message Rasa gives
        e.message += (". Failed to validate Action server response from API, make sure your response from the "
                      "Action endpoint is valid.")
        raise


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    found = _event_types.get(type_name)
    if found is None:
        found = _resolve_event_type(type_name, default)
        if found is not None and found is not default:  # only what Rasa's own lookup found is remembered
            _event_types[type_name] = found
    return found


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Any) -> dict[str, Any]:
    events = list(tracker.events)
    start = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), 0)
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [e.as_dict() for e in events[start:]]
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state,
              "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


_sessions: dict[int, tuple[Any, aiohttp.ClientSession]] = {}  # endpoint id -> (event loop, session)
_new_session = EndpointConfig.session
# Idle connections are dropped before the action server (Sanic: 5 s) would close them, so a request
# never goes out on a connection the server is closing.
KEEPALIVE_SECONDS = 2.0


class _KeptSession:
    """What `async with endpoint.session()` gets: a session that outlives the block."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _session(self: EndpointConfig) -> Any:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not in a loop: Rasa's own one-off session
        return _new_session(self)
    kept_loop, session = _sessions.get(id(self), (None, None))
    if session is None or session.closed or kept_loop is not loop:
        one_off = _new_session(self)  # Rasa's settings (headers, auth, timeout), with a connection pool
        session = aiohttp.ClientSession(
            headers=one_off.headers, auth=one_off.auth, timeout=one_off.timeout,
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS))
        _sessions[id(self)] = (loop, session)
        loop.create_task(one_off.close())
    return _KeptSession(session)


NLU_CACHE_SIZE = 2048
NLU_CACHE_TEXT = 40
_parse_with_graph = MessageProcessor._parse_message_with_graph
_parsed: OrderedDict[tuple[str, str, bool], dict[str, Any]] = OrderedDict()


def _parse_message_with_graph(self: MessageProcessor, message: Any, tracker: DialogueStateTracker,
                              only_output_properties: bool = True) -> dict[str, Any]:
    text = message.text or ""
    if len(text) > NLU_CACHE_TEXT:
        return _parse_with_graph(self, message, tracker, only_output_properties)
    key = (self.model_metadata.model_id, text, only_output_properties)
    hit = _parsed.get(key)
    if hit is None:
        hit = _parsed[key] = _parse_with_graph(self, message, tracker, only_output_properties)
        if len(_parsed) > NLU_CACHE_SIZE:
            _parsed.popitem(last=False)
    else:
        _parsed.move_to_end(key)
    return copy.deepcopy(hit)  # callers add to what they get


SUPPORTED_RASA = ("3.6.21",)  # the releases these patches were written against and tested on
SWITCH = "RASA_SPEEDUPS_OFF"


class PatchDoesNotApply(RuntimeError):
    """Rasa is not what a patch was written for: fix the patch, or switch it off (SWITCH)."""


@dataclass(frozen=True)
class Patch:
    name: str
    owner: type
    attribute: str
    replacement: Any
    parameters: tuple[str, ...]  # of the function replaced, as Rasa 3.6.21 has it

    def check(self, original: Any) -> None:
        found = tuple(inspect.signature(original).parameters) if callable(original) else None
        if found != self.parameters:
            raise PatchDoesNotApply(
                f"Rasa speed-up '{self.name}': {self.owner.__name__}.{self.attribute} is not the function it was "
                f"written for (parameters {found}, expected {self.parameters}). Update channels/rasa_speedups.py "
                f"or leave it out with {SWITCH}={self.name}.")


PATCHES = (
    Patch("action_result_validator", RemoteAction, "_validate_action_result", _validate_action_result,
          ("self", "result")),
    Patch("event_class_cache", Event, "resolve_by_type", staticmethod(_resolve_by_type), ("type_name", "default")),
    Patch("action_call_events", RemoteAction, "_action_call_format", _action_call_format,
          ("self", "tracker", "domain")),
    Patch("endpoint_session", EndpointConfig, "session", _session, ("self",)),
    Patch("nlu_cache", MessageProcessor, "_parse_message_with_graph", _parse_message_with_graph,
          ("self", "message", "tracker", "only_output_properties")),
)
_originals: dict[str, Any] = {}  # name -> Rasa's own function, for the patches applied


def switched_off(env: Mapping[str, str] | None = None) -> set[str]:
    value = (os.environ if env is None else env).get(SWITCH, "")
    names = {n.strip() for n in value.split(",") if n.strip()}
    if "all" in names:
        return {p.name for p in PATCHES}
    unknown = names - {p.name for p in PATCHES}
    if unknown:
        raise PatchDoesNotApply(f"{SWITCH} names no such patch: {sorted(unknown)}; "
                                f"they are {[p.name for p in PATCHES]} (or 'all')")
    return names


def apply(version: str | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """Applies every patch not switched off (once); returns the names applied. Raises PatchDoesNotApply
    when Rasa is not a version they were written for, or a function they replace has changed."""
    off = switched_off(env)
    wanted = [p for p in PATCHES if p.name not in off and p.name not in _originals]
    version = rasa.__version__ if version is None else version
    if wanted and version not in SUPPORTED_RASA:
        raise PatchDoesNotApply(
            f"Rasa {version} is not a version the speed-ups in channels/rasa_speedups.py were written for "
            f"({', '.join(SUPPORTED_RASA)}): check each against it, or set {SWITCH}=all.")
    for patch in wanted:  # every check before any change: all or nothing
        patch.check(getattr(patch.owner, patch.attribute))
    for patch in wanted:
        _originals[patch.name] = inspect.getattr_static(patch.owner, patch.attribute)
        setattr(patch.owner, patch.attribute, patch.replacement)
    if wanted:
        logger.info("Rasa speed-ups applied: %s%s", ", ".join(p.name for p in wanted),
                    f" (off: {', '.join(sorted(off))})" if off else "")
    return [p.name for p in PATCHES if p.name in _originals]


def revert() -> None:
    """Puts Rasa's own functions back (tests)."""
    for patch in PATCHES:
        if patch.name in _originals:
            setattr(patch.owner, patch.attribute, _originals.pop(patch.name))
