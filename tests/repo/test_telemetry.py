"""No telemetry: Rasa reports usage to its makers by default, and patient safety software sends nothing
anywhere it was not configured to. Every way the project starts Rasa turns it off."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFF = re.compile(r"RASA_TELEMETRY_ENABLED[\"']?\s*[:=]\s*[\"']?false", re.I)
# Everything that runs a `rasa` command: make's scripts, the end-to-end harness, the images.
STARTERS = [*sorted((ROOT / "scripts").glob("*.sh")), ROOT / "tests/e2e/system.py",
            ROOT / "bot/Dockerfile", ROOT / "actions/Dockerfile"]
RUNS_RASA = re.compile(r"bin/rasa\b|\bRASA\b.*\"run\"|CMD \[\"\.venv/bot/bin/rasa\"")


def test_make_turns_it_off_for_every_target():
    assert re.search(r"^export RASA_TELEMETRY_ENABLED := false$", (ROOT / "Makefile").read_text(), re.M)


@pytest.mark.parametrize("path", [p for p in STARTERS if RUNS_RASA.search(p.read_text())],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_that_starts_rasa_turns_it_off_itself(path):
    # Run by hand, not through make, a script still sends nothing.
    assert OFF.search(path.read_text()), f"{path.relative_to(ROOT)} starts Rasa without RASA_TELEMETRY_ENABLED=false"


def test_the_compose_rasa_service_turns_it_off():
    assert OFF.search((ROOT / "docker-compose.yml").read_text())


def test_rasa_itself_reports_telemetry_disabled_with_that_setting(tmp_path):
    rasa = ROOT / ".venv/bot/bin/rasa"
    assert rasa.exists(), "the bot environment is missing (make bot-env)"
    env = {**os.environ, "HOME": str(tmp_path), "RASA_TELEMETRY_ENABLED": "false"}
    out = subprocess.run([str(rasa), "telemetry"], env=env, capture_output=True, text=True, timeout=300)
    assert "Telemetry reporting is currently disabled" in out.stdout, out.stdout + out.stderr
