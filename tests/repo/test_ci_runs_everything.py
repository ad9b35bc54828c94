"""Under CI a skipped test fails the run (tests/conftest.py): a missing browser or database must not
turn into a green run that proved nothing. Outside CI a skip stays a skip, with its reason."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPING = '''
import pytest

def test_needs_a_browser():
    pytest.skip("Chromium is missing")

@pytest.mark.skipif(True, reason="PostgreSQL is not installed")
def test_needs_postgres():
    pass

def test_runs():
    pass
'''


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_skipping.py").write_text(SKIPPING)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci is not None else {})
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), str(tmp_path / "test_skipping.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_under_ci_a_skip_is_a_failure_that_names_its_reason(tmp_path):
    out = _run(tmp_path, "true")
    assert out.returncode == 1, out.stdout
    assert "skipped under CI, which must run every test: Skipped: Chromium is missing" in out.stdout
    assert "PostgreSQL is not installed" in out.stdout
    assert "1 passed" in out.stdout and "skipped" not in out.stdout.splitlines()[-1]


def test_outside_ci_a_skip_is_a_skip(tmp_path):
    out = _run(tmp_path, None)
    assert out.returncode == 0 and "1 passed, 2 skipped" in out.stdout, out.stdout
