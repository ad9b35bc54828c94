"""The SMS conversation id: a keyed hash of the sender's number, so Rasa's tracker, the logs and the
backend never hold the number, and the id cannot be worked back to it without the secret (every UK
mobile number can be tried against an unkeyed hash in minutes). No Rasa import: the end-to-end tests
use it to find an SMS reporter's drafts."""

from __future__ import annotations

import hashlib
import hmac


def default_secret(auth_token: str) -> str:
    """Without CONVERSATION_KEY_SECRET: a key derived from the Twilio auth token (rotating that token
    then starts new conversations; drafts stay in the backend, reachable by their codes)."""
    return hmac.new(auth_token.encode(), b"sms conversation id", hashlib.sha256).hexdigest()


def sms_conversation_id(number: str, secret: str) -> str:
    return "sms-" + hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()[:32]
