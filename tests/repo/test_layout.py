"""The repository keeps its promises: the design's layout, the two README commands, CI calling the
README's test command, locked dependencies, and no runtime state or secrets tracked."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_top_level_layout():
    for name in ("bot", "actions", "nlu_data", "backend", "channels", "tests"):
        assert (ROOT / name).is_dir(), name
    for name in ("config.yml", "docker-compose.yml", "README.md", "Makefile", ".ci/run"):
        assert (ROOT / name).is_file(), name
    assert (ROOT / ".python-version").read_text().strip().startswith("3.10")


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    head = (ROOT / "README.md").read_text()[:1500]
    assert "`make run`" in head and "`make test`" in head
    assert re.search(r"^make test$", (ROOT / ".ci/run").read_text(), re.M)
    targets = re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.M)
    assert {"run", "test", "lock"} <= set(targets)


def test_every_dependency_is_pinned_with_hashes():
    for lock in ("installer.lock", "backend.lock", "bot.lock"):
        text = (ROOT / "requirements" / lock).read_text()
        reqs = re.findall(r"^([A-Za-z0-9_.-]+)(==)?", text, re.M)
        assert reqs and all(pinned for _, pinned in reqs), lock
        assert text.count("==") <= text.count("--hash=sha256:"), lock
        assert "file://" not in text and "/opt/" not in text, lock


def test_the_pinned_installer_goes_in_before_each_lock():
    # The pip that `python -m venv` bundles differs by machine (23.0.1 with Python 3.10.13 cannot
    # install backend.lock): every environment, made here or in an image, gets the locked pip first.
    installer = (ROOT / "requirements/installer.lock").read_text()
    assert {"pip", "setuptools", "wheel"} <= set(re.findall(r"^([a-z]+)==", installer, re.M))
    venv = (ROOT / "scripts/venv.sh").read_text()
    assert 0 <= venv.index('-r "$installer_lock"') < venv.index('-r "$lock"')
    assert '"$installer_lock"' in venv.split("key=", 1)[1].splitlines()[0], "the cache key must cover the installer"
    for dockerfile in ("backend/Dockerfile", "bot/Dockerfile", "actions/Dockerfile"):
        text = (ROOT / dockerfile).read_text()
        assert 0 <= text.index("-r requirements/installer.lock") < text.index("--require-hashes -r requirements/b"), dockerfile


def test_no_runtime_state_or_secrets_are_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    bad = [p for p in tracked if re.search(r"(\.db|\.sqlite3?|\.env|\.tar\.gz)$|^var/|^models/|dev-secrets", p)]
    assert bad == []
