"""A record's summary as an A4 PDF, for the reporter's CPD and reflection, in labels, not codes.

`summary_pdf(summary, generated_at=...)` is pure: it takes the dictionary `document.summary_document`
builds (or the GET /records/{id}/summary body, which lacks only the names and dates) and returns
the PDF's bytes. It never fails on what a reporter typed:

- the text is set in DejaVu Sans (vendored in fonts/, licence in fonts/LICENSE), which covers Latin,
  Greek, Cyrillic, Hebrew, Arabic, Armenian, Georgian and many symbols;
- a character the font lacks prints as U+FFFD (the replacement character), and invisible ones it
  lacks (joiners, variation selectors, skin-tone modifiers, control characters) are dropped;
- right-to-left lines (Hebrew, Arabic) are put in visual order with the Unicode bidirectional
  algorithm, so they read correctly and copy out in logical order. Arabic letters are not joined:
  that needs a shaping engine (uharfbuzz), which the backend does not install.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import Align, TextDirection, XPos, YPos
from fpdf.fonts import TTFFont

FONT_DIR = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
TITLE = "Patient safety event summary"
LONDON = ZoneInfo("Europe/London")
REPLACEMENT = "\ufffd"
# The total page count is written where this appears. Made of private-use characters, which the
# font lacks, so text a reporter typed (cleaned below) can never contain it.
PAGES_ALIAS = "\ue000\ue001\ue002"

# Sizes in points; line heights in millimetres.
BODY, SMALL, HEADING, TITLE_SIZE = 10.5, 8, 13, 18
PT = 25.4 / 72
MARGIN = 18
FACT_LABEL = 42  # width of the key facts' labels, mm

STATUS_LABELS = {"draft": "Draft (not yet submitted)", "submitted": "Submitted"}

_RTL = re.compile("[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
# Explicit bidi embeddings, overrides and isolates: dropped, so each printed line is reordered on its own.
# Soft hyphens too: lines break at spaces only.
_DROPPED = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad")
_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹"))
_TOKENS = re.compile(r"\s+|\S+")
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"}


def _clean(text: Any, cmap: Mapping[int, Any]) -> str:
    """Text the font can print: unknown visible characters become U+FFFD, invisible ones go."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    out = []
    for ch in text:
        cp = ord(ch)
        if ch in "\n\u2028\u2029\x0b\x0c\x85":
            out.append("\n")
        elif cp in cmap and cp >= 0x20 and ch not in _DROPPED and not 0x7F <= cp < 0xA0:
            out.append(ch)
        elif unicodedata.category(ch) in _INVISIBLE or 0x1F3FB <= cp <= 0x1F3FF:
            continue  # controls, joiners, variation selectors, skin tones, lone surrogates
        elif unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            out.append(REPLACEMENT)
    return "".join(out)


def _visual(line: str, direction: TextDirection) -> str:
    """One printed line in visual (left-to-right) order, mirroring brackets in right-to-left runs."""
    chars = BidiParagraph(text=line, base_direction=direction).get_reordered_characters()
    return "".join(_MIRROR.get(c.character, c.character) if c.embedding_level % 2 else c.character for c in chars)


def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # stored times are UTC


def uk_time(value: Any) -> str | None:
    """'3 June 2025, 14:05' in UK time (BST or GMT as it was then)."""
    moment = _moment(value)
    if moment is None:
        return None
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}, {local:%H:%M}"


def _event_type(summary: Mapping[str, Any]) -> str:
    if summary.get("event_type_label"):
        return str(summary["event_type_label"])
    for row in summary.get("answers") or []:
        if row.get("field") == "EventType" and row.get("answer"):
            return str(row["answer"])
    return "Not chosen yet" if not summary.get("event_type") else str(summary["event_type"])


def _status(summary: Mapping[str, Any]) -> str:
    status = str(summary.get("status") or "")
    label = STATUS_LABELS.get(status, status.capitalize() or "Unknown")
    version = summary.get("version")
    if status == "submitted" and isinstance(version, int) and version > 1:
        label += f" (amended; version {version})"
    return label


def _sections(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str | None, list[Mapping[str, Any]]]]:
    """Rows grouped as the plan asks them: the event, then patient by patient, then the rest."""
    rows = list(rows)
    patients = {r.get("patient") for r in rows if r.get("patient")}
    sections: list[tuple[str | None, list[Mapping[str, Any]]]] = []
    current: object = object()
    seen_patient = False
    for row in rows:
        patient = row.get("patient") or None
        if patient != current:
            heading: str | None
            if patient is not None:
                heading = f"Patient {patient}" if len(patients) > 1 else "About the patient"
                seen_patient = True
            else:
                heading = "Further details" if seen_patient else None
            sections.append((heading, []))
            current = patient
        sections[-1][1].append(row)
    return sections


class _SummaryPDF(FPDF):
    def __init__(self, footer_text: str, running_head: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.running_head = running_head
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.alias_nb_pages(PAGES_ALIAS)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 8)

    # Page furniture --------------------------------------------------------------------------------

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font(FAMILY, "", SMALL)
            self.set_text_color(90)
            self.cell(0, SMALL * PT * 1.4, self.clean(self.running_head), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0)
            self.ln(2)

    def footer(self) -> None:
        self.set_y(-(MARGIN + 4))
        self.set_draw_color(180)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1)
        self.set_font(FAMILY, "", SMALL)
        self.set_text_color(70)
        h = SMALL * PT * 1.35
        width = self.w - self.l_margin - self.r_margin - 28
        self.multi_cell(width, h, self.footer_text, align=Align.L, new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.cell(0, h, f"Page {self.page_no()} of {PAGES_ALIAS}", align=Align.R)
        self.set_text_color(0)

    # Text ------------------------------------------------------------------------------------------

    @property
    def dejavu(self) -> TTFFont:
        """The font in use: always a DejaVu face added in __init__ (never a core font, never unset here)."""
        font = self.current_font
        assert isinstance(font, TTFFont), font
        return font

    def clean(self, text: Any) -> str:
        return _clean(text, self.dejavu.cmap)

    def wrap(self, text: str, width: float) -> list[str]:
        """Lines of at most `width` mm in the current font: greedy, at spaces, splitting longer words.

        fpdf2's own wrapping (multi_cell) measures each line again for every character it adds,
        which is slow on long answers; this measures each character once.
        """
        cw, scale = self.dejavu.cw, self.font_size_pt * 0.001 / self.k
        room = (width - 2 * self.c_margin) / scale - 1  # in font units; 1 for rounding
        lines: list[str] = []
        for para in text.split("\n"):
            line, used = "", 0.0
            for token in _TOKENS.findall(para):
                size = sum(cw[ord(c)] for c in token)
                if used + size <= room:
                    line, used = line + token, used + size
                elif token.isspace():
                    continue  # spaces at a break are dropped
                else:
                    if line.strip():
                        lines.append(line.rstrip())
                    line, used = "", 0.0
                    for ch in token:  # a word wider than the line is broken where it must be
                        if used + cw[ord(ch)] > room and line:
                            lines.append(line)
                            line, used = "", 0.0
                        line, used = line + ch, used + cw[ord(ch)]
            lines.append(line.rstrip())
        return lines

    def block(self, text: Any, width: float, h: float) -> None:
        """Wrapped text from the current x; right-to-left lines put in visual order and right-aligned."""
        x = self.x
        for para in self.clean(text).split("\n"):
            rtl = bool(_RTL.search(para))
            direction = auto_detect_base_direction(para) if rtl else TextDirection.LTR
            for line in self.wrap(para, width):
                if rtl and _RTL.search(line):
                    line = _visual(line, direction)
                self.set_x(x)
                self.cell(width, h, line, align=Align.R if direction == TextDirection.RTL else Align.L,
                          new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: Any, size: float = BODY, style: str = "", after: float = 0) -> None:
        self.set_font(FAMILY, style, size)
        self.set_x(self.l_margin)
        self.block(text, self.epw, size * PT * 1.4)
        if after:
            self.ln(after)

    def fact(self, label: str, value: Any) -> None:
        """One line of the record's key facts: a bold label, its value beside it."""
        h = BODY * PT * 1.4
        self.set_font(FAMILY, "B", BODY)
        self.cell(FACT_LABEL, h, label)
        self.set_font(FAMILY, "", BODY)
        self.block(value, self.epw - FACT_LABEL, h)

    def rule(self) -> None:
        self.ln(1.5)
        self.set_draw_color(200)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)

    def keep_room(self, height: float) -> None:
        """Start a new page rather than leave a heading or question alone at the foot of one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()


def summary_pdf(summary: Mapping[str, Any], *, generated_at: datetime) -> bytes:
    """The record's summary as PDF bytes.

    `summary` keys (all optional but "answers"): reference, id, event_type, event_type_label,
    status, version, organisation (a display name), created_at, updated_at, submitted_at
    (datetimes, or ISO 8601 strings; naive means UTC) and answers: the rows of
    `backend.records.summary.summarise` (question, label, answer, patient). Only labels are printed,
    never the stored codes ("value").
    """
    reference = summary.get("reference")
    identity = str(reference) if reference else "Draft"
    generated = uk_time(generated_at) or ""
    footer = (f"Generated {generated} (UK time). Contains information about a patient safety event: "
              "handle it as confidential and store it securely.")
    pdf = _SummaryPDF(footer, f"{TITLE} \u2014 {identity}")
    pdf.set_title(f"{TITLE} \u2014 {identity}")
    pdf.set_subject("Patient safety event summary for reflection and CPD")
    pdf.set_creator("Patient safety event reporting assistant")
    pdf.set_lang("en-GB")
    moment = _moment(generated_at)
    if moment is not None:
        pdf.set_creation_date(moment)
    pdf.add_page()

    pdf.paragraph(TITLE, TITLE_SIZE, "B", after=1)
    pdf.paragraph(identity if reference else "Draft (no reference until it is submitted)", HEADING, "B", after=3)

    pdf.fact("Event type", _event_type(summary))
    pdf.fact("Status", _status(summary))
    if summary.get("organisation"):
        pdf.fact("Organisation", summary["organisation"])
    for label, key in (("Started", "created_at"), ("Submitted", "submitted_at"), ("Last updated", "updated_at")):
        when = uk_time(summary.get(key))
        if when:
            pdf.fact(label, f"{when} (UK time)")
    pdf.rule()

    rows = summary.get("answers") or []
    if not rows:
        pdf.paragraph("No answers have been given yet.")
    for heading, section in _sections(rows):
        if heading:
            pdf.keep_room(30)
            pdf.ln(1)
            pdf.paragraph(heading, HEADING, "B", after=2)
        for row in section:
            pdf.keep_room(15)
            pdf.paragraph(row.get("question") or row.get("label") or "", BODY, "B", after=0.5)
            pdf.paragraph(row.get("answer") if row.get("answer") not in (None, "") else "Not answered", BODY, after=3.5)
    return bytes(pdf.output())
