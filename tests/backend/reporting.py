"""Drives a draft through the API the way a reporter would: ask the next question, answer it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

API = "/api/v1"


def sample_answer(q: dict[str, Any]) -> Any:
    """A valid answer to any question: the first real choice, or a plausible value of its type."""
    if q["type"] == "boolean":
        return False
    if q["choices"]:
        codes = [c["code"] for c in q["choices"] if c["code"] != q["unknown_code"]]
        return [codes[0]] if q["multiple"] else codes[0]
    if q["search"]:  # the organisation list is searched, not listed
        return ["G81019"] if q["multiple"] else "G81019"
    return {
        "string": ["amoxicillin"] if q["multiple"] else "Given to the wrong patient on the ward.",
        "integer": 1,
        "age": 26298,  # 72 years, in days
        "date": (date.today() - timedelta(days=3)).isoformat(),
        "time": "14:30",
    }[q["type"]]


def fill(client, headers, record_id: str, skip_optional: bool = True, limit: int = 80) -> list[dict]:
    """Answers every question the plan asks until none is left; returns the questions asked."""
    asked = []
    for _ in range(limit):
        q = client.get(f"{API}/records/{record_id}/next-question", headers=headers).json()["question"]
        if q is None:
            return asked
        asked.append(q)
        item = {"field": q["field"], "patient": q["patient"]}
        if skip_optional and not q["mandatory"]:
            item["skip"] = True
        else:
            item["value"] = sample_answer(q)
        r = client.post(f"{API}/records/{record_id}/answers", json={"answers": [item]}, headers=headers)
        assert r.status_code == 200, r.text
    raise AssertionError("the plan kept asking questions")


def new_draft(client, headers, event_type: str | None = "incident", **extra) -> dict:
    body = {"event_type": event_type, "channel": "api", **extra}
    r = client.post(f"{API}/records", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def answer(client, headers, record_id: str, *items: dict, **body) -> Any:
    return client.post(f"{API}/records/{record_id}/answers", json={"answers": list(items), **body}, headers=headers)
