"""Starts the real system for end-to-end tests: backend (uvicorn, SQLite), action server and Rasa
server with the trained model, each a separate process on a free local port, as `make run` does.

`System(tmp, production=True)` starts it as `make run-production` does instead (issue 6): the
backend with ENVIRONMENT=production on a throwaway PostgreSQL cluster, Rasa with
endpoints.production.yml (its tracker store in a database of that cluster, its lock store a
throwaway Redis), and `start_rasa()` adds more Rasa servers sharing both stores."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BACKEND_PY = ROOT / ".venv/backend/bin/python"
RASA = ROOT / ".venv/bot/bin/rasa"
BOT_PYTHON = ROOT / ".venv/bot/bin/python"
BACKEND_DB, TRACKER_DB = "lfpse", "rasa"  # production mode: the backend's and Rasa's databases
LOCK_DB = 1  # production mode: the Redis database of Rasa's lock store


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
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    action_server_token: str = field(default_factory=lambda: secrets.token_hex(32))
    service_token: str = field(default_factory=lambda: secrets.token_hex(32))  # production refuses weak ones
    rest_token: str = "e2e-rest-token-not-a-secret"
    twilio_token: str = "e2e-twilio-auth-token-not-a-secret"
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    model: str = ""
    # Production mode (see the module docstring); the default is the embedded development set-up.
    production: bool = False
    postgres: Any = None  # tests.support.postgres.TempPostgres, started by start_stores()
    redis: Any = None  # tests.support.redis.TempRedis
    rasa_ports: dict[str, int] = field(default_factory=dict)  # more Rasa servers: name -> port
    ready_after: dict[str, float] = field(default_factory=dict)  # production mode: seconds to ready, per process

    @property
    def backend(self) -> str:
        return f"http://127.0.0.1:{self.backend_port}"

    @property
    def database_url(self) -> str:
        if self.production:
            return self.postgres.url(BACKEND_DB)
        return f"sqlite:///{self.tmp / 'e2e.db'}"

    @property
    def endpoints_file(self) -> str:
        return "endpoints.production.yml" if self.production else "endpoints.yml"

    @property
    def tracker_url(self) -> str:
        """Rasa's tracker store database (production mode), as the backend environment reaches it."""
        return self.postgres.url(TRACKER_DB)

    def env(self) -> dict[str, str]:
        return {
            **os.environ, "ENVIRONMENT": "test", "DATABASE_URL": self.database_url,
            "SECRET_KEY": self.secret_key, "SERVICE_TOKEN": self.service_token,
            "ACTION_SERVER_TOKEN": self.action_server_token, "ACTIONS_HOST": "127.0.0.1",
            "BACKEND_URL": self.backend, "REST_CHANNEL_TOKEN": self.rest_token,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "PYTHONHASHSEED": "0", "RASA_TELEMETRY_ENABLED": "false",
            # Channels (issue 4): test-only values; the tests sign requests with them.
            "TWILIO_AUTH_TOKEN": self.twilio_token, "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.rasa_port}",
            # The chat page's widget talks only to this Rasa server, which takes only the page's origin.
            "RASA_PUBLIC_URL": f"http://127.0.0.1:{self.rasa_port}", "WEBCHAT_ALLOWED_ORIGINS": self.backend,
            **(self.production_env() if self.production else {}),
            **self.extra_env,
        }

    def production_env(self) -> dict[str, str]:
        """What endpoints.production.yml and the production backend read (docs/deployment.md)."""
        return {
            "ENVIRONMENT": "production",
            "TRACKER_DB_HOST": str(self.postgres.dir), "TRACKER_DB_PORT": str(self.postgres.port),
            "TRACKER_DB_NAME": TRACKER_DB, "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": "",
            "TRACKER_DB_LOGIN_DB": "postgres",
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.redis.port), "REDIS_DB": str(LOCK_DB),
            "REDIS_PASSWORD": self.redis.password or "",
        }

    def start_stores(self) -> System:
        """Production mode: a throwaway PostgreSQL cluster with the backend's database (Rasa creates its
        own through login_db) and a throwaway Redis. Call before seeding the database and start()."""
        from sqlalchemy import create_engine, text

        from tests.support.postgres import TempPostgres
        from tests.support.redis import TempRedis

        if self.postgres is None:
            self.postgres = TempPostgres()
            began = time.monotonic()
            self.postgres.start()
            admin = create_engine(self.postgres.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {BACKEND_DB}"))
            admin.dispose()
            self.ready_after["postgres"] = time.monotonic() - began
        if self.redis is None:
            began = time.monotonic()
            self.redis = TempRedis().start()
            self.ready_after["redis"] = time.monotonic() - began
        return self

    def _start(self, name: str, *cmd: str) -> None:
        log = open(self.tmp / f"{name}.log", "w")
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def start(self) -> System:
        self.model = subprocess.run([str(ROOT / "scripts/train.sh")], cwd=ROOT, check=True, capture_output=True,
                                    text=True).stdout.strip().splitlines()[-1]
        if self.production:
            self.start_stores()
        began = time.monotonic()
        self._start("backend", str(BACKEND_PY), "-m", "backend.cli", "serve", "--port", str(self.backend_port))
        self._start("actions", str(BOT_PYTHON), "-m", "actions.server", "--port", str(self.actions_port))
        self._start("rasa", str(RASA), "run", "--model", self.model, "--credentials", "credentials.yml",
                    "--endpoints", self.endpoints_file, "--port", str(self.rasa_port))
        if self.production:
            self._wait_each(began, {"backend": f"{self.backend}/health",
                                    "actions": f"http://127.0.0.1:{self.actions_port}/health",
                                    "rasa": self.webhook})
        else:
            self.wait_ready()
        return self

    def start_rasa(self, *names: str) -> System:
        """More Rasa servers with the same model, endpoints and environment, each on its own port
        (production mode: they share the tracker and lock stores, so any of them carries on any
        conversation). Started together; returns once every one answers."""
        assert self.model, "start() first"
        began, urls = time.monotonic(), {}
        for name in names:
            port = self.rasa_ports[name] = free_port()
            self._start(name, str(RASA), "run", "--model", self.model, "--credentials", "credentials.yml",
                        "--endpoints", self.endpoints_file, "--port", str(port))
            urls[name] = self.webhook_of(name)
        self._wait_each(began, urls)
        return self

    def webhook_of(self, name: str) -> str:
        port = self.rasa_port if name == "rasa" else self.rasa_ports[name]
        return f"http://127.0.0.1:{port}/webhooks/rest/webhook"

    def _wait_each(self, began: float, urls: dict[str, str], timeout: float = 300) -> None:
        """Waits for every process at once, noting when each became ready (ready_after). A Rasa server is
        ready when its REST channel answers a message (the model is loaded, the stores reachable)."""
        end, waiting = began + timeout, dict(urls)
        while waiting:
            for name, url in list(waiting.items()):
                self._alive(name)
                try:
                    if url.endswith("/webhooks/rest/webhook"):
                        status, body = http("POST", url, {"sender": f"readiness-{name}", "message": "/greet"},
                                            {"Authorization": f"Bearer {self.rest_token}"}, timeout=5)
                        ok = status == 200 and bool(body)
                    else:
                        ok = http("GET", url, timeout=2)[0] == 200
                except OSError:
                    ok = False
                if ok:
                    self.ready_after[name] = time.monotonic() - began
                    del waiting[name]
            if waiting and time.monotonic() > end:
                raise TimeoutError(f"{', '.join(waiting)} did not start; see the logs in {self.tmp}")
            time.sleep(0.5)

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

    def ready_url(self, name: str) -> str:
        """Where `name` answers once it is ready: the health checks, or a Rasa server's REST webhook."""
        if name == "backend":
            return f"{self.backend}/health"
        if name == "actions":
            return f"http://127.0.0.1:{self.actions_port}/health"
        return self.webhook_of(name)

    def kill(self, name: str) -> None:
        """SIGKILL one process (its whole process group), as a crash or an OOM kill would end it; waits until
        it is gone. Nothing is flushed or closed: whatever it was doing is cut off where it stood."""
        proc = self.procs[name]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)

    def restart(self, name: str, timeout: float = 300) -> float:
        """Starts `name` again with the same command (so the same port) and environment after kill(); the
        killed run's log is kept as <name>.log.<n>. Returns once it is ready: the seconds it took."""
        proc = self.procs[name]
        assert proc.poll() is not None, f"{name} is still running; kill() it first"
        log = self.tmp / f"{name}.log"
        runs = 1
        while (self.tmp / f"{name}.log.{runs}").exists():
            runs += 1
        if log.exists():
            log.rename(self.tmp / f"{name}.log.{runs}")
        began = time.monotonic()
        self._start(name, *proc.args)
        self._wait_each(began, {name: self.ready_url(name)}, timeout)
        return self.ready_after[name]

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
        for store in (self.redis, self.postgres):  # production mode
            if store is not None:
                store.stop()
