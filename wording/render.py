"""A structured message (wording/message.py) as words for one medium, from the catalogue.

    screen  the text, and its choices as buttons (a long list is numbered in the text instead)
    sms     the text with its choices numbered ("Reply 1 for Yes or 2 for No."), plain GSM-7 punctuation
    speech  the text to say; the voice channel reads the choices with their keys (read_choices)

Nothing here reads the assistant's words: every decision is made on the message's fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wording import spoken
from wording.catalogue import wording
from wording.message import structured

MAX_BUTTONS = 12  # longer lists (specialties, device types) are numbered in the text on screens
BUTTON_LABEL_MAX = 40  # a longer label (a draft's first words) is listed in the text too: buttons cut it short
INLINE_MAX = 40  # three or fewer SMS choices this short go on one line: "Reply 1 for Yes or 2 for No."
PAGE = 4  # choices read out at once on a call: more is hard to hold in mind
MORE_KEY = "9"
HINTS = {"date": "hint_date", "time": "hint_time"}
# One curly quote switches a whole SMS to UCS-2 (70 characters a segment instead of 160).
PLAIN = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-",
                       "…": "...", "\u00a0": " ", "•": "-", "\t": " "})


@dataclass
class Rendered:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)  # screen: what to show as buttons
    choices: list[dict[str, str]] = field(default_factory=list)  # every medium: {title, payload}, in order
    multiple: bool = False
    ended: bool = False
    reference: str | None = None


def say(message_id: str, audience: str, medium: str, **params: Any) -> str:
    """One catalogue entry's words, with its parameters."""
    return wording(message_id, audience, medium).format(**params)


def plain(text: str) -> str:
    return text.translate(PLAIN)


def _params(message: dict[str, Any], medium: str) -> dict[str, Any]:
    params = dict(message.get("params") or {})
    if message.get("reference"):
        params["reference"] = message["reference"]
    if medium != "speech" and params.get("code"):  # to copy: three groups of four
        params["code"] = " ".join(params["code"][i : i + 4] for i in range(0, len(params["code"]), 4))
    if medium == "speech":
        params = {k: (spoken.spell(v) if k == "reference" else spoken.digits(v) if k == "code"
                      else spoken.value(v) if isinstance(v, str) and k != "text" else v) for k, v in params.items()}
    return params


def _lines(message: dict[str, Any], audience: str, medium: str) -> str:
    rows = message.get("lines") or []
    if medium == "speech":
        rows = [{"name": r["name"], "value": spoken.value(r["value"])} for r in rows]
    sep = " " if medium == "speech" else "\n"
    return sep.join(say("line", audience, medium, name=r["name"], value=r["value"]) for r in rows)


def sms_choices(choices: list[dict[str, str]], audience: str) -> str:
    titles = [plain(c["label"]).strip() for c in choices]
    if len(titles) <= 3 and sum(map(len, titles)) <= INLINE_MAX and not any("," in t for t in titles):
        items = [say("choice_inline_item", audience, "sms", n=i, label=t) for i, t in enumerate(titles, 1)]
        joined = ", ".join(items[:-1]) + say("and_or", audience, "sms") + items[-1] if len(items) > 1 else items[0]
        return say("choice_inline", audience, "sms", options=joined)
    # The question is just above; a bare numbered list keeps it to one segment more often.
    return "\n".join(say("choice_line", audience, "sms", n=i, label=t) for i, t in enumerate(titles, 1))


def render(message: dict[str, Any], medium: str) -> Rendered:
    audience = message.get("audience") or "public"
    params = {**_params(message, medium), "lines": _lines(message, audience, medium)}
    parts = [say(message["id"], audience, medium, **params)]
    in_words = medium in (message.get("answer_in_words") or [])
    listed = [] if in_words else message.get("choices") or []
    label = "sms_label" if medium == "sms" else "label"
    choices = [{"title": c.get(label) or c["label"], "payload": c["payload"]} for c in listed]
    if message["id"] == "question":
        if in_words:
            parts.append(say("hint_in_words", audience, medium))
        if message.get("group") == "together":
            parts.append(say("hint_together", audience, medium))
        if message.get("multiple") and choices:
            parts.append(say("hint_multiple", audience, medium))
        if message.get("answer_type") in HINTS:
            parts.append(say(HINTS[message["answer_type"]], audience, medium))
        if message.get("optional"):
            parts.append(say("hint_skip", audience, medium))
    text, buttons = " ".join(p for p in parts if p), []
    if medium == "screen" and (len(choices) > MAX_BUTTONS or any(len(c["title"]) > BUTTON_LABEL_MAX for c in choices)):
        text += "\n" + "\n".join(say("choice_line", audience, medium, n=i, label=c["title"])
                                 for i, c in enumerate(choices, 1))
    if medium == "screen" and len(choices) <= MAX_BUTTONS:
        buttons = choices
    elif medium == "sms":
        text = plain(text + ("\n" + sms_choices([{"label": c["title"]} for c in choices], audience) if choices else ""))
    return Rendered(text=text, buttons=buttons, choices=choices, multiple=bool(message.get("multiple")),
                    ended=bool(message.get("ended")), reference=message.get("reference"))


def rendered(reply: dict[str, Any], medium: str) -> Rendered:
    """One of Rasa's bot messages for a medium: from its structured message; one without (a channel's
    own reply, a plain response) as it is, its buttons as its choices."""
    found = structured(reply)
    if found is not None:
        return render(found, medium)
    buttons = list(reply.get("buttons") or [])  # as given: a link button keeps its url
    choices = [{"title": str(b.get("title") or b.get("payload") or ""), "payload": str(b.get("payload") or b.get("title") or "")}
               for b in buttons]
    return Rendered(text=str(reply.get("text") or ""), buttons=buttons, choices=choices)


def read_choices(choices: list[dict[str, str]], page: int, multiple: bool, audience: str = "public") -> str:
    """'Say yes or press 1, say no or press 2.' for a page of at most PAGE choices, on a call."""
    shown = choices[page * PAGE:(page + 1) * PAGE]
    if not shown:
        return ""
    short = all(len(c["title"].split()) <= 3 for c in shown)
    entry = "choice_say" if short else "choice_press"
    spoken_list = ", ".join(say(entry, audience, "speech", label=spoken.value(c["title"]), n=i)
                            for i, c in enumerate(shown, 1))
    parts = [spoken_list[0].upper() + spoken_list[1:] + "."]
    if multiple:
        parts.append(say("keys_multiple", audience, "speech"))
    if len(choices) > PAGE:
        last = (page + 1) * PAGE >= len(choices)
        parts.append(say("keys_again" if last else "keys_more", audience, "speech", key=MORE_KEY))
    return " ".join(parts)


def page_count(choices: list[dict[str, str]]) -> int:
    return max(1, -(-len(choices) // PAGE))
