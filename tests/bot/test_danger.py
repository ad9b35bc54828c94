"""The danger-now detector: 999/111 for an emergency happening now, silence for ages, negations and
the past (issue 12's false alarms), and the precision/recall targets on its own set."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from actions.safety import danger_now

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ["She's 52", "nothing, she was just in bed overnight",
                                  "?? nobody's in danger. just put 6", "she broke her wrist, shes in a cast",
                                  "no it did not go well he was bleeding"])
def test_no_alarm_for_ordinary_replies(text):
    assert not danger_now(text)


@pytest.mark.parametrize("text", ["he's not breathing", "my son is bleeding from his mouth and it won't stop",
                                  "I want to kill myself", "she's collapsed and isn't responding"])
def test_alarm_for_danger_now(text):
    assert danger_now(text)


def test_targets_on_the_sets():
    spec = importlib.util.spec_from_file_location("danger_eval", ROOT / "scripts" / "danger_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for prefix in ("", "held_out_"):
        precision, recall, missed, false_alarms = module.scores(prefix)
        assert recall >= module.RECALL, missed
        assert precision >= module.PRECISION, false_alarms
