"""The action server (actions/server.py), started as `make run` starts it: bound to ACTIONS_HOST, and
refusing every call without Rasa's credential, so a forged tracker cannot act for anyone (issue 15)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "action-server-test-credential-0123456789"
# What someone who reached the port would send: a tracker claiming to be account 1, asking for its drafts.
FORGED = {"next_action": "action_list_drafts", "sender_id": "attacker", "version": "3.6.21", "domain": {},
          "tracker": {"sender_id": "attacker", "slots": {"account_id": "1"}, "latest_message": {"text": "resume"},
                      "events": [], "paused": False, "followup_action": None, "active_loop": {},
                      "latest_action_name": "action_listen"}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, body: object | None = None, token: str | None = None) -> int:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except urllib.error.URLError:
        return 0  # not listening (yet)


@pytest.fixture(scope="module")
def action_server():
    port = free_port()
    env = {**os.environ, "ACTION_SERVER_TOKEN": TOKEN, "ACTIONS_HOST": "127.0.0.1", "BACKEND_URL": "http://127.0.0.1:9"}
    proc = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    began = time.monotonic()
    while call(f"http://127.0.0.1:{port}/health") != 200:
        if proc.poll() is not None or time.monotonic() - began > 120:
            proc.kill()
            pytest.fail(f"the action server did not start: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.3)
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_a_forged_request_is_refused(action_server):
    url = f"http://127.0.0.1:{action_server}"
    assert call(f"{url}/webhook", FORGED) == 401
    assert call(f"{url}/webhook", FORGED, token="a-guess-at-the-credential") == 401
    assert call(f"{url}/actions") == 401
    assert call(f"{url}/actions", token=TOKEN) == 200  # Rasa's credential is let through


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening socket on `port`, from the kernel's table (Linux)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_it_listens_only_on_the_configured_host(action_server):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    assert listening_addresses(action_server) == {"0100007F"}  # 127.0.0.1, never 0.0.0.0 (00000000)


def test_it_refuses_to_start_without_a_credential():
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    r = subprocess.run([sys.executable, "-m", "actions.server", "--port", str(free_port())], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "ACTION_SERVER_TOKEN is not set" in r.stderr
