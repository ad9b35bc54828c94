"""The wording catalogue is the one source of what the assistant says, and the channels render its
structured messages without reading the assistant's words:
- every message id the actions say exists, with wording for every audience and medium;
- no channel module holds or matches the assistant's wording (it would break on the next rewording)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from wording import catalogue

ROOT = Path(__file__).resolve().parents[2]
SAID = re.compile(r"""\b(?:say|choose|listing)\(\s*dispatcher,\s*tracker,\s*(?:"([a-z_]+)"|[^,)]*?"([a-z_]+)"\s+if)""")
IDS = re.compile(r'"([a-z]+(?:_[a-z]+)+|[a-z]+)"')


def _conversation_messages() -> list[str]:
    return [mid for mid, e in catalogue.entries().items() if "kind" in e]


def test_every_message_the_actions_say_is_in_the_catalogue():
    source = "\n".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    said = set()
    for call in re.finditer(r"\b(?:say|choose|listing)\((?:[^()]|\([^()]*\))*\)", source):
        said |= {m for m in IDS.findall(call.group(0)) if m in catalogue.entries() or m.endswith(("_one", "_many"))}
    said |= set(re.findall(r'problem="([a-z_]+)"', source)) - {"candidates"}
    assert len(said) > 40
    assert sorted(m for m in said if m not in catalogue.entries()) == []


def test_every_conversation_message_has_words_for_every_audience_and_medium():
    missing = [(mid, aud, med) for mid in _conversation_messages() for aud in catalogue.AUDIENCES
               for med in catalogue.MEDIUMS if not catalogue.has_wording(mid, aud, med)]
    assert missing == []


def test_no_public_wording_has_curly_quotes_or_dashes_that_break_gsm7():
    for mid, entry in catalogue.entries().items():
        for key, words in entry.items():
            if isinstance(words, str):
                assert not re.search("[‘’“”–—…]", words), (mid, key)


def _phrases(words: str) -> set[str]:
    """Runs of four words from a wording, placeholders left out: what a matcher on prose would quote."""
    found = set()
    for part in re.split(r"\{\w+\}|[.?!:;\n()]", words):
        tokens = re.findall(r"[A-Za-z']+", part)
        found |= {" ".join(tokens[i:i + 4]).lower() for i in range(len(tokens) - 3)}
    return found


def _literals(module: Path) -> list[str]:
    """The strings a module holds (docstrings and comments are not code that could match anything)."""
    tree = ast.parse(module.read_text())
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_channel_module_holds_or_matches_the_assistant_s_words():
    phrases = set()
    for mid, entry in catalogue.entries().items():
        if mid.startswith(("sms_", "call_", "channel_")):
            continue  # the channels' own sentences, which they look up by id
        for key, words in entry.items():
            if key not in catalogue.META and isinstance(words, str):
                phrases |= _phrases(words)
    assert len(phrases) > 300
    for module in sorted((ROOT / "channels").glob("*.py")):
        source = " ".join(re.findall(r"[A-Za-z']+", " ".join(_literals(module)))).lower()
        quoted = sorted(p for p in phrases if f" {p} " in f" {source} ")
        assert quoted == [], f"{module.name} quotes the assistant's words: {quoted[:5]}"
    # What the channels decided on the words before: now fields of the structured message.
    for module in (ROOT / "channels").glob("*.py"):
        held = " ".join(_literals(module)).lower()
        for old in ("I've stopped", "Choose all that apply", "reply with the number", "Your reference is", "PSE-"):
            assert old.lower() not in held, (module.name, old)
