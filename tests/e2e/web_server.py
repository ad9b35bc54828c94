"""The real backend on its own for the browser tests of the web pages (tests/e2e/test_web_*.py): one
`python -m backend.cli serve` process on a free local port, on a fresh SQLite database in a temporary
directory, with fictional accounts written straight into the database beforehand (no Rasa needed).

`web_server` is a module-scoped fixture: import it into a test module (`from tests.e2e.web_server
import web_server`); each module gets its own server and database, so tests in one module cannot
change what another module sees. `Browser` drives headless Chromium through web/browser_driver.mjs
(JSON lines over stdin and stdout); `browser` is a module-scoped fixture with one Chromium per module.
Both skip cleanly, with the reason, when Chromium, Node or web/node_modules are missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backend.accounts.models import Account, Organisation, Role
from backend.auth.passwords import hash_password
from backend.database.migrate import upgrade_to_head
from backend.taxonomy import get_taxonomy
from tests.e2e.system import BACKEND_PY, ROOT, free_port, http
from tests.support.processes import stop_group

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = ROOT / "web/browser_driver.mjs"
AXE = ROOT / "web/node_modules/axe-core/axe.min.js"
BUILT_CSS = ROOT / "var/web/static/nhsuk/nhsuk-frontend.min.css"

# Fictional people; example.org addresses. One password each, made up for the tests.
ACCOUNTS = {
    "standard": ("sian.standard@beacon.example.org", "Sian Standard", Role.standard, "G81019"),
    "organisational": ("owen.organisational@beacon.example.org", "Owen Organisational", Role.organisational, "G81019"),
    "admin": ("ada.admin@beacon.example.org", "Ada Admin", Role.admin, "G81019"),
    "colleague": ("carys.colleague@beacon.example.org", "Carys Colleague", Role.standard, "G81019"),
    "trust": ("tariq.trust@trust.example.org", "Tariq Trust", Role.standard, "RVJ"),
}
PASSWORDS = {who: f"browser test password for {who} - not a secret" for who in ACCOUNTS}


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"Chromium is missing ({CHROMIUM}): run scripts/ensure-browser.sh"
    if not shutil.which("node"):
        return "Node.js is missing: run scripts/ensure-browser.sh"
    for need in ("playwright-core", "axe-core"):
        if not (ROOT / "web/node_modules" / need).is_dir():
            return f"web/node_modules/{need} is missing: run scripts/ensure-browser.sh"
    if not BUILT_CSS.is_file():
        return "the NHS.UK frontend is not built (var/web/static): run scripts/ensure-browser.sh"
    return None


@dataclass
class WebServer:
    tmp: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    account_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.tmp / 'web.db'}"

    def email(self, who: str) -> str:
        return ACCOUNTS[who][0]

    def password(self, who: str) -> str:
        return PASSWORDS[who]

    def prepare(self) -> None:
        upgrade_to_head(self.database_url)
        ods = get_taxonomy().code_system("ods-codes-5")
        engine = create_engine(self.database_url)
        with Session(engine) as db:
            db.add(Organisation(ods_code="G81019", name="Beacon Surgery"))
            db.add(Organisation(ods_code="RVJ", name=ods.label("RVJ")))
            db.flush()
            for who, (email, name, role, org) in ACCOUNTS.items():
                account = Account(email=email, display_name=name, password_hash=hash_password(PASSWORDS[who]),
                                  organisation_ods=org, role=role.value)
                db.add(account)
                db.flush()
                self.account_ids[who] = account.id
            db.commit()
        engine.dispose()

    def start(self, timeout: float = 90) -> WebServer:
        self.prepare()
        env = {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": self.database_url,
               "SECRET_KEY": "browser-test-signing-key-" + "x" * 32, "SERVICE_TOKEN": "browser-test-service-token",
               "PYTHONHASHSEED": "0"}
        log = open(self.tmp / "backend.log", "w")
        self.proc = subprocess.Popen([str(BACKEND_PY), "-m", "backend.cli", "serve", "--host", "127.0.0.1",
                                      "--port", str(self.port)], cwd=ROOT, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        end = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the backend exited: {self.log()[-3000:]}")
            try:
                if http("GET", f"{self.url}/health", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"the backend did not start: {self.log()[-3000:]}")
            time.sleep(0.2)

    def log(self) -> str:
        path = self.tmp / "backend.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        stop_group(self.proc)

    # The API, as a check on what the pages did.

    def token(self, who: str) -> str:
        if who not in self.tokens:  # kept: each sign-in hashes the password, which is slow on purpose
            status, body = http("POST", f"{self.url}/api/v1/auth/token",
                                {"username": self.email(who), "password": self.password(who)}, form=True)
            assert status == 200, body
            self.tokens[who] = body["access_token"]
        return self.tokens[who]

    def api(self, who: str, method: str, path: str, body: object = None) -> Any:
        status, out = http(method, f"{self.url}/api/v1{path}", body, {"Authorization": f"Bearer {self.token(who)}"})
        assert 200 <= status < 300, (status, out)
        return out

    def draft(self, who: str, event_type: str, answers: dict[str, Any] | None = None) -> dict:
        """A draft made through the API (for pages that need records to show)."""
        items = [{"field": f, "value": v} for f, v in (answers or {}).items()]
        return self.api(who, "POST", "/records", {"event_type": event_type, "channel": "web", "answers": items})["record"]

    def complete(self, who: str, record_id: str, answers: dict[str, Any] | None = None, submit: bool = True) -> dict:
        """Answers every question the plan still asks, through the API as the web form would: the given
        answer, else the first choice (or a made-up text) for a mandatory question; optional ones are
        skipped. Submits the record unless told not to; returns it."""
        answers = answers or {}
        q = self.api(who, "GET", f"/records/{record_id}/next-question")["question"]
        for _ in range(200):
            if q is None:
                break
            item: dict[str, Any] = {"field": q["field"], "patient": q["patient"]}
            if q["field"] in answers:
                item["value"] = answers[q["field"]]
            elif not q["mandatory"]:
                item["skip"] = True
            elif q["choices"]:
                first = q["choices"][0]["code"]
                item["value"] = [first] if q["multiple"] else first
            elif q["search"]:
                item["value"] = ["G81019"]
            elif q["type"] == "integer":
                item["value"] = 1
            elif q["type"] == "date":
                item["value"] = time.strftime("%Y-%m-%d")
            else:
                item["value"] = "Made up for a browser test."
            q = self.api(who, "POST", f"/records/{record_id}/answers", {"answers": [item]})["next_question"]
        else:
            raise AssertionError("the plan kept asking")
        if submit:
            return self.api(who, "POST", f"/records/{record_id}/submit")["record"]
        return self.api(who, "GET", f"/records/{record_id}")


@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    why = browser_missing()
    if why:
        pytest.skip(why)
    server = WebServer(tmp_path_factory.mktemp("web"))
    try:
        yield server.start()
    finally:
        server.stop()


class DriverError(AssertionError):
    pass


class Browser:
    """One headless Chromium (web/browser_driver.mjs). `new_page()` starts a fresh browser context (no
    cookies). Every command answers with the page's url, title, last HTTP status and JavaScript errors."""

    def __init__(self, base_url: str, tmp: Path) -> None:
        self.base = base_url
        self.tmp = tmp
        self.user: str | None = None  # who this context is signed in as
        self.stderr = open(tmp / "driver.stderr", "w")
        self.proc = subprocess.Popen(["node", str(DRIVER)], cwd=ROOT / "web", stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     env={"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                          "CHROMIUM": CHROMIUM, "AXE": str(AXE), "HOME": str(tmp)})
        ready = self._read()
        assert ready.get("ready"), ready

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            raise DriverError(f"the browser driver exited: {(self.tmp / 'driver.stderr').read_text()[-3000:]}")
        return json.loads(line)

    def do(self, cmd: str, **args: Any) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        out = self._read()
        if "error" in out:
            raise DriverError(f"{cmd} {args}: {out['error']}\n(page: {out.get('url')})")
        return out

    def url_of(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def path(self) -> str:
        return self.js("location.pathname + location.search")

    # Shorthands
    def new_page(self) -> dict:
        self.user = None
        return self.do("newPage")

    def goto(self, path: str) -> dict:
        return self.do("goto", url=self.url_of(path))

    def click(self, selector: str, nav: bool = True) -> dict:
        return self.do("click", selector=selector, nav=nav)

    def fill(self, selector: str, value: str) -> dict:
        return self.do("fill", selector=selector, value=value)

    def check(self, selector: str) -> dict:
        return self.do("check", selector=selector)

    def press(self, key: str, nav: bool = False) -> dict:
        return self.do("press", key=key, nav=nav)

    def tabs(self, count: int) -> list[dict]:
        return self.do("tabs", count=count)["focused"]

    def js(self, expression: str) -> Any:
        return self.do("eval", expression=expression).get("value")  # undefined: None

    def text(self, selector: str = "main") -> str:
        return self.js(f"document.querySelector({json.dumps(selector)})?.innerText ?? ''")

    def exists(self, selector: str) -> bool:
        return self.js(f"!!document.querySelector({json.dumps(selector)})")

    def axe(self) -> dict:
        return self.do("axe")

    def sign_in(self, server: WebServer, who: str, next_path: str = "/records") -> dict:
        self.new_page()
        self.goto(f"/sign-in?next={next_path}")
        self.fill("#email", server.email(who))
        self.fill("#password", server.password(who))
        out = self.click("form[action='/sign-in'] button[type=submit]")
        assert out["url"].startswith(self.url_of(next_path)), out
        self.user = who
        return out

    def as_user(self, server: WebServer, who: str | None) -> None:
        """Signed in as who (None: signed out), reusing the context when it already is."""
        if who is None:
            if self.user is not None:
                self.new_page()
        elif self.user != who:
            self.sign_in(server, who)

    def requests(self) -> list[str]:
        """Every URL this browser has requested, in every context so far."""
        return self.do("requests")["allRequests"]

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        self.stderr.close()


def not_local(urls: list[str]) -> list[str]:
    """The URLs that leave this machine: anything but 127.0.0.1 (data: and blob: URLs stay in the page)."""
    from urllib.parse import urlsplit

    return [u for u in urls if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"]


@pytest.fixture(scope="module")
def browser(web_server, tmp_path_factory):
    b = Browser(web_server.url, tmp_path_factory.mktemp("browser"))
    b.new_page()
    try:
        yield b
    finally:
        b.close()
