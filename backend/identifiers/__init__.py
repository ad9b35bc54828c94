"""Detection and redaction of patients' personal identifiers in free text."""

from backend.identifiers.detect import (
    DATE_OF_BIRTH,
    EMAIL,
    NHS_NUMBER,
    PHONE_NUMBER,
    POSTCODE,
    Finding,
    find_identifiers,
    nhs_checksum_ok,
    redact,
)

__all__ = [
    "DATE_OF_BIRTH",
    "EMAIL",
    "NHS_NUMBER",
    "PHONE_NUMBER",
    "POSTCODE",
    "Finding",
    "find_identifiers",
    "nhs_checksum_ok",
    "redact",
]
