"""Shared by every test environment (backend and bot).

Under CI (the `CI` variable set, as `.ci/run` has it) a skipped test is a failed test: a missing
browser, PostgreSQL or Redis must not turn into a green run that proved nothing."""
from __future__ import annotations

import os

import pytest

STRICT = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _strict(report: pytest.TestReport | pytest.CollectReport) -> None:
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which must run every test: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _strict(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _strict(outcome.get_result())
