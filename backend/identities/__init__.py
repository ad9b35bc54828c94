"""Identities from other systems (e.g. Microsoft Teams) linked to staff accounts."""
