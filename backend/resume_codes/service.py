"""Issue and redeem resume codes.

A code is twelve digits: a four-digit locator, which finds the code and is unique among live codes,
and an eight-digit secret, stored only as a keyed hash. Limits (README, "Resume codes", has the
arithmetic):

- per code: a code takes at most CODE_TRIES wrong secrets in its whole life, then stops working, so
  the chance of guessing any one code is at most CODE_TRIES / 10^8 however many callers try;
- per source (a conversation key): at most KEY_FAILURES wrong codes per WINDOW, so one caller cannot
  sweep the locators.

There is no limit across all callers: it was a lockout for everyone (about 40 web chats kept every
caller on 429). Both counts are taken atomically in the database (a conditional UPDATE, an upsert),
so concurrent tries cannot overshoot them, on SQLite and PostgreSQL alike.
A code is single use and expires; redeeming it moves the draft to the caller's conversation key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

from fastapi import HTTPException, status
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.audit import service as audit
from backend.auth import permissions
from backend.auth.principal import Principal
from backend.database.core import rows_changed
from backend.records.models import EventRecord
from backend.resume_codes.models import ResumeCode, ResumeSourceTries

LOCATOR_DIGITS = 4
SECRET_DIGITS = 8
DIGITS = LOCATOR_DIGITS + SECRET_DIGITS
CODE_TRIES = 5  # wrong secrets a code takes in its life
WINDOW = timedelta(minutes=15)
KEY_FAILURES = 5  # wrong codes from one conversation key per window
NOT_FOUND = "No saved report matches that code. It may have expired or already been used."


def _now() -> datetime:
    return datetime.now(timezone.utc)


def normalise(code: str) -> str | None:
    """'1234 5678 9012', '*123456789012#', '1234-5678-9012' as '123456789012'; anything else is not a code."""
    digits = re.sub(r"[\s*#-]", "", code or "")
    return digits if len(digits) == DIGITS and digits.isascii() and digits.isdigit() else None


def _hash(secret: str, code: str) -> str:
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


def _live(now: datetime):
    return ResumeCode.used_at.is_(None) & (ResumeCode.expires_at > now)


def issue(db: Session, who: Principal, record: EventRecord, secret: str, hours: int) -> tuple[str, datetime]:
    """A new code for a draft the caller may edit; earlier codes for it stop working."""
    if not permissions.can_edit_draft(who, record):
        raise HTTPException(status.HTTP_409_CONFLICT, "Only an unfinished draft of your own can have a code")
    now = _now()
    db.execute(delete(ResumeCode).where((ResumeCode.record_id == record.id) | (ResumeCode.expires_at < now)))
    expires = now + timedelta(hours=hours)
    for _ in range(20):  # a locator in use by another live code is rare while live codes are few; pick again
        locator = f"{secrets.randbelow(10 ** LOCATOR_DIGITS):0{LOCATOR_DIGITS}d}"
        if db.scalar(select(ResumeCode.id).where(ResumeCode.locator == locator, _live(now))) is None:
            break
    else:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Could not make a code; try again")
    code = locator + f"{secrets.randbelow(10 ** SECRET_DIGITS):0{SECRET_DIGITS}d}"
    db.add(ResumeCode(record_id=record.id, locator=locator, code_hash=_hash(secret, code), expires_at=expires))
    audit.record(db, who, "record", record.public_id, "resume_code_issued")
    db.commit()
    return code, expires


def _count_source_try(db: Session, key_hash: str, now: datetime) -> int:
    """Adds one to this source's tries in the current window and returns the new count, in one statement."""
    window = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % int(WINDOW.total_seconds() // 60))
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    table = ResumeSourceTries.__table__
    stmt = dialect.insert(table).values(key_hash=key_hash, window_start=window, tries=1)
    stmt = stmt.on_conflict_do_update(index_elements=["key_hash", "window_start"],
                                      set_={"tries": table.c.tries + 1}).returning(table.c.tries)
    return db.execute(stmt).scalar_one()


def _uncount_source_try(db: Session, key_hash: str, now: datetime) -> None:
    window = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % int(WINDOW.total_seconds() // 60))
    db.execute(update(ResumeSourceTries).where(ResumeSourceTries.key_hash == key_hash,
                                               ResumeSourceTries.window_start == window)
               .values(tries=ResumeSourceTries.tries - 1))


def redeem(db: Session, who: Principal, raw_code: str, secret: str, now: datetime | None = None) -> EventRecord:
    """The draft the code belongs to, now owned by the caller's conversation key."""
    if not who.is_public:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Staff carry on their drafts from their own list")
    code = normalise(raw_code)
    if code is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"A code is {DIGITS} digits")
    source = who.public_key_hash
    assert source is not None  # a public principal always has its key's hash
    now = now or _now()
    # Each try is counted before it is judged, so concurrent tries cannot all slip under the limit.
    if _count_source_try(db, source, now) > KEY_FAILURES:
        db.commit()
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "Too many wrong codes; try again later",
                            {"Retry-After": str(int(WINDOW.total_seconds()))})
    # Take one of the code's tries: the conditional UPDATE is atomic, so its limit holds under concurrency.
    candidates = db.execute(
        update(ResumeCode)
        .where(ResumeCode.locator == code[:LOCATOR_DIGITS], _live(now), ResumeCode.tries < CODE_TRIES)
        .values(tries=ResumeCode.tries + 1)
        .returning(ResumeCode.id, ResumeCode.code_hash, ResumeCode.record_id)
        .execution_options(synchronize_session=False)
    ).all()
    match = next((c for c in candidates if hmac.compare_digest(c.code_hash, _hash(secret, code))), None)
    record = db.get(EventRecord, match.record_id) if match else None
    if match is None or record is None or record.status != "draft" or record.owner_account_id is not None:
        db.commit()  # the failed try counts even though the request fails
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    # Single use: only one of two concurrent redemptions of the same code sets used_at.
    used = rows_changed(db.execute(update(ResumeCode).where(ResumeCode.id == match.id, ResumeCode.used_at.is_(None))
                      .values(used_at=now, tries=ResumeCode.tries - 1)
                      .execution_options(synchronize_session=False)))
    if not used:
        db.commit()
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    _uncount_source_try(db, source, now)  # only wrong codes count against a source
    record.public_key_hash = who.public_key_hash
    audit.record(db, who, "record", record.public_id, "resumed_with_code")
    db.commit()
    return record
