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


def test_a_plan_question_is_rendered_per_medium_from_its_fields():
    from wording.message import question
    q = question({"text": "What would you like to tell us about?", "mandatory": True, "choices": [
        {"label": "Something went wrong with care", "sms_label": "Something went wrong"},
        {"label": "Care that went well"}]}, "public")
    assert [b["title"] for b in render(q, "screen").buttons] == ["Something went wrong with care", "Care that went well"]
    assert render(q, "sms").text == ("What would you like to tell us about?\n"
                                     "Reply 1 for Something went wrong or 2 for Care that went well.")
    assert render(q, "sms").choices[0]["payload"] == "Something went wrong with care"  # what "1" sends back
    assert render(q, "speech").text == "What would you like to tell us about?"  # the channel reads the choices


def test_a_question_answered_in_words_lists_no_choices_on_sms_or_the_phone():
    from wording.message import question
    q = question({"text": "How old were you, or the person, at the time?", "mandatory": False,
                  "choices": [{"label": "0-14 days"}, {"label": "66-85 years"}], "answer_in_words": ["sms", "speech"]},
                 "public")
    assert len(render(q, "screen").buttons) == 2
    for medium in ("sms", "speech"):
        shown = render(q, medium)
        assert shown.choices == [] and "66-85" not in shown.text and "answer" in shown.text
