"""The summary PDF: labels not codes, who may download it, and text a reporter typed that must not break it."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from backend.printout import summary_pdf
from backend.printout.pdf import REPLACEMENT, _clean
from tests.backend.reporting import API, answer, fill, new_draft

GENERATED = datetime(2026, 6, 4, 12, 30, tzinfo=timezone.utc)  # 13:30 in London (BST)

HOSTILE = (
    "<script>alert('x')</script> <b>bold?</b> &amp; {nb} %PDF-1.4 \\) ( "
    "Café crème, naïve façade, Ærø, Łódź, Ελληνικά, Русский. "
    "Hebrew: שלום עולם. Arabic: مرحبا بالعالم. "
    "Emoji: 😀 🩺 👍🏽 👨‍👩‍👧 🏳️‍🌈. CJK: 患者安全. "
    "Controls: \x01\x07\x1b[31m\x7f\u202eevil\u202c \ufeff\u200b end."
)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    """Whitespace collapsed, so text wrapped over lines still matches."""
    return " ".join(text.split())


def _pdf(client, headers, rid: str):
    return client.get(f"{API}/records/{rid}/summary.pdf", headers=headers)


def _complete_incident(client, h) -> str:
    rid = new_draft(client, h, "incident", channel="web")["record"]["id"]
    r = answer(
        client, h, rid,
        {"field": "Description", "value": "Patient given 10 units of insulin instead of 1; needed glucose, fine now."},
        {"field": "IncidentOccurredToday", "value": "y"}, {"field": "PreciseTime", "value": "15:00"},
        {"field": "Organisation", "value": ["G81019"]}, {"field": "ServiceArea", "value": ["1"]},
        {"field": "LocationWithinService", "value": "4"}, {"field": "InvolvedAgents", "value": ["4"]},
        {"field": "DrugsInvolved", "value": ["insulin"]}, {"field": "DrugInvolvementFactors", "value": ["1"]},
        {"field": "DrugUsedTooMuch", "value": ["1"]}, {"field": "Process", "value": "6"},
        {"field": "SafetyChallenges", "value": ["6"]}, {"field": "PatientCount", "value": 2},
        {"field": "PhysicalHarm", "patient": 1, "value": "4"},
        {"field": "PsychologicalHarm", "patient": 1, "value": "4"},
        {"field": "PhysicalHarm", "patient": 2, "value": "3"},
        {"field": "PsychologicalHarm", "patient": 2, "value": "3"},
        {"field": "ReporterRole", "value": "5"}, {"field": "IsAnonymous", "value": False},
        {"field": "DataSharingOptOut", "value": False},
    )
    assert r.status_code == 200, r.text
    fill(client, h, rid)  # anything the plan still asks
    return rid


def test_the_pdf_reads_in_labels_with_the_reference_once_submitted(client, people):
    h = people.headers("std_a")
    rid = _complete_incident(client, h)
    rows = client.get(f"{API}/records/{rid}/summary", headers=h).json()["answers"]

    draft = _pdf(client, h, rid)
    assert draft.status_code == 200, draft.text
    assert draft.headers["content-type"] == "application/pdf"
    assert draft.headers["content-disposition"] == f'attachment; filename="draft-{rid[:8]}.pdf"'
    assert draft.headers["cache-control"] == "no-store"
    assert draft.content.startswith(b"%PDF-")
    text = _flat(_text(draft.content))
    assert "Patient safety event summary" in text and "Draft" in text
    assert "Beacon Surgery (G81019)" in text  # the organisation by name

    reference = client.post(f"{API}/records/{rid}/submit", headers=h).json()["reference"]
    done = _pdf(client, h, rid)
    assert done.headers["content-disposition"] == f'attachment; filename="{reference}.pdf"'
    reader = PdfReader(io.BytesIO(done.content))
    assert reader.metadata.title == f"Patient safety event summary \u2014 {reference}"
    text = _flat(_text(done.content))
    assert reference in text and "Submitted" in text

    by_field = {(r["field"], r["patient"]): r for r in rows}
    event_type = by_field[("EventType", None)]["answer"]
    assert event_type != "incident" and f"Event type {event_type}" in text
    for row in rows:  # every question and its answer's label
        assert _flat(row["question"]) in text, row
        assert _flat(row["answer"]) in text, row
    # Coded answers print as labels: the line after a coded question is its label, never the code.
    lines = [line.strip() for line in _text(done.content).splitlines()]
    for field in ("LocationWithinService", "Process", "ReporterRole"):
        row = by_field[(field, None)]
        assert row["answer"] != row["value"]
        after = lines[lines.index(row["question"]) + 1]
        assert after == row["answer"][: len(after)] and after != row["value"], (field, after)
    assert "Patient 1" in text and "Patient 2" in text  # a section per patient
    assert "Page 1 of" in text and "handle it as confidential" in text
    assert "std_a@test.example.org" not in text  # nothing about the reporter's account


def test_only_those_who_may_read_the_record_get_its_pdf(client, people):
    author = people.headers("std_a")
    rid = _complete_incident(client, author)
    # A draft: its author only.
    for who in ("std_a2", "org_a", "org_b", "std_b", "platform"):
        assert _pdf(client, people.headers(who), rid).status_code == 404, who
    # The service credential (the assistant, acting for anyone) never gets a PDF (issue 15).
    assert _pdf(client, people.headers("public:web:someone-else"), rid).status_code == 403
    assert client.post(f"{API}/records/{rid}/submit", headers=author).status_code == 200
    # Submitted: also the organisation's reviewers, never another organisation's staff.
    assert _pdf(client, people.headers("org_a"), rid).status_code == 200
    for who in ("std_a2", "org_b", "admin_b", "std_b"):
        assert _pdf(client, people.headers(who), rid).status_code == 404, who
    assert _pdf(client, people.headers("std_a"), "no-such-record").status_code == 404
    assert client.get(f"{API}/records/{rid}/summary.pdf").status_code == 401


def test_no_pdf_through_the_service_credential(client, people):
    """Public reporters reach the API only through the assistant, whose credential reaches no PDF
    (issue 15): a PDF is for people signed in to the pages or the API."""
    mine, other = people.headers("public:web:conversation-pdf-1"), people.headers("public:web:conversation-pdf-2")
    body = [{"field": "Description", "value": "Lovely nurse"}]
    rid = new_draft(client, mine, "good_care", answers=body)["record"]["id"]
    assert _pdf(client, mine, rid).status_code == 403
    assert _pdf(client, other, rid).status_code == 403
    assert _pdf(client, people.headers("std_a"), rid).status_code == 404


def test_text_a_reporter_typed_comes_out_as_text(client, people):
    h = people.headers("std_a")
    description = (HOSTILE + " ") * (4900 // (len(HOSTILE) + 1))
    assert len(description) <= 5000  # the longest description the plan accepts
    rid = new_draft(client, h, "incident", answers=[{"field": "Description", "value": description}])["record"]["id"]
    r = _pdf(client, h, rid)
    assert r.status_code == 200, r.text
    text = _flat(_text(r.content))
    assert "<script>alert('x')</script> <b>bold?</b> &amp; {nb} %PDF-1.4 \\) (" in text
    assert "Café crème, naïve façade, Ærø, Łódź, Ελληνικά, Русский." in text
    assert "שלום עולם" in text  # right-to-left, printed in visual order, read back in logical order
    assert "😀" in text  # in the font
    assert REPLACEMENT in text  # 🩺 and CJK are not: the replacement character stands in
    assert "evil" in text and "\x07" not in text and "\u202e" not in text
    assert len(PdfReader(io.BytesIO(r.content)).pages) >= 2


def test_ten_thousand_characters_and_every_kind_of_character_do_not_break_it():
    long = ("word " * 2000)[:10_000]
    summary = {
        "reference": None, "status": "draft", "event_type": None,
        "answers": [
            {"field": "Description", "patient": None, "question": "Describe what happened.", "answer": long},
            {"field": "Other", "patient": None, "question": HOSTILE, "answer": HOSTILE},
            {"field": "Unbroken", "patient": None, "question": "One long word", "answer": "x" * 10_000},
            {"field": "Controls", "patient": None, "question": "Every control", "answer": "".join(map(chr, range(0x20)))
             + "\ud800 lone surrogate \U0010ffff \ue000\ue001\ue002 private use"},
        ],
    }
    pdf = summary_pdf(summary, generated_at=GENERATED)
    text = _text(pdf)
    assert "Draft" in text and "Not chosen yet" in text
    assert _flat(text).count("word") >= 1990
    assert "lone surrogate" in text and "private use" in text
    assert re.search(r"Page 1 of \d+", text) and "Page 1 of \ue000" not in text
    assert "Generated 4 June 2026, 13:30 (UK time)" in _flat(text)


def test_right_to_left_lines_read_back_in_order_and_right_aligned():
    hebrew = "שלום עולם, זה טקסט ארוך בעברית (עם סוגריים). " * 12
    summary = {"answers": [{"field": "Description", "patient": None, "question": "Describe what happened.",
                            "answer": hebrew}]}
    text = _flat(_text(summary_pdf(summary, generated_at=GENERATED)))
    assert "שלום עולם, זה טקסט ארוך בעברית" in text


def test_the_same_summary_gives_the_same_bytes_and_quickly():
    rows = [{"field": f"F{i}", "patient": None, "question": f"Question {i}?", "answer": f"Answer number {i}"}
            for i in range(25)]
    summary = {"reference": "PSE-TEST-1", "status": "submitted", "event_type_label": "Good care",
               "created_at": "2026-01-10T09:00:00Z", "submitted_at": "2026-01-10T09:30:00", "answers": rows}
    first = summary_pdf(summary, generated_at=GENERATED)
    assert first == summary_pdf(summary, generated_at=GENERATED)
    text = _flat(_text(first))
    assert "Started 10 January 2026, 09:00 (UK time)" in text  # GMT in winter
    assert "Submitted 10 January 2026, 09:30 (UK time)" in text  # naive means UTC
    best = min(_timed(summary) for _ in range(3))
    assert best < 1.0, best  # about 0.1 s here; a loose bound so a slow machine does not fail it


def _timed(summary) -> float:
    start = time.perf_counter()
    summary_pdf(summary, generated_at=GENERATED)
    return time.perf_counter() - start


@pytest.mark.parametrize("raw, cleaned", [
    ("plain", "plain"),
    ("a\r\nb\rc\u2028d", "a\nb\nc\nd"),
    ("tab\there", "tab    here"),
    ("bell\x07 nul\x00 del\x7f c1\x85", "bell nul del c1\n"),
    ("\u202eoverride\u202c", "override"),
    ("👍🏽 😀", REPLACEMENT + " 😀"),  # not in the font, and the skin tone goes with it
    ("🩺", REPLACEMENT),
    ("\ud800", ""),
])
def test_cleaning_keeps_what_the_font_prints(raw, cleaned):
    from fontTools.ttLib import TTFont

    from backend.printout.pdf import FONT_DIR

    cmap = TTFont(FONT_DIR / "DejaVuSans.ttf").getBestCmap()
    assert _clean(raw, cmap) == cleaned


def test_wrapped_lines_fit_the_page():
    from backend.printout.pdf import BODY, FAMILY, _SummaryPDF

    pdf = _SummaryPDF("footer", "head")
    pdf.add_page()
    pdf.set_font(FAMILY, "", BODY)
    text = pdf.clean(HOSTILE * 5 + " " + "y" * 500 + "\n\n" + "short")
    lines = pdf.wrap(text, pdf.epw)
    assert len(lines) > 10 and lines[-2:] == ["", "short"]
    assert all(pdf.get_string_width(line) <= pdf.epw - 2 * pdf.c_margin for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")  # nothing lost
