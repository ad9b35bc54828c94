"""Signing in to the pages as a browser does: the sign-in form with its CSRF token, then cookies."""

from __future__ import annotations

import re

from tests.backend.conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, who: str) -> str:
    """Signs `who` (a people key, e-mail <key>@test.example.org) in, ending any earlier session; returns a
    CSRF token for later posts."""
    client.cookies.clear()
    page = client.get("/sign-in")
    r = client.post("/sign-in", data={"email": f"{who}@test.example.org", "password": PASSWORD,
                                      "csrf_token": csrf(page.text), "next": "/records"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/records", r.text
    return csrf(client.get("/records").text)


def post(client, url: str, token: str, **data):
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)
