from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_unknown_hash: str | None = None


def spend_the_same_time(password: str) -> None:
    """A check against a hash no password matches, so an unknown e-mail costs what a known one does."""
    global _unknown_hash
    if _unknown_hash is None:
        _unknown_hash = hash_password("no account has this password: it only makes the check take its time")
    verify_password(_unknown_hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
