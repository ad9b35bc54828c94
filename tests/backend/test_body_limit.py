"""Request bodies are bounded before anything parses them (backend/body_limit.py, issue 16)."""

from __future__ import annotations


def test_request_bodies_over_the_limit_are_refused_before_parsing(client, people, settings):
    """No body limit: a form was parsed whole before its field limits were checked (issue 16)."""
    big = "x" * (settings.max_body_bytes + 1)
    r = client.post("/api/v1/records", content=big, headers={**people.headers("std_a"),
                                                               "content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/sign-in", data={"email": "a@b.example", "password": big, "csrf_token": "x"})
    assert r.status_code == 413

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"y" * 65536

    r = client.post("/api/v1/auth/token", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    # A body under the limit is untouched.
    ok = client.post("/api/v1/records", json={"event_type": "incident", "channel": "api"}, headers=people.headers("std_a"))
    assert ok.status_code == 201
