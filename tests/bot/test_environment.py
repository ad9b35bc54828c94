"""The bot runtime environment is the locked one: Rasa 3.6.21, its SDK and spaCy, no pretrained models."""

import re
from importlib.metadata import version
from pathlib import Path

import pytest

LOCK = Path(__file__).resolve().parents[2] / "requirements" / "bot.lock"
PINS = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", LOCK.read_text(), re.M))


@pytest.mark.parametrize("package", ["rasa", "rasa-sdk", "spacy", "tensorflow", "httpx", "twilio", "pyjwt"])
def test_installed_versions_match_the_lock(package):
    assert version(package) == PINS[package]


def test_rasa_is_3_6_21_and_its_channels_import():
    import rasa
    from rasa.core.channels import botframework, socketio, twilio, twilio_voice  # noqa: F401

    assert rasa.__version__ == "3.6.21"


def test_spacy_builds_a_pipeline_without_downloading_a_model():
    import spacy

    nlp = spacy.blank("en")
    assert [t.text for t in nlp("10 units of insulin on ward 7")] == ["10", "units", "of", "insulin", "on", "ward", "7"]
