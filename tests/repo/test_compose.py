"""docker-compose.yml and the Dockerfiles, checked offline (no Docker engine needed):

- compose accepts the file with every required variable set, and refuses it naming the variable
  when any one of them is missing (`${VAR:?message}`);
- every service has a health check; the project's services are built from Dockerfiles that exist,
  and everything they COPY exists;
- every command a Dockerfile RUNs or starts (CMD) is one the Makefile or scripts/ run too, so the
  images are built and started as `make run`, `make train` and `make run-production` do;
- the Rasa service gets every variable endpoints.production.yml and credentials.yml read, and the
  production endpoints use only settings Rasa 3.6's SQL tracker store and Redis lock store accept.

The compose check needs `docker-compose` (Debian's package, installed by
scripts/ensure-docker-compose.sh as root) or `docker compose`."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
OFFICIAL_IMAGES = ("postgres", "redis")  # services that run an upstream image as it is
# File housekeeping a Dockerfile may do that no script needs to (everything else must match a script).
HOUSEKEEPING = {"rm", "mkdir", "cp", "mv", "ln", "chown", "chmod", "true"}
# Flags that change only what an installer prints or caches, not what it installs.
NOISE_FLAGS = {"--no-cache-dir", "--quiet", "-q", "--disable-pip-version-check", "--no-input", "--progress-bar=off"}
SHELL_KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "exec", "time"}
PUNCTUATION = set("();<>|&")  # shlex's punctuation_chars: runs of these are operators


# --- compose -------------------------------------------------------------------------------------

def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.fixture(scope="module")
def compose() -> list[str]:
    command = _compose_command()
    if command is None:
        subprocess.run([str(ROOT / "scripts/ensure-docker-compose.sh")], cwd=ROOT, check=False)
        command = _compose_command()
    if command is None:
        if os.geteuid() == 0:
            pytest.fail("docker-compose is missing and scripts/ensure-docker-compose.sh could not install it")
        pytest.skip("docker-compose is not installed (as root, scripts/ensure-docker-compose.sh installs it)")
    return command


def required_variables() -> list[str]:
    return sorted(set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*):\?", COMPOSE_FILE.read_text())))


def _config(compose: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    empty = tmp_path / "empty.env"  # never a developer's .env beside the compose file
    if not empty.exists():
        empty.write_text("")
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "DOCKER_CONFIG")}
    return subprocess.run([*compose, "--env-file", str(empty), "-f", str(COMPOSE_FILE), "config", "-q"],
                          cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_compose_accepts_the_file_with_every_required_variable_set(compose, tmp_path):
    names = required_variables()
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "SECRET_KEY", "SERVICE_TOKEN", "REST_CHANNEL_TOKEN"} <= set(names)
    run = _config(compose, {name: f"dummy-{name.lower()}" for name in names}, tmp_path)
    assert run.returncode == 0, run.stderr


def test_compose_refuses_the_file_naming_a_missing_variable(compose, tmp_path):
    names = required_variables()
    dummies = {name: f"dummy-{name.lower()}" for name in names}

    (tmp_path / "empty.env").write_text("")

    def without(name: str) -> tuple[str, subprocess.CompletedProcess]:
        return name, _config(compose, {k: v for k, v in dummies.items() if k != name}, tmp_path)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for name, run in pool.map(without, names):
            assert run.returncode != 0, f"compose accepted the file without {name}"
            assert f"{name} must be set" in run.stderr + run.stdout, (name, run.stderr)


def services() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def test_every_service_has_a_health_check_and_is_built_from_a_dockerfile_here():
    found = services()
    assert {"postgres", "redis", "backend", "actions", "rasa"} <= set(found)
    for name, service in found.items():
        test = (service.get("healthcheck") or {}).get("test")
        assert test and test != ["NONE"], f"{name} has no health check"
        if "build" not in service:
            image = service.get("image", "")
            assert image.split(":")[0] in OFFICIAL_IMAGES, f"{name} is neither built here nor an official image"
            continue
        build = service["build"]
        context = ROOT / build.get("context", ".")
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"
        assert context.resolve() == ROOT, f"{name}: build from the repository root (the Dockerfiles copy from it)"


def test_the_rasa_service_gets_what_its_configuration_files_read():
    found = services()
    rasa_env = set(found["rasa"]["environment"])
    for config in ("endpoints.production.yml", "credentials.yml"):
        needed = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", (ROOT / config).read_text()))
        assert needed <= rasa_env, f"{config} reads {sorted(needed - rasa_env)}, not given to the rasa service"
    assert {"BACKEND_URL", "SERVICE_TOKEN"} <= set(found["actions"]["environment"])
    assert {"DATABASE_URL", "SECRET_KEY", "SERVICE_TOKEN"} <= set(found["backend"]["environment"])
    assert found["backend"]["environment"]["ENVIRONMENT"] == "production"


# --- the production endpoints ----------------------------------------------------------------------

def _init_parameters(module: Path, class_name: str) -> set[str] | None:
    """The keyword parameters of a class's __init__, read from its source (Rasa is not importable here)."""
    if not module.is_file():
        return None
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    return {a.arg for a in item.args.args + item.args.kwonlyargs} - {"self"}
    return None


def test_production_endpoints_are_a_postgresql_tracker_store_and_a_redis_lock_store():
    endpoints = yaml.safe_load((ROOT / "endpoints.production.yml").read_text())
    tracker, lock = endpoints["tracker_store"], endpoints["lock_store"]
    # Rasa's SQL store, as the subclass that redacts identifiers (channels/redacting_tracker_store.py).
    assert tracker["type"] == "channels.redacting_tracker_store.RedactingSQLTrackerStore"
    assert tracker["dialect"] == "postgresql"
    # Our atomic Redis lock store through Rasa's module.Class hook (channels/redis_lock_store.py).
    assert lock["type"] == "channels.redis_lock_store.AtomicRedisLockStore"
    assert endpoints["action_endpoint"]["url"] == "${ACTION_ENDPOINT_URL}"
    rasa = ROOT / ".venv/bot/lib/python3.10/site-packages/rasa/core"
    sql = _init_parameters(rasa / "tracker_store.py", "SQLTrackerStore")
    redis = _init_parameters(ROOT / "channels/redis_lock_store.py", "AtomicRedisLockStore")
    if sql is None or redis is None:
        pytest.skip("the bot environment (.venv/bot) is not installed: Rasa's store settings cannot be read")
    # `url` is Rasa's name for the host (EndpointConfig passes it as host=); `type` picks the class.
    assert set(tracker) - {"type", "url"} <= sql, sorted(set(tracker) - {"type", "url"} - sql)
    assert set(lock) - {"type", "url"} <= redis, sorted(set(lock) - {"type", "url"} - redis)


# --- Dockerfile commands are the scripts' commands --------------------------------------------------

def _words(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commentors = "#"
    return list(lexer)


def shell_commands(line: str) -> list[list[str]]:
    """The simple commands of a shell line, each as its words: split at ;, &&, ||, |, &, ( and )
    (process substitutions `>(...)` and `$(...)` included), redirections and their targets dropped."""
    commands, current, skip_target = [], [], False
    for token in _words(line):
        if set(token) <= PUNCTUATION:
            if set(token) <= {"<", ">", "&"} and set(token) & {"<", ">"}:  # >, 2>, >&, &>, <<
                if current and current[-1].isdigit():  # the 2 of 2>
                    current.pop()
                skip_target = True
                continue
            if current:  # ;, &&, ||, |, &, (, ), >(
                commands.append(current)
            current, skip_target = [], False
            continue
        if skip_target:
            skip_target = False
            continue
        current.append(token)
    if current:
        commands.append(current)
    return commands


def normalise(argv: list[str]) -> list[str]:
    words = list(argv)
    while words and (words[0] in SHELL_KEYWORDS or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
        words.pop(0)
    if not words:
        return []
    program = words[0]
    if "/bin/" in program or program.startswith("$"):
        program = program.rsplit("/", 1)[-1].lstrip("$")
    if re.fullmatch(r"python[0-9.]*", program):
        program = "python"
    return [program] + [w for w in words[1:] if w not in NOISE_FLAGS]


def _join_continuations(text: str) -> list[str]:
    return text.replace("\\\n", " ").splitlines()


@lru_cache
def script_commands() -> tuple[tuple[str, ...], ...]:
    """Every simple command in scripts/*.sh and the Makefile's recipes (make variables expanded)."""
    lines: list[str] = []
    for script in sorted((ROOT / "scripts").glob("*.sh")):
        lines += _join_continuations(script.read_text())
    makefile = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^([A-Z_]+)\s*[:?]?=\s*(.*)$", makefile, re.M))
    for line in _join_continuations(makefile):
        if line.startswith("\t"):
            line = line.strip().lstrip("@-")
            line = re.sub(r"\$\(([A-Z_]+)\)", lambda m: variables.get(m.group(1), m.group(0)), line)
            lines.append(line.replace("$$", "$"))
    found = set()
    for line in lines:
        if line.strip().startswith("#"):
            continue
        try:
            commands = shell_commands(line)
        except ValueError:  # a quote opened on one line and closed on another: not a command we compare
            continue
        for argv in commands:
            words = normalise(argv)
            if words:
                found.add(tuple(words))
    return tuple(sorted(found))


def matches(dockerfile_command: list[str], script_command: tuple[str, ...]) -> bool:
    """Word for word, where a script's word holding a shell variable stands for any value."""
    return len(dockerfile_command) == len(script_command) and all(
        d == s or "$" in s for d, s in zip(dockerfile_command, script_command))


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in _join_continuations(path.read_text()):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def dockerfile_commands(path: Path) -> list[list[str]]:
    commands = []
    for keyword, rest in dockerfile_instructions(path):
        if keyword not in ("RUN", "CMD", "ENTRYPOINT"):
            continue
        argvs = [json.loads(rest)] if rest.startswith("[") else shell_commands(rest)
        for argv in argvs:
            words = normalise(argv)
            if words and words[0] not in HOUSEKEEPING:
                commands.append(words)
    return commands


def dockerfiles() -> list[Path]:
    found = []
    for service in services().values():
        if "build" in service:
            build = service["build"]
            found.append(ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile"))
    return found


def test_the_command_parser_finds_script_commands_and_rejects_others():
    scripts = script_commands()
    assert ("scripts/train.sh",) in scripts
    assert any(matches(["python", "-m", "backend.cli", "serve", "--host", "0.0.0.0", "--port", "8000"], s)
               for s in scripts)
    assert not any(matches(["python", "-m", "backend.cli", "serve", "--reload"], s) for s in scripts)
    assert not any(matches(["pip", "install", "flask"], s) for s in scripts)
    assert shell_commands('a -x "$y" 2> >(grep -v z >&2) && (cd web && b c)') == [
        ["a", "-x", "$y"], ["grep", "-v", "z"], ["cd", "web"], ["b", "c"]]


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_dockerfile_command_is_one_the_makefile_or_scripts_run(dockerfile):
    commands = dockerfile_commands(dockerfile)
    keywords = [keyword for keyword, _ in dockerfile_instructions(dockerfile)]
    assert "CMD" in keywords and commands, f"{dockerfile}: no commands found"
    scripts = script_commands()
    unmatched = [" ".join(c) for c in commands if not any(matches(c, s) for s in scripts)]
    assert unmatched == [], f"{dockerfile.relative_to(ROOT)} runs commands no script runs: {unmatched}"


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=lambda p: str(p.relative_to(ROOT)))
def test_everything_a_dockerfile_copies_exists(dockerfile):
    for keyword, rest in dockerfile_instructions(dockerfile):
        if keyword not in ("COPY", "ADD") or "--from=" in rest:
            continue
        sources = shlex.split(rest)[:-1]
        for source in sources:
            if not source.startswith("--"):
                assert (ROOT / source).exists(), f"{dockerfile.relative_to(ROOT)} copies {source}, which does not exist"


def test_build_context_leaves_out_local_state_and_secrets():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", "models", ".env", "**/node_modules"} <= set(ignored)


def test_rasa_has_its_own_tracker_role_and_calls_the_action_server_with_a_credential():
    """Issue 15: Rasa's tracker store never holds the records database's owner credentials, and the
    action server answers only calls carrying ACTION_SERVER_TOKEN."""
    found = services()
    postgres, rasa, actions = (found[name]["environment"] for name in ("postgres", "rasa", "actions"))
    assert rasa["TRACKER_DB_USER"] == postgres["TRACKER_DB_USER"] != postgres["POSTGRES_USER"]
    assert rasa["TRACKER_DB_LOGIN_DB"] == rasa["TRACKER_DB_NAME"] == postgres["TRACKER_DB_NAME"] != postgres["POSTGRES_DB"]
    assert "POSTGRES_PASSWORD" not in rasa["TRACKER_DB_PASSWORD"]
    assert any(v.startswith("./scripts/tracker-db-role.sh:/docker-entrypoint-initdb.d/") for v in found["postgres"]["volumes"])
    assert "ACTION_SERVER_TOKEN" in rasa and "ACTION_SERVER_TOKEN" in actions
    for config in ("endpoints.yml", "endpoints.production.yml"):
        endpoint = yaml.safe_load((ROOT / config).read_text())["action_endpoint"]
        assert endpoint["headers"] == {"Authorization": "Bearer ${ACTION_SERVER_TOKEN}"}, config
    assert "ports" not in found["actions"]  # reachable only from the compose network
