"""The backend: system of record for patient safety event reports (FastAPI, SQLAlchemy 2)."""
