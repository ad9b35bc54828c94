"""Bot Framework style tokens signed with a locally generated RSA key (the real keys are Microsoft's).

Needs `cryptography`, which only the bot environment has; the end-to-end tests (backend environment)
run this module with the bot environment's Python to get a key set and ready-made tokens as JSON."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


def new_key(kid: str, endorsements: tuple[str, ...] = ("msteams",)) -> tuple[Any, dict[str, Any]]:
    """A private key and its public JWK, shaped like Bot Framework's (with endorsements)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    return private, {**public, "kid": kid, "use": "sig", "alg": "RS256", "endorsements": list(endorsements)}


def claims(app_id: str, service_url: str, lifetime: int = 3600, **override: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": app_id, "serviceurl": service_url, "nbf": now - 60, "exp": now + lifetime}
    base.update(override)
    return {k: v for k, v in base.items() if v is not None}


def sign(private: Any, kid: str, payload: dict[str, Any]) -> str:
    return jwt.encode(payload, private, algorithm="RS256", headers={"kid": kid})


def bundle(app_id: str, service_url: str, lifetime: int) -> dict[str, Any]:
    """The key set to serve, and one token per case the end-to-end tests send."""
    good, good_jwk = new_key("e2e-key")
    rogue, _ = new_key("e2e-key")  # same kid, different key: a forged signature
    return {
        "jwks": {"keys": [good_jwk]},
        "tokens": {
            "valid": sign(good, "e2e-key", claims(app_id, service_url, lifetime)),
            "expired": sign(good, "e2e-key", claims(app_id, service_url, exp=int(time.time()) - 3600,
                                                    nbf=int(time.time()) - 7200)),
            "wrong_signature": sign(rogue, "e2e-key", claims(app_id, service_url, lifetime)),
            "wrong_audience": sign(good, "e2e-key", claims("another-bots-app-id", service_url, lifetime)),
        },
    }


if __name__ == "__main__":  # python -m tests.support.teams_tokens APP_ID SERVICE_URL LIFETIME_SECONDS
    print(json.dumps(bundle(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
