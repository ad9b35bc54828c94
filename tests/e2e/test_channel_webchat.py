"""End to end, the web chat: a socket.io client with and without a staff token (python-socketio, from
the bot environment, which has it), and the widget on the backend's /chat page in headless Chromium
(web/webchat_driver.mjs, playwright-core with Debian's chromium): a member of the public completes a
report by clicking the buttons and typing answers, and a member of staff resumes a draft.

Needs scripts/ensure-browser.sh to have run (Chromium, web/node_modules, var/web/widget.js); the
browser tests are skipped with the reason when it has not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
BOT_PY = ROOT / ".venv/bot/bin/python"


def socketio_client(rasa_url: str, token: str | None, messages: list[str]) -> dict:
    """Runs under the bot venv (python-socketio): connects, asks for a session, says each message."""
    import asyncio

    import socketio

    async def run() -> dict:
        sio = socketio.AsyncClient(reconnection=False)
        bot: asyncio.Queue = asyncio.Queue()
        confirmed: asyncio.Queue = asyncio.Queue()
        sio.on("bot_uttered", bot.put_nowait)
        sio.on("session_confirm", confirmed.put_nowait)
        outcome: asyncio.Queue = asyncio.Queue()
        sio.on("connect", lambda: outcome.put_nowait(None))
        sio.on("connect_error", lambda data=None: outcome.put_nowait(data or "refused"))
        # wait=False: on a refusal python-socketio's own wait would sit out the server's long poll (~30 s).
        await sio.connect(rasa_url, auth={"staff_token": token} if token else None, transports=["polling"],
                          wait=False)
        refusal = await asyncio.wait_for(outcome.get(), 10)
        if refusal is not None:
            await sio.eio.disconnect(abort=True)
            return {"refused": str(refusal)}
        await sio.emit("session_request", {"session_id": "a-conversation-the-client-chose"})
        session = await asyncio.wait_for(confirmed.get(), 10)
        turns = []
        for text in messages:
            await sio.emit("user_uttered", {"message": text, "metadata": {"account_id": 1}})
            replies = [await asyncio.wait_for(bot.get(), 120)]
            while True:  # the rest of this turn's messages
                try:
                    replies.append(await asyncio.wait_for(bot.get(), 3))
                except asyncio.TimeoutError:
                    break
            turns.append(replies)
        await sio.eio.disconnect(abort=True)  # without waiting for the long poll to end
        return {"session": session, "turns": turns}

    return asyncio.run(run())


def run_client(system, token: str | None, messages: list[str]) -> dict:
    done = subprocess.run([str(BOT_PY), __file__, json.dumps([f"http://127.0.0.1:{system.rasa_port}", token, messages])],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":  # the socket.io client, run by the bot venv's python
    sys.path.insert(0, str(ROOT))
    print(json.dumps(socketio_client(*json.loads(sys.argv[1]))))
    sys.exit(0)


import pytest  # noqa: E402

from tests.e2e.reporter import TURNS, Reporter  # noqa: E402
from tests.e2e.system import http  # noqa: E402


def _text(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def _web_draft(system, staff_token: str, description: str) -> str:
    status, created = http("POST", f"{system.backend}/api/v1/records", {
        "event_type": "risk", "channel": "web", "answers": [{"field": "Description", "value": description}],
    }, {"Authorization": f"Bearer {staff_token}"})
    assert status == 201, created
    return created["record"]["id"]


def _not_logged(system, token: str) -> None:
    logs = {p.name: p.read_text() for p in system.tmp.glob("*.log")}
    assert {"backend.log", "rasa.log"} <= logs.keys()
    assert not [name for name, text in logs.items() if token in text]


def test_socketio_public_conversation_is_assigned_by_the_server(system):
    out = run_client(system, None, ["/greet"])
    assert out["session"].startswith("webchat-") and out["session"] != "a-conversation-the-client-chose"
    assert _text(out["turns"][0]).strip()


def test_socketio_with_a_staff_token_resumes_the_staff_members_draft(system, staff_token):
    _web_draft(system, staff_token, "Socket test: the sharps bin on ward 2 is overflowing")
    out = run_client(system, staff_token, ["resume my draft"])
    listing = _text(out["turns"][0])
    assert "Which draft?" in listing and "sharps bin on ward 2" in listing


def test_socketio_with_an_invalid_staff_token_is_refused(system, staff_token):
    assert "refused" in run_client(system, staff_token[:-4] + "AAAA", ["hello"])
    _not_logged(system, staff_token)
    # The metadata a client sends is ignored: no token, no account, so no staff drafts.
    out = run_client(system, None, ["resume my draft"])
    assert "sharps bin on ward 2" not in _text(out["turns"][0])


# --- The widget in headless Chromium --------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = ROOT / "web/webchat_driver.mjs"
browser_ready = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and (ROOT / "web/node_modules/playwright-core").is_dir()
         and (ROOT / "var/web/widget.js").is_file() and shutil.which("node")),
    reason="run scripts/ensure-browser.sh (Chromium, the widget's npm packages and build)")


class BrowserReporter(Reporter):
    """The e2e Reporter, talking through the widget: buttons are clicked when one matches the reply."""

    def __init__(self, system, page_url: str) -> None:
        super().__init__(system, sender="")
        self.proc = subprocess.Popen(["node", str(DRIVER), page_url], cwd=ROOT / "web", stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env={"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
                                                                           "PATH": "/usr/bin:/bin", "CHROMIUM": CHROMIUM})
        self.page = self._read()
        self.sender = self.page.get("conversation", "")
        self.clicked: list[str] = []

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        assert line, "the browser driver exited"
        out = json.loads(line)
        assert "error" not in out, out["error"]
        return out

    def say(self, text: str) -> list[dict]:
        self.proc.stdin.write(json.dumps({"say": text}) + "\n")
        self.proc.stdin.flush()
        out = self._read()
        if out["clicked"]:
            self.clicked.append(out["clicked"])
        self.turns += 1
        self.transcript.append((text, out["replies"]))
        return out["replies"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _page(system, staff_token: str | None = None) -> str:
    url = f"{system.backend}/chat"  # the page names the configured Rasa server (RASA_PUBLIC_URL)
    return url + (f"#{urlencode({'staff_token': staff_token})}" if staff_token else "")


def test_the_chat_page_and_widget_are_served(system):
    import urllib.request

    with urllib.request.urlopen(_page(system)) as r:
        page = r.read().decode()
    assert '<label for="webchat-input">' in page and f'data-rasa-url="http://127.0.0.1:{system.rasa_port}"' in page
    assert 'src="/chat/static/widget.js"' in page
    if (ROOT / "var/web/widget.js").is_file():
        with urllib.request.urlopen(f"{system.backend}/chat/static/widget.js") as r:
            assert r.headers["Content-Type"].startswith("text/javascript") and b"session_request" in r.read()


@browser_ready
def test_a_member_of_the_public_completes_a_report_in_the_widget(system):
    public = BrowserReporter(system, _page(system))
    try:
        assert public.page["state"] == "connected" and public.page["label"] == "Your message"
        act = {"public_key": f"socketio:{public.sender}"}
        out = public.text(public.say("The ramp outside Beacon Surgery is broken and someone in a wheelchair is "
                                     "going to fall"))
        if "understood" in out:
            public.say("yes")
        items = public.backend("GET", "/records?status=draft", **act)["items"]
        assert items, public.transcript
        record_id = items[0]["id"]
        recap = public.text(public.answer_questions(record_id, act, {
            "EventType": "Something could cause harm in the future", "Organisation": "Beacon Surgery",
            "ServiceArea": "GP", "RiskImminent": "no", "ReporterType": "I am the patient", "IsAnonymous": "no",
            "ReporterContact": "skip", "DataSharingOptOut": "yes",
        }))
        assert "check" in recap.lower(), recap
        done = public.text(public.say("yes"))
        assert "PSE-" in done, public.transcript[-3:]
        assert public.clicked, "no button was clicked"
        record = public.backend("GET", f"/records/{record_id}", **act)
        assert record["status"] == "submitted" and record["channel"] == "chat" and record["audience"] == "public"
        TURNS["public risk in the web chat widget"] = public.turns
    finally:
        public.close()


@browser_ready
def test_a_member_of_staff_resumes_a_draft_in_the_widget(system, staff_token):
    _web_draft(system, staff_token, "Widget test: the resus trolley on ward 9 was not checked")
    staff = BrowserReporter(system, _page(system, staff_token))
    try:
        assert staff.page["state"] == "connected" and "staff_token" not in staff.page["url"]
        assert staff.page["who"] == "You are reporting as a member of staff."
        listing = staff.text(staff.say("resume my draft"))
        assert "Which draft?" in listing and "resus trolley on ward 9" in listing
        number = next(line.split(".")[0] for line in listing.splitlines() if "resus trolley" in line)
        carried_on = staff.text(staff.say(number))
        # The draft started on the web form goes on in the widget from its first missing question.
        assert "Carrying on with that draft." in carried_on and "?" in carried_on.split("Carrying on with that draft.")[1]
        _not_logged(system, staff_token)
    finally:
        staff.close()


@browser_ready
def test_an_invalid_staff_token_is_refused_in_the_widget(system, staff_token):
    refused = BrowserReporter(system, _page(system, staff_token[:-4] + "AAAA"))
    try:
        assert refused.page["state"] == "refused" and not refused.sender
    finally:
        refused.close()
