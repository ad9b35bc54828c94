"""Checks one answer against its field's type, code list and the plan's limits.

Returns the normalised value (codes as strings, lists de-duplicated, text stripped) or raises
AnswerError naming what is allowed, which the API turns into a 422.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from backend.plan.model import Question
from backend.taxonomy import Taxonomy

UK_TZ = "Europe/London"  # reporting dates are UK dates
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class AnswerError(ValueError):
    def __init__(self, field: str, message: str, allowed: Any = None, patient: int | None = None):
        super().__init__(message)
        self.field, self.message, self.allowed, self.patient = field, message, allowed, patient

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.patient is not None:
            out["patient"] = self.patient
        if self.allowed is not None:
            out["allowed"] = self.allowed
        return out


def _code(q: Question, tax: Taxonomy, value: Any) -> str:
    codes = tax.values_for(q.id)
    assert codes is not None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise AnswerError(q.id, "must be a code from its list", _allowed(q, tax))
    code = str(value).strip()
    if code not in codes or code in q.exclude:
        raise AnswerError(q.id, f"{code!r} is not one of the allowed codes", _allowed(q, tax))
    return code


def _allowed(q: Question, tax: Taxonomy) -> Any:
    codes = tax.values_for(q.id)
    if codes is None or len(codes.codes) > 50:
        return f"a code from the {codes.id if codes else '?'} list"
    return [c.code for c in codes.codes if c.code not in q.exclude]


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored or sent back, or None. PostgreSQL's text cannot hold NUL, and an unpaired
    surrogate (a JSON escape such as \\ud800) has no UTF-8 form: both failed deep in the database or in
    writing the response, as a 500."""
    if "\x00" in text:
        return "must not contain NUL (\\u0000) characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (an unpaired surrogate is not)"
    return None


def _text(q: Question, value: Any) -> str:
    if not isinstance(value, str):
        raise AnswerError(q.id, "must be text")
    text = value.strip()
    if not text:
        raise AnswerError(q.id, "must not be empty")
    if problem := text_problem(text):
        raise AnswerError(q.id, problem)
    if len(text) > q.max_length:
        raise AnswerError(q.id, f"must be at most {q.max_length} characters (got {len(text)})")
    if q.format == "date":
        return _date(q, text).isoformat()
    return text


def _date(q: Question, value: Any) -> date:
    if not isinstance(value, str):
        raise AnswerError(q.id, "must be a date as YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise AnswerError(q.id, "must be a date as YYYY-MM-DD") from None
    if parsed > today_in(UK_TZ):
        raise AnswerError(q.id, "cannot be in the future")
    if parsed.year < 1900:
        raise AnswerError(q.id, "is too far in the past")
    return parsed


def validate_answer(q: Question, tax: Taxonomy, value: Any) -> Any:
    f = q.field
    if value is None:
        raise AnswerError(q.id, "needs a value; to leave a question out, skip it")
    if f.type == "Code":
        if f.multiple:
            items = value if isinstance(value, list) else [value]
            if not items:
                raise AnswerError(q.id, "choose at least one", _allowed(q, tax))
            out = list(dict.fromkeys(_code(q, tax, v) for v in items))
            if len(out) > f.max:
                raise AnswerError(q.id, f"at most {f.max} choices")
            return out
        return _code(q, tax, value)
    if f.type == "String":
        if f.multiple:
            items = value if isinstance(value, list) else [value]
            out = list(dict.fromkeys(_text(q, v) for v in items))
            if not out or len(out) > f.max:
                raise AnswerError(q.id, f"give between 1 and {f.max} entries")
            return out
        return _text(q, value)
    if f.type == "Integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(q.id, "must be a whole number")
        lo = q.min_value if q.min_value is not None else 0
        hi = q.max_value if q.max_value is not None else 100_000
        if not lo <= value <= hi:
            raise AnswerError(q.id, f"must be between {lo} and {hi}")
        return value
    if f.type == "Boolean":
        if not isinstance(value, bool):
            raise AnswerError(q.id, "must be true or false", [True, False])
        return value
    if f.type == "Date":
        return _date(q, value).isoformat()
    if f.type == "Time":
        if not isinstance(value, str) or not TIME_RE.match(value.strip()):
            raise AnswerError(q.id, "must be a 24-hour time as HH:MM")
        return value.strip()
    raise AnswerError(q.id, f"unsupported field type {f.type}")  # pragma: no cover - plan load guards


def is_text(q: Question) -> bool:
    return q.field.type == "String" and q.format is None


def today_in(tz: str) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(tz)).date()
