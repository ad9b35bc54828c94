"""The Teams channel's side of the end-to-end system: local fakes of Microsoft's endpoints (which cannot
run here), tokens signed with a local key, and the environment that points the Rasa server at them.
conftest.py passes `teams_microsoft.env` to the system before it starts."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

import pytest

from tests.e2e.system import ROOT
from tests.support.teams_fake import FakeMicrosoft

APP_ID = "e2e00000-0000-4000-8000-00000000b07"
APP_PASSWORD = "e2e-teams-app-password-not-a-secret"
TOKEN_LIFETIME = 6 * 3600  # outlives the session; real Bot Framework tokens last about an hour


@dataclass
class TeamsMicrosoft:
    fake: FakeMicrosoft
    tokens: dict[str, str]  # valid, expired, wrong_signature, wrong_audience

    @property
    def env(self) -> dict[str, str]:
        return {
            "TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": APP_PASSWORD,
            "TEAMS_OPENID_URL": self.fake.openid_url, "TEAMS_TOKEN_URL": self.fake.token_url,
            "TEAMS_SERVICE_URLS": "http://127.0.0.1:*",
            # Each POST returns once the turn is done, so the replies are there to read.
            "TEAMS_REPLY_WITHIN_SECONDS": "120",
        }


@pytest.fixture(scope="session")
def teams_microsoft():
    fake = FakeMicrosoft(APP_ID, APP_PASSWORD).start()
    # Signing needs `cryptography`, which only the bot environment has.
    out = subprocess.run([str(ROOT / ".venv/bot/bin/python"), "-m", "tests.support.teams_tokens", APP_ID,
                          fake.service_url, str(TOKEN_LIFETIME)], cwd=ROOT, check=True, capture_output=True, text=True)
    bundle = json.loads(out.stdout)
    fake.jwks = bundle["jwks"]
    try:
        yield TeamsMicrosoft(fake, bundle["tokens"])
    finally:
        fake.stop()
