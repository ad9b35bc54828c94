"""The domain's fixed responses (bot/domain/responses.yml) carry their structured message, so each
channel renders them from the wording catalogue; their text, the fallback, is the catalogue's screen wording."""

from __future__ import annotations

from pathlib import Path

import yaml

from wording.message import structured
from wording.render import render

ROOT = Path(__file__).resolve().parents[2]


def test_the_domain_responses_carry_their_structured_message_and_the_catalogue_s_screen_words():
    domain = yaml.safe_load((ROOT / "bot/domain/responses.yml").read_text())
    assert domain["responses"]
    for name, variants in domain["responses"].items():
        for variant in variants:
            message = structured(variant)
            assert message is not None, name
            assert variant["text"] == render(message, "screen").text, name


def test_on_the_phone_the_greeting_offers_the_draft_code():
    public = {"id": "greet", "audience": "public"}
    assert "key it in now" in render(public, "speech").text and "key it in" not in render(public, "screen").text
