"""Conditions on earlier answers, written as data in the question plan.

    {field: F, in: [codes]}      F answered with one of the codes (any of them, for a list)
    {field: F, includes: code}   F answered and contains (or equals) code
    {field: F, equals: value}    F answered with exactly value
    {field: F, skipped: true}    F was skipped (true) or not skipped (false)
    {field: F, answered: bool}   F has a value, or not
    {all: [...]}, {any: [...]}, {not: {...}}

An unanswered field satisfies nothing but `answered: false` and `skipped: false`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

FIELD_OPS = ("in", "includes", "equals", "skipped", "answered")

# Looks up (value, is_skipped) for a field, in the scope of the question being evaluated.
Lookup = Callable[[str], tuple[Any, bool]]


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def evaluate(cond: Mapping[str, Any] | None, lookup: Lookup) -> bool:
    if cond is None:
        return True
    if "all" in cond:
        return all(evaluate(c, lookup) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, lookup) for c in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], lookup)
    value, skipped = lookup(cond["field"])
    if "skipped" in cond:
        return skipped == bool(cond["skipped"])
    if "answered" in cond:
        return (value is not None) == bool(cond["answered"])
    if value is None:
        return False
    if "in" in cond:
        return any(v in cond["in"] for v in _as_list(value))
    if "includes" in cond:
        return cond["includes"] in _as_list(value)
    if "equals" in cond:
        return value == cond["equals"]
    raise ValueError(f"unknown condition {dict(cond)}")


def fields_in(cond: Mapping[str, Any] | None) -> list[tuple[str, Mapping[str, Any]]]:
    """Every (field, clause) a condition refers to, for checking the plan at load time."""
    if cond is None:
        return []
    for key in ("all", "any"):
        if key in cond:
            return [pair for c in cond[key] for pair in fields_in(c)]
    if "not" in cond:
        return fields_in(cond["not"])
    if "field" not in cond or not any(op in cond for op in FIELD_OPS):
        raise ValueError(f"malformed condition {dict(cond)}")
    return [(cond["field"], cond)]
