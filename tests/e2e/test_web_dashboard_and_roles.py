"""The reviewers' pages in headless Chromium against the real backend (tests/e2e/web_server.py): an
organisational user filters the dashboard and finds the submitted incident counted (and nothing from
another organisation); an admin grants a role on the roles page, and it takes effect at once."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.system import http
from tests.e2e.web_server import Browser, WebServer, browser, not_local, web_server  # noqa: F401 (fixtures)


def _page_exists(server: WebServer, b: Browser, who: str, path: str, template: str) -> None:
    b.as_user(server, who)
    out = b.goto(path)
    assert out["status"] == 200, (path, template, out["status"])


@pytest.fixture(scope="module")
def records(web_server: WebServer) -> dict:
    """Submitted through the API: an incident and a risk in Beacon Surgery, an incident in another
    organisation; and a draft incident, which the dashboard's reviewers do not see."""
    made = {}
    for name, who, event_type, description in [
        ("incident", "standard", "incident", "Dashboard test: a patient was given another patient's inhaler."),
        ("risk", "standard", "risk", "Dashboard test: the fire door on the corridor is propped open."),
        ("elsewhere", "trust", "incident", "Dashboard test: an incident in another organisation."),
        ("draft", "colleague", "incident", "Dashboard test: a draft nobody has submitted."),
    ]:
        draft = web_server.draft(who, event_type, {"Description": description})
        org = {"Organisation": ["RVJ"]} if who == "trust" else {}
        made[name] = web_server.complete(who, draft["id"], org, submit=name != "draft")
    assert made["incident"]["reference"] and made["draft"]["status"] == "draft"
    return made


def test_an_organisational_user_filters_the_dashboard(web_server, browser, records):
    b = browser
    _page_exists(web_server, b, "organisational", "/dashboard", "dashboard.html")
    b.goto("/records")
    out = b.click("nav a[href='/dashboard']")
    assert out["status"] == 200 and "Submitted records of Beacon Surgery" in b.text()
    everything = b.text("#total")
    assert everything.startswith("2 records"), everything  # the incident and the risk; not the draft, not RVJ's

    b.check("form[action='/dashboard'] label:text-is('Patient safety incident')")
    out = b.click("form[action='/dashboard'] button[type=submit]")
    assert out["status"] == 200 and parse_qs(urlsplit(out["url"]).query).get("event_type") == ["incident"], out
    assert b.text("#total") == "1 record matches"
    table = b.text("#records")
    assert records["incident"]["reference"] in table and "Patient safety incident" in table
    for other in ("risk", "elsewhere"):
        assert records[other]["reference"] not in table
    assert "Draft" not in table
    assert re.search(r"Page 1 of 1\b", b.text())
    # The filter stays chosen, and the API counts the same.
    assert b.js("document.querySelector(\"input[name=event_type][value=incident]\").checked")
    status, summary = http("GET", f"{web_server.url}/api/v1/dashboard/summary?event_type=incident",
                           headers={"Authorization": f"Bearer {web_server.token('organisational')}"})
    assert status == 200 and summary["total"] == 1

    # The reference opens the record's summary, with the way back to the dashboard.
    out = b.click(f"#records a:text-is('{records['incident']['reference']}')")
    assert urlsplit(out["url"]).path == f"/records/{records['incident']['id']}"
    assert records["incident"]["reference"] in b.text("h1")
    assert b.exists(".nhsuk-back-link a[href='/dashboard']")
    assert out["jsErrors"] == []


def test_an_admin_grants_a_role(web_server, browser, records):
    b = browser
    _page_exists(web_server, b, "admin", "/admin/accounts", "admin_accounts.html")
    colleague = web_server.account_ids["colleague"]
    b.goto("/records")
    b.click("nav a[href='/admin/accounts']")
    people = b.text("#accounts")
    assert "Carys Colleague" in people and "Tariq Trust" not in people  # only the admin's organisation

    b.do("select", selector=f"#role-{colleague}", value="organisational")
    out = b.click(f"form[action='/admin/accounts/{colleague}/role'] button[type=submit]")
    assert out["status"] == 200 and out["url"].endswith(f"/admin/accounts?changed={colleague}"), out
    banner = b.text(".nhsuk-notification-banner")
    assert "Success" in banner and "Carys Colleague is now organisational" in banner, banner
    assert "Carys Colleague" in b.text("#recent")
    assert b.js(f"document.querySelector('#role-{colleague}').value") == "organisational"

    # The backend has it, and the colleague now reviews the organisation's records.
    accounts = web_server.api("admin", "GET", "/accounts")
    assert next(a for a in accounts if a["id"] == colleague)["role"] == "organisational"
    b.sign_in(web_server, "colleague", "/dashboard")
    assert "Submitted records of Beacon Surgery" in b.text()
    assert b.text("#total").startswith("3 records")  # the incident and the risk, and the colleague's own draft

    # Someone who is not an admin cannot open the roles page.
    b.as_user(web_server, "organisational")
    assert b.goto("/admin/accounts")["status"] == 403


def test_no_page_asks_another_host_for_anything(web_server, browser, records):
    """The dashboard's charts included: Chart.js is served by the backend, not a CDN."""
    _page_exists(web_server, browser, "organisational", "/dashboard", "dashboard.html")
    requests = browser.requests()
    assert any(u.endswith("/static/chart.umd.min.js") for u in requests), requests[:30]
    assert not not_local(requests)
