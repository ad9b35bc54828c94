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
    for lock in ("backend.lock", "bot.lock"):
        text = (ROOT / "requirements" / lock).read_text()
        reqs = re.findall(r"^([A-Za-z0-9_.-]+)(==)?", text, re.M)
        assert reqs and all(pinned for _, pinned in reqs), lock
        assert text.count("==") <= text.count("--hash=sha256:"), lock
        assert "file://" not in text and "/opt/" not in text, lock


def test_no_runtime_state_or_secrets_are_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    bad = [p for p in tracked if re.search(r"(\.db|\.sqlite3?|\.env|\.tar\.gz)$|^var/|^models/|dev-secrets", p)]
    assert bad == []
