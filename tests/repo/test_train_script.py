"""scripts/train.sh on a busy machine: Rasa may take longer than the first 15-second progress tick
to start its first component. The progress line's grep then found nothing, and under `set -euo
pipefail` that ended the script, whose trap killed the training (seen in a cold CI run: "model
training FAILED" with nothing in the log but Rasa's data validation)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Stands in for Rasa: says nothing a progress line could match for longer than one tick, then
# writes the model where `--out` and `--fixed-model-name` say.
SLOW_RASA = """#!/usr/bin/env bash
out=""; name=""
while [ $# -gt 0 ]; do
  case "$1" in --out) out=$2; shift;; --fixed-model-name) name=$2; shift;; esac; shift
done
echo "validating the data"
sleep 18
echo "model" > "$out/$name.tar.gz"
"""


def test_training_survives_a_slow_start(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/train.sh", tmp_path / "scripts/train.sh")
    for name in ("config.yml", "requirements/bot.lock"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "bot").mkdir()
    (tmp_path / "nlu_data").mkdir()
    (tmp_path / "bot/domain.yml").write_text("version: '3.1'\n")
    rasa = tmp_path / ".venv/bot/bin/rasa"
    rasa.parent.mkdir(parents=True)
    rasa.write_text(SLOW_RASA)
    rasa.chmod(0o755)
    env = {**os.environ, "LFPSE_MODEL_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(["bash", "scripts/train.sh"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    model = done.stdout.strip().splitlines()[-1]
    assert (tmp_path / model).is_file() and "Trained in" in done.stderr
    assert "training: reading the data" in done.stderr  # the tick before any component said so
