"""A public reporter's conversation key ("sms:+44...", "voice:CA...") is stored only as a keyed hash.

An unkeyed SHA-256 of a phone number is reversed by trying every UK mobile number (about half an hour
on one core); under an HMAC with its own secret (PUBLIC_KEY_SECRET) the stored hashes say nothing
without that secret. Rotation: set the new secret, keep the old one in PUBLIC_KEY_SECRET_PREVIOUS
while reporters may come back; each reporter's records move to the new hash on their next request.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.config import Settings
from backend.database.core import rows_changed
from backend.records.models import EventRecord


def hash_public_key(conversation_key: str, secret: str) -> str:
    return hmac.new(secret.encode(), conversation_key.encode("utf-8"), hashlib.sha256).hexdigest()


def public_key_hash(db: Session, settings: Settings, conversation_key: str) -> str:
    """The key's hash under the current secret, moving records stored under the previous one to it."""
    current = hash_public_key(conversation_key, settings.public_key_secret_value())
    if settings.public_key_secret_previous is not None:
        previous = hash_public_key(conversation_key, settings.public_key_secret_previous.get_secret_value())
        moved = db.execute(update(EventRecord).where(EventRecord.public_key_hash == previous)
                           .values(public_key_hash=current))
        if rows_changed(moved):
            db.commit()
    return current
