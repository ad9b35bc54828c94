"""Talk to the running assistant in the terminal through its REST channel (`make run` first).

    python scripts/chat.py                           # as a member of the public
    python scripts/chat.py --staff standard@demo.example   # signed in (demo password from var/)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def post(url: str, body: dict, headers: dict, form: bool = False) -> object:
    data = urllib.parse.urlencode(body).encode() if form else json.dumps(body).encode()
    kind = "application/x-www-form-urlencoded" if form else "application/json"
    req = urllib.request.Request(url, data=data, headers={**headers, "Content-Type": kind})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", metavar="EMAIL", help="sign in as this demo account")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--backend", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    def secret(name: str) -> str:
        return subprocess.run([sys.executable, "-m", "backend.cli", "dev-secret", name], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    # make run-production (and any configured deployment) sets the token; make run generates one.
    token = os.environ.get("REST_CHANNEL_TOKEN") or secret("rest_channel_token")
    headers = {"Authorization": f"Bearer {token}"}
    body: dict = {"sender": f"terminal-{uuid.uuid4().hex[:8]}"}
    if args.staff:
        rows = dict(line.split("\t")[0::2] for line in (ROOT / "var" / "demo-accounts.txt").read_text().splitlines())
        token = post(f"{args.backend}/api/v1/auth/token", {"username": args.staff, "password": rows[args.staff]}, {}, form=True)
        body["staff_token"] = token["access_token"]
    print("Say hello to start; Ctrl-D to leave.")
    while True:
        try:
            text = input("you> ")
        except EOFError:
            return 0
        for msg in post(f"{args.rasa}/webhooks/rest/webhook", {**body, "message": text}, headers):
            print("bot>", msg.get("text", ""))
            for i, b in enumerate(msg.get("buttons") or [], 1):
                print(f"      [{i}] {b['title']}")


if __name__ == "__main__":
    sys.exit(main())
