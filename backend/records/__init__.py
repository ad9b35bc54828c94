"""Event records: drafts, answers, submission, amendment with versions."""
