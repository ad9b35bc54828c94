"""Every kind of web page checked with axe-core in headless Chromium (WCAG 2.0 and 2.1, levels A and
AA) against the real backend (tests/e2e/web_server.py). A violation of "serious" or "critical" impact
fails the page's test, and the message lists every violation on the page; lesser ones are reported as
warnings."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest

from tests.e2e.web_server import Browser, WebServer, browser, not_local, web_server  # noqa: F401 (fixtures)

FAILING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="module")
def recs(web_server: WebServer) -> dict:
    """The standard user's records in each state the pages show: submitted, complete but not submitted,
    just begun, and one that did not happen today (so it is asked for a date)."""
    s = web_server
    made = {}
    made["submitted"] = s.complete("standard", s.draft("standard", "incident", {
        "Description": "Accessibility test: a patient slipped on a wet floor in the corridor."})["id"])
    made["complete"] = s.complete("standard", s.draft("standard", "incident", {
        "Description": "Accessibility test: a referral letter was sent to the wrong clinic."})["id"], submit=False)
    made["begun"] = s.draft("standard", "incident", {"Description": "Accessibility test: just begun."})
    made["not_today"] = s.draft("standard", "incident", {"Description": "Accessibility test: last week.",
                                                         "IncidentOccurredToday": "n"})
    s.complete("trust", s.draft("trust", "risk", {"Description": "Accessibility test: another organisation."})["id"],
               {"Organisation": ["RVJ"]})
    return made


def q(recs: dict, which: str, field: str) -> str:
    return f"/records/{recs[which]['id']}/questions/{field}"


def _submit_empty(b: Browser, selector: str) -> None:
    out = b.click(selector)
    assert out["status"] == 400 and b.exists(".nhsuk-error-summary"), out


def _search(b: Browser) -> None:
    b.fill("#query", "Beacon")
    b.click("main button[value=search]")
    assert b.exists("main input[type=checkbox][name=value]")


def _bad_date(b: Browser) -> None:
    b.fill("#date-day", "31")
    b.fill("#date-month", "2")
    b.fill("#date-year", "2026")
    out = b.click("main button[value=continue]")
    assert out["status"] == 400 and b.exists(".nhsuk-error-summary")


def _grant(server: WebServer) -> Callable[[Browser], None]:
    def grant(b: Browser) -> None:
        colleague = server.account_ids["colleague"]
        b.do("select", selector=f"#role-{colleague}", value="organisational")
        b.click(f"form[action='/admin/accounts/{colleague}/role'] button[type=submit]")
        assert b.exists(".nhsuk-notification-banner")
    return grant


# name: (who is signed in, path, what is done on the page before the check)
PAGES: dict[str, tuple] = {
    "sign-in": (None, lambda r: "/sign-in", None),
    "sign-in, with an error": (None, lambda r: "/sign-in", lambda b: _submit_empty(b, "main button[type=submit]")),
    "my records, with drafts and submitted records": ("standard", lambda r: f"/records?saved={r['begun']['id']}", None),
    "new record": ("standard", lambda r: "/records/new", None),
    "new record, with an error": ("standard", lambda r: "/records/new",
                                  lambda b: _submit_empty(b, "main button[type=submit]")),
    "question: radios": ("standard", lambda r: q(r, "begun", "IncidentOccurredToday"), None),
    "question: checkboxes": ("standard", lambda r: q(r, "begun", "ServiceArea"), None),
    "question: text": ("standard", lambda r: q(r, "begun", "PreciseTime"), None),
    "question: number": ("standard", lambda r: q(r, "complete", "PatientCount"), None),
    "question: textarea": ("standard", lambda r: q(r, "begun", "Description"), None),
    "question: date": ("standard", lambda r: q(r, "not_today", "ApproximateDate"), None),
    "question: organisation search": ("standard", lambda r: q(r, "begun", "Organisation"), None),
    "question: organisation search, with results": ("standard", lambda r: q(r, "begun", "Organisation"), _search),
    "question: radios, with a validation error": ("standard", lambda r: q(r, "begun", "IncidentOccurredToday"),
                                                  lambda b: _submit_empty(b, "main button[value=continue]")),
    "question: checkboxes, with a validation error": ("standard", lambda r: q(r, "begun", "ServiceArea"),
                                                      lambda b: _submit_empty(b, "main button[value=continue]")),
    "question: date, with a validation error": ("standard", lambda r: q(r, "not_today", "ApproximateDate"), _bad_date),
    "check your answers": ("standard", lambda r: f"/records/{r['complete']['id']}/check", None),
    "check your answers, with questions missing": ("standard", lambda r: f"/records/{r['begun']['id']}/check", None),
    "submitted": ("standard", lambda r: f"/records/{r['submitted']['id']}/submitted", None),
    "summary": ("standard", lambda r: f"/records/{r['submitted']['id']}", None),
    "summary of a draft": ("standard", lambda r: f"/records/{r['begun']['id']}", None),
    "print view": ("standard", lambda r: f"/records/{r['submitted']['id']}/print", None),
    "page not found": ("standard", lambda r: "/records/no-such-record", None),
    "page not found, signed out": (None, lambda r: "/no-such-page", None),
    "dashboard": ("organisational", lambda r: "/dashboard", None),
    "dashboard, filtered": ("organisational", lambda r: "/dashboard?event_type=incident&status=submitted", None),
    "dashboard, with a filter error": ("organisational", lambda r: "/dashboard?date_from=not-a-date", None),
    "admin accounts": ("admin", lambda r: "/admin/accounts", None),
    "admin accounts, after a change": ("admin", lambda r: "/admin/accounts", "grant"),
}
STATUS = {"page not found": 404, "page not found, signed out": 404, "dashboard, with a filter error": 400}
def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for n in v["nodes"][:8]:
            lines.append(f"    at {' '.join(map(str, n['target']))}: {n['html'][:160]}")
            if n.get("summary"):
                lines.append("      " + n["summary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_meets_wcag_21_aa(name, web_server, browser, recs):
    who, path_of, action = PAGES[name]
    b = browser
    b.as_user(web_server, who)
    path = path_of(recs)
    out = b.goto(path)
    assert out["status"] == STATUS.get(name, 200), (name, out)
    if action == "grant":
        action = _grant(web_server)
    if action:
        action(b)
    result = b.axe()
    assert result["passes"] > 0, result
    violations = result["violations"]
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, (f"{name} ({b.path()}): {len(failing)} serious or critical accessibility "
                         f"violation(s); every violation on the page:\n{describe(violations)}")
    if violations:
        warnings.warn(f"{name} ({b.path()}): minor accessibility findings:\n{describe(violations)}", stacklevel=1)
    errors = [e for e in b.do("eval", expression="1")["jsErrors"] if not e.startswith("Failed to load resource")]
    assert not errors, errors


def test_no_page_asks_another_host_for_anything(browser):
    browser.goto("/sign-in")  # at least one page, when this test runs on its own
    requests = browser.requests()
    assert any(u.endswith("/static/nhsuk/nhsuk-frontend.min.css") for u in requests), requests[:20]
    assert not not_local(requests)
