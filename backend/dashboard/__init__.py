"""The organisation dashboard: filters, aggregate counts, record pages and CSV export (issue 5)."""
