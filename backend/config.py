"""Settings from the environment (prefix-free names, e.g. DATABASE_URL), with embedded defaults.

Development runs with no configuration at all: a SQLite file under var/ and secrets generated once
per checkout into var/dev-secrets.json (ignored by git). Production refuses to start without real
secrets, so a forgotten variable fails fast instead of running with a guessable key.
"""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
NARRATIVE_MODEL_DIR = VAR_DIR / "narrative-model"


def dev_secret(name: str) -> str:
    """A random secret kept in var/dev-secrets.json so restarts keep tokens valid."""
    path = VAR_DIR / "dev-secrets.json"
    VAR_DIR.mkdir(exist_ok=True)
    stored = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = secrets.token_urlsafe(32)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored[name]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{VAR_DIR / 'lfpse.db'}"
    # Signs staff access tokens (JWT, HS256).
    secret_key: SecretStr | None = None
    # The action server's credential; it acts on behalf of the person in the conversation.
    service_token: SecretStr | None = None
    access_token_minutes: int = 8 * 60
    # How long a public reporter's resume code (a phoned draft carried into a later call or SMS) works.
    resume_code_hours: int = 7 * 24
    run_migrations_on_startup: bool = True
    # Sign-in throttling (backend/auth/throttle.py): failed tries per e-mail and per client in the window.
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_client: int = 20
    sign_in_window_minutes: int = 15
    # The narrative analysis pipeline, built from the project's data on first use (never committed).
    narrative_model_dir: Path = NARRATIVE_MODEL_DIR

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
        return self

    # The validator above fills both secrets, so after construction they are never None.
    def secret_key_value(self) -> str:
        return _revealed(self.secret_key, "secret_key")

    def service_token_value(self) -> str:
        return _revealed(self.service_token, "service_token")


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
