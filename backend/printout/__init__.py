"""Printable views of a record: the summary as a PDF (for CPD and reflection), in labels, not codes.

- `document.summary_document` gathers what the printout shows from the database (one record).
- `pdf.summary_pdf` lays that out as an A4 PDF; it is pure (no database), so any page can call it.
"""

from backend.printout.document import summary_document
from backend.printout.pdf import summary_pdf

__all__ = ["summary_document", "summary_pdf"]
