"""Many writers on one draft at once (issue 6): the assistant (service token, X-Act-As) and the staff member's own
bearer token (the web form's API stand-in) answering the same draft in parallel threads, on SQLite and PostgreSQL.

No answer is lost, every successful change bumps the revision once, the same field ends with the write that
committed last, and only a caller that sent expected_revision is told of a conflict (409); the others are
re-applied to the fresh record by the server. The web form's own conflict page is in test_web_conflicts.py."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.backend.conftest import SERVICE_TOKEN
from tests.backend.reporting import API, answer, new_draft

# Questions of a staff incident that open or close no other question, so each can be answered on its own.
FIELDS = ("Description", "PreciseTime", "Organisation", "ServiceArea", "LocationWithinService", "ResponsibleSpecialty",
          "InvolvedPersonsActions", "Process", "SafetyChallenges", "DetectionPoint", "ImmediateActions",
          "LevelOfConcern", "ReporterRole", "IsAnonymous", "DataSharingOptOut", "DutyOfCandour")


def as_assistant(people, who: str) -> dict[str, str]:
    """How the action server calls for a signed-in member of staff."""
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Act-As": f"account:{people.ids[who]}"}


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Runs every call in its own thread, all released together, so they really overlap."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def sample_values(client, headers) -> dict[str, Any]:
    plan = client.get(f"{API}/plan/incident?audience=staff", headers=headers).json()["questions"]
    values = {}
    for q in plan:
        if q["field"] not in FIELDS:
            continue
        if q["field"] == "Organisation":
            values[q["field"]] = ["G81019"]
        elif q["type"] == "boolean":
            values[q["field"]] = True
        elif q["choices"]:
            values[q["field"]] = [q["choices"][0]["code"]] if q["multiple"] else q["choices"][0]["code"]
        else:
            values[q["field"]] = {"time": "14:30"}.get(q["type"], f"Answer to {q['field']}, typed at once.")
    assert set(values) == set(FIELDS)
    return values


def test_answers_to_different_fields_at_once_are_all_kept(client, people):
    chat, web = as_assistant(people, "std_a"), people.headers("std_a")
    draft = new_draft(client, chat, "incident", channel="chat")["record"]
    values = sample_values(client, web)
    calls = [lambda f=f, v=v, h=(chat, web)[i % 2]: answer(client, h, draft["id"], {"field": f, "value": v})
             for i, (f, v) in enumerate(values.items())]
    results = at_once(calls)
    assert [r.status_code for r in results] == [200] * len(calls), [r.text for r in results if r.status_code != 200]
    record = client.get(f"{API}/records/{draft['id']}", headers=web).json()
    assert {f: record["answers"]["fields"].get(f) for f in values} == values  # nothing lost
    # One revision per change, each response the record as that change left it.
    start = draft["revision"]
    assert record["revision"] == start + len(values)
    assert sorted(r.json()["record"]["revision"] for r in results) == list(range(start + 1, start + len(values) + 1))
    trail = client.get(f"{API}/records/{draft['id']}/audit", headers=web).json()
    answered = [e["field"] for e in trail if e["action"] == "answer"]
    assert all(answered.count(f) == 1 for f in values), answered  # a retried change is audited once


def test_the_same_field_at_once_ends_with_the_last_committed_write(client, people):
    chat, web = as_assistant(people, "std_a"), people.headers("std_a")
    draft = new_draft(client, web, "incident", channel="web")["record"]
    texts = [f"Version {i} of what happened on the ward." for i in range(12)]
    calls = [lambda t=t, h=(chat, web)[i % 2]: answer(client, h, draft["id"], {"field": "Description", "value": t})
             for i, t in enumerate(texts)]
    results = at_once(calls)
    assert [r.status_code for r in results] == [200] * len(calls), [r.text for r in results if r.status_code != 200]
    by_revision = {r.json()["record"]["revision"]: r.json()["record"]["answers"]["fields"]["Description"]
                   for r in results}
    assert sorted(by_revision) == list(range(draft["revision"] + 1, draft["revision"] + len(texts) + 1))
    assert sorted(by_revision.values()) == sorted(texts)  # each write's own value at its own revision
    record = client.get(f"{API}/records/{draft['id']}", headers=web).json()
    assert record["revision"] == max(by_revision)
    assert record["answers"]["fields"]["Description"] == by_revision[max(by_revision)]  # the later change wins


def test_a_stale_expected_revision_is_a_conflict_and_changes_nothing(client, people):
    chat, web = as_assistant(people, "std_a"), people.headers("std_a")
    draft = new_draft(client, web, "incident")["record"]
    seen = draft["revision"]
    assert answer(client, chat, draft["id"], {"field": "Description", "value": "Said in the chat."}).status_code == 200
    r = answer(client, web, draft["id"], {"field": "Description", "value": "Typed on a stale page."},
               expected_revision=seen)
    assert r.status_code == 409
    assert r.json()["detail"] == f"The record is at revision {seen + 1}, not {seen}"
    record = client.get(f"{API}/records/{draft['id']}", headers=web).json()
    assert record["answers"]["fields"]["Description"] == "Said in the chat." and record["revision"] == seen + 1


def test_writers_that_send_the_same_expected_revision_at_once_one_wins_the_rest_conflict(client, people):
    web = people.headers("std_a")
    draft = new_draft(client, web, "incident")["record"]
    values = sample_values(client, web)
    calls = [lambda f=f, v=v: answer(client, web, draft["id"], {"field": f, "value": v},
                                     expected_revision=draft["revision"]) for f, v in list(values.items())[:8]]
    results = at_once(calls)
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * (len(calls) - 1), [r.text for r in results]
    assert all("changed by someone else" in r.json()["detail"] or "is at revision" in r.json()["detail"]
               for r in results if r.status_code == 409)
    winner = next(r.json()["record"] for r in results if r.status_code == 200)
    record = client.get(f"{API}/records/{draft['id']}", headers=web).json()
    assert record["revision"] == draft["revision"] + 1 and record["answers"] == winner["answers"]
