"""The real backend as a process on a free port, for bot-side tests that run the real actions against it
(the bot environment cannot import the backend: its SQLAlchemy and Pydantic are Rasa's older ones).

A fresh SQLite database with one organisation and one member of staff; the narrative pipeline is the
checkout's (var/narrative-model, built on first use as `make run` builds it)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.processes import stop_group


def free_port() -> int:
    """A port the kernel gives (uvicorn takes a port number, not a socket)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

ROOT = Path(__file__).resolve().parents[2]
BACKEND_PY = ROOT / ".venv/backend/bin/python"
SEED = """
import sys
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from backend.accounts.models import Account, Organisation, Role
from backend.database.migrate import upgrade_to_head
url = sys.argv[1]
upgrade_to_head(url)
with Session(create_engine(url)) as db:
    db.add(Organisation(ods_code="RVJ", name="NORTH BRISTOL NHS TRUST", email_domains="live.example.org"))
    db.flush()
    account = Account(email="nurse@live.example.org", display_name="Nurse", password_hash="x",
                      organisation_ods="RVJ", role=Role.standard.value)
    db.add(account)
    # A member of staff whose account names no organisation (a platform-registered account): it is asked.
    unplaced = Account(email="locum@live.example.org", display_name="Locum", password_hash="x",
                       organisation_ods=None, role=Role.standard.value)
    db.add(unplaced)
    db.commit()
    print(unplaced.id)
    print(account.id)
"""


@dataclass
class LiveBackend:
    tmp: Path
    port: int = field(default_factory=free_port)
    service_token: str = field(default_factory=lambda: secrets.token_hex(32))
    staff_account: str = ""      # a nurse of RVJ
    unplaced_account: str = ""   # a member of staff whose account names no organisation
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> LiveBackend:
        database = f"sqlite:///{self.tmp / 'live.db'}"
        env = {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": database, "SERVICE_TOKEN": self.service_token,
               "SECRET_KEY": secrets.token_hex(32), "PYTHONHASHSEED": "0"}
        seeded = subprocess.run([str(BACKEND_PY), "-c", SEED, database], cwd=ROOT, env=env, check=True,
                                capture_output=True, text=True)
        self.unplaced_account, self.staff_account = seeded.stdout.strip().splitlines()[-2:]
        log = open(self.tmp / "backend.log", "w")
        self.proc = subprocess.Popen([str(BACKEND_PY), "-m", "backend.cli", "serve", "--port", str(self.port)],
                                     cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        end = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError((self.tmp / "backend.log").read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"the backend did not start; see {self.tmp / 'backend.log'}")
            time.sleep(0.3)
        self._warm_up()
        return self

    def _warm_up(self) -> None:
        """Loads the narrative pipeline once, so no test's first turn waits for it."""
        body = json.dumps({"text": "a patient fell on the ward", "audience": "staff"}).encode()
        req = urllib.request.Request(f"{self.url}/api/v1/narrative/analyse", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.service_token}",
            "X-Act-As": "public:warm-up:conversation"})
        with urllib.request.urlopen(req, timeout=300) as r:
            assert r.status == 200

    def stop(self) -> None:
        stop_group(self.proc)
