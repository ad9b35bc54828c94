"""Printable views of a record: the summary as a PDF (for CPD and reflection), in labels, not codes.

- `document.summary_document` gathers what the printout shows from the database (one record).
- `pdf.summary_pdf` lays that out as an A4 PDF; it is pure (no database), so any page can call it.
"""

from datetime import datetime, timezone

from fastapi.responses import Response

from backend.printout.document import summary_document
from backend.printout.pdf import summary_pdf

__all__ = ["pdf_download", "summary_document", "summary_pdf"]


def pdf_download(document: dict) -> Response:
    """The summary PDF as a download named by the reference (or the draft's id), never cached."""
    body = summary_pdf(document, generated_at=datetime.now(timezone.utc))
    name = document["reference"] or f"draft-{document['id'][:8]}"
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}.pdf"', "Cache-Control": "no-store"})
