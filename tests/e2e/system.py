"""Starts the real system for end-to-end tests: backend (uvicorn, SQLite), action server and Rasa
server with the trained model, each a separate process on a free local port, as `make run` does."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BACKEND_PY = ROOT / ".venv/backend/bin/python"
RASA = ROOT / ".venv/bot/bin/rasa"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: object = None, headers: dict | None = None, form: bool = False,
         timeout: float = 120) -> tuple[int, object]:
    data = None
    headers = dict(headers or {})
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw else None


@dataclass
class System:
    tmp: Path
    backend_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    service_token: str = "e2e-service-token-not-a-secret"
    rest_token: str = "e2e-rest-token-not-a-secret"
    twilio_token: str = "e2e-twilio-auth-token-not-a-secret"
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    model: str = ""

    @property
    def backend(self) -> str:
        return f"http://127.0.0.1:{self.backend_port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.tmp / 'e2e.db'}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ, "ENVIRONMENT": "test", "DATABASE_URL": self.database_url,
            "SECRET_KEY": "e2e-signing-key-" + "x" * 32, "SERVICE_TOKEN": self.service_token,
            "BACKEND_URL": self.backend, "REST_CHANNEL_TOKEN": self.rest_token,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "PYTHONHASHSEED": "0",
            # Channels (issue 4): test-only values; the tests sign requests with them.
            "TWILIO_AUTH_TOKEN": self.twilio_token, "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.rasa_port}",
            **self.extra_env,
        }

    def _start(self, name: str, *cmd: str) -> None:
        log = open(self.tmp / f"{name}.log", "w")
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def start(self) -> "System":
        self.model = subprocess.run([str(ROOT / "scripts/train.sh")], cwd=ROOT, check=True, capture_output=True,
                                    text=True).stdout.strip().splitlines()[-1]
        self._start("backend", str(BACKEND_PY), "-m", "backend.cli", "serve", "--port", str(self.backend_port))
        self._start("actions", str(RASA), "run", "actions", "--actions", "actions", "--port", str(self.actions_port))
        self._start("rasa", str(RASA), "run", "--model", self.model, "--credentials", "credentials.yml",
                    "--endpoints", "endpoints.yml", "--port", str(self.rasa_port))
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 300) -> None:
        end = time.monotonic() + timeout
        checks = {"backend": f"{self.backend}/health", "actions": f"http://127.0.0.1:{self.actions_port}/health"}
        for name, url in checks.items():
            while True:
                self._alive(name)
                try:
                    if http("GET", url, timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > end:
                    raise TimeoutError(f"{name} did not start; see {self.tmp / (name + '.log')}")
                time.sleep(0.5)
        while True:  # the REST channel answers once the model is loaded
            self._alive("rasa")
            try:
                status, body = http("POST", self.webhook, {"sender": "readiness", "message": "/greet"},
                                    {"Authorization": f"Bearer {self.rest_token}"}, timeout=5)
                if status == 200 and body:
                    return
            except OSError:
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"rasa did not start; see {self.tmp / 'rasa.log'}")
            time.sleep(1)

    def _alive(self, name: str) -> None:
        if self.procs[name].poll() is not None:
            raise RuntimeError(f"{name} exited: {(self.tmp / (name + '.log')).read_text()[-3000:]}")

    def api(self, path: str, act_as: str, method: str = "GET") -> object:
        """The backend API as the action server calls it: service token, acting for someone."""
        status, body = http(method, f"{self.backend}/api/v1{path}",
                            headers={"Authorization": f"Bearer {self.service_token}", "X-Act-As": act_as})
        assert status == 200, body
        return body

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
