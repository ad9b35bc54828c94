"""Organisations (by ODS code) and staff accounts with LFPSE's graded roles."""
