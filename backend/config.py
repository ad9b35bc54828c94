"""Settings from the environment (prefix-free names, e.g. DATABASE_URL), with embedded defaults.

Development runs with no configuration at all: a SQLite file under var/ and secrets generated once
per checkout into var/dev-secrets.json (ignored by git). Production refuses to start without real
secrets, so a forgotten variable fails fast instead of running with a guessable key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.private_files import write_private

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
NARRATIVE_MODEL_DIR = VAR_DIR / "narrative-model"


def dev_secret(name: str, var_dir: Path | None = None) -> str:
    """A random secret kept in var/dev-secrets.json (mode 0600 from creation) so restarts keep tokens valid."""
    path = (var_dir or VAR_DIR) / "dev-secrets.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = secrets.token_urlsafe(32)
        write_private(path, json.dumps(stored, indent=2))
    return stored[name]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{VAR_DIR / 'lfpse.db'}"
    # Signs staff access tokens (JWT, HS256).
    secret_key: SecretStr | None = None
    # The action server's credential; it acts on behalf of the person in the conversation.
    service_token: SecretStr | None = None
    # Keys the hash under which a public reporter's conversation key (e.g. "sms:+44...") is stored, so the
    # stored hashes cannot be reversed by trying every phone number. Its own key, so rotating SECRET_KEY
    # leaves public drafts with their conversations. To rotate it: the old value in
    # PUBLIC_KEY_SECRET_PREVIOUS, the new one here; a reporter's records move to the new hash on their
    # next request (auth.public_keys).
    public_key_secret: SecretStr | None = None
    public_key_secret_previous: SecretStr | None = None
    access_token_minutes: int = 8 * 60
    # How long a public reporter's resume code (a phoned draft carried into a later call or SMS) works.
    resume_code_hours: int = 7 * 24
    # After this many days a deleted draft's content, old resume code tries and old conversations in
    # Rasa's tracker store are purged (`python -m backend.cli purge`, daily in production).
    retention_days: int = 90
    # Rasa's tracker store, for the purge (a SQLAlchemy URL); unset, conversations are not purged.
    tracker_database_url: str | None = None
    # Request bodies larger than this are refused (413) before anything parses them (body_limit.py).
    max_body_bytes: int = 1024 * 1024
    run_migrations_on_startup: bool = True
    # Sign-in throttling (backend/auth/throttle.py): failed tries per e-mail and per client in the window.
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_client: int = 20
    sign_in_window_minutes: int = 15
    # The narrative analysis pipeline, built from the project's data on first use (never committed).
    narrative_model_dir: Path = NARRATIVE_MODEL_DIR

    @field_validator("public_key_secret", "public_key_secret_previous", "tracker_database_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # Compose passes an optional variable that is not set as "": never an empty HMAC key.
        return None if value == "" else value

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        for name in ("secret_key", "service_token"):
            if getattr(self, name) is None:
                if self.environment == "production":
                    raise ValueError(f"{name.upper()} must be set in production")
                setattr(self, name, SecretStr(dev_secret(name)))
            elif self.environment == "production" and (why := weak_secret(getattr(self, name).get_secret_value())):
                raise ValueError(f"{name.upper()} is too weak for production: {why} (e.g. openssl rand -hex 32)")
        if self.environment == "production" and self.secret_key == self.service_token:
            raise ValueError("SECRET_KEY and SERVICE_TOKEN must differ")
        if self.public_key_secret is None:
            # Production (and tests) without its own key: one derived from SECRET_KEY, still secret, but
            # then rotating SECRET_KEY parts public drafts from their conversations (docs/deployment.md).
            self.public_key_secret = SecretStr(
                dev_secret("public_key_secret") if self.environment == "development" else
                hmac.new(self.secret_key_value().encode(), b"public-key-secret", hashlib.sha256).hexdigest()
            )
        return self

    # The validator above fills both secrets, so after construction they are never None.
    def secret_key_value(self) -> str:
        return _revealed(self.secret_key, "secret_key")

    def service_token_value(self) -> str:
        return _revealed(self.service_token, "service_token")

    def public_key_secret_value(self) -> str:
        return _revealed(self.public_key_secret, "public_key_secret")


def _revealed(secret: SecretStr | None, name: str) -> str:
    if secret is None:
        raise RuntimeError(f"{name} is unset: Settings fills it when built, so something cleared it since")
    return secret.get_secret_value()


MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10


def weak_secret(value: str) -> str | None:
    """Why a secret is too weak to sign tokens or guard the service credential, or None. Catches
    placeholders and short or repetitive values; a random 32 bytes in hex or base64 passes."""
    if len(value) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return f"fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    if any(word in value.lower() for word in ("changeme", "change-me", "secret", "password", "example")):
        return "it looks like a placeholder"
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
