"""Issue and redeem resume codes.

Eight digits: easy to key on a phone, and with the attempt limits below guessing one is
impractical (10^8 codes; at most GLOBAL_FAILURES wrong tries per window across all callers).
A code is single use and expires; redeeming it moves the draft to the caller's conversation key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

from fastapi import HTTPException, status
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend.audit import service as audit
from backend.auth import permissions
from backend.auth.principal import Principal
from backend.records.models import EventRecord
from backend.resume_codes.models import ResumeAttempt, ResumeCode

DIGITS = 8
WINDOW = timedelta(minutes=15)
KEY_FAILURES = 5  # wrong codes from one conversation key per window
GLOBAL_FAILURES = 200  # wrong codes from everyone per window: a caller can make a new key per call
NOT_FOUND = "No saved report matches that code. It may have expired or already been used."


def _now() -> datetime:
    return datetime.now(timezone.utc)


def normalise(code: str) -> str | None:
    """'1234 5678', '*12345678#', '1234-5678' as '12345678'; anything else is not a code."""
    digits = re.sub(r"[\s*#-]", "", code or "")
    return digits if len(digits) == DIGITS and digits.isascii() and digits.isdigit() else None


def _hash(secret: str, code: str) -> str:
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


def issue(db: Session, who: Principal, record: EventRecord, secret: str, hours: int) -> tuple[str, datetime]:
    """A new code for a draft the caller may edit; earlier codes for it stop working."""
    if not permissions.can_edit_draft(who, record):
        raise HTTPException(status.HTTP_409_CONFLICT, "Only an unfinished draft of your own can have a code")
    now = _now()
    db.execute(delete(ResumeCode).where((ResumeCode.record_id == record.id) | (ResumeCode.expires_at < now)))
    expires = now + timedelta(hours=hours)
    for _ in range(5):  # a clash with another live code is rare; pick again
        code = f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"
        if db.scalar(select(ResumeCode.id).where(ResumeCode.code_hash == _hash(secret, code))) is None:
            break
    else:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Could not make a code; try again")
    db.add(ResumeCode(record_id=record.id, code_hash=_hash(secret, code), expires_at=expires))
    audit.record(db, who, "record", record.public_id, "resume_code_issued")
    db.commit()
    return code, expires


def _failures_since(db: Session, since: datetime, key_hash: str | None = None) -> int:
    stmt = select(func.count()).select_from(ResumeAttempt).where(ResumeAttempt.at >= since,
                                                                 ResumeAttempt.succeeded.is_(False))
    if key_hash is not None:
        stmt = stmt.where(ResumeAttempt.key_hash == key_hash)
    return db.scalar(stmt) or 0


def redeem(db: Session, who: Principal, raw_code: str, secret: str) -> EventRecord:
    """The draft the code belongs to, now owned by the caller's conversation key."""
    if not who.is_public:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Staff carry on their drafts from their own list")
    code = normalise(raw_code)
    if code is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"A code is {DIGITS} digits")
    now = _now()
    since = now - WINDOW
    if (_failures_since(db, since, who.public_key_hash) >= KEY_FAILURES
            or _failures_since(db, since) >= GLOBAL_FAILURES):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "Too many wrong codes; try again later",
                            {"Retry-After": str(int(WINDOW.total_seconds()))})
    found = db.scalar(select(ResumeCode).where(ResumeCode.code_hash == _hash(secret, code)))
    record = db.get(EventRecord, found.record_id) if found else None
    usable = (found is not None and found.used_at is None and found.expires_at > now and record is not None
              and record.status == "draft" and record.owner_account_id is None)
    db.add(ResumeAttempt(key_hash=who.public_key_hash, at=now, succeeded=usable))
    if not usable:
        db.commit()  # the failed try counts even though the request fails
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    found.used_at = now
    record.public_key_hash = who.public_key_hash
    audit.record(db, who, "record", record.public_id, "resumed_with_code")
    db.commit()
    return record
