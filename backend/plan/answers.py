"""The answers of one record: record-level fields, per-patient fields and skipped questions.

Stored as one JSON document on the record:
    {"fields": {"EventType": "incident", ...},
     "patients": [{"PhysicalHarm": "4", ...}, ...],     # patient 1 first
     "skipped": ["PreciseTime", "AgeBracket:2"],
     "defaulted": ["IsAnonymous"],                      # only when some are: values the plan put in unasked
     "inferred": ["PreciseTime", "AgeBracket:1"]}       # only when some are: read from a later free-text answer,
                                                        # not yet confirmed (shown at check your answers)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


def slot_key(field_name: str, patient: int | None) -> str:
    return field_name if patient is None else f"{field_name}:{patient}"


@dataclass
class AnswerDoc:
    fields: dict[str, Any] = field(default_factory=dict)
    patients: list[dict[str, Any]] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    # Record-level fields whose value is the plan's default, not the reporter's answer (shown as assumed).
    defaulted: set[str] = field(default_factory=set)
    # Slots (slot_key) read from what the reporter wrote in answer to something else, put to them at check your
    # answers; an answer of theirs to the slot makes it theirs.
    inferred: set[str] = field(default_factory=set)

    @classmethod
    def from_json(cls, data: dict | None) -> AnswerDoc:
        data = copy.deepcopy(data or {})
        return cls(data.get("fields", {}), data.get("patients", []), set(data.get("skipped", [])),
                   set(data.get("defaulted", [])), set(data.get("inferred", [])))

    def to_json(self) -> dict:
        out = {
            "fields": copy.deepcopy(self.fields),
            "patients": copy.deepcopy(self.patients),
            "skipped": sorted(self.skipped),
        }
        if self.defaulted:
            out["defaulted"] = sorted(self.defaulted)
        if self.inferred:
            out["inferred"] = sorted(self.inferred)
        return out

    def copy(self) -> AnswerDoc:
        return AnswerDoc.from_json(self.to_json())

    def get(self, name: str, patient: int | None = None) -> Any:
        if patient is None:
            return self.fields.get(name)
        if patient > len(self.patients):
            return None
        return self.patients[patient - 1].get(name)

    def is_skipped(self, name: str, patient: int | None = None) -> bool:
        return slot_key(name, patient) in self.skipped

    def set(self, name: str, patient: int | None, value: Any) -> None:
        self.skipped.discard(slot_key(name, patient))
        self.defaulted.discard(slot_key(name, patient))  # said by the reporter now
        self.inferred.discard(slot_key(name, patient))
        if patient is None:
            self.fields[name] = value
            return
        while len(self.patients) < patient:
            self.patients.append({})
        self.patients[patient - 1][name] = value

    def clear(self, name: str, patient: int | None) -> None:
        self.skipped.discard(slot_key(name, patient))
        self.defaulted.discard(slot_key(name, patient))
        self.inferred.discard(slot_key(name, patient))
        if patient is None:
            self.fields.pop(name, None)
        elif patient <= len(self.patients):
            self.patients[patient - 1].pop(name, None)

    def put_default(self, name: str, value: Any) -> None:
        self.set(name, None, value)
        self.defaulted.add(name)

    def put_inferred(self, name: str, patient: int | None, value: Any) -> None:
        self.set(name, patient, value)
        self.inferred.add(slot_key(name, patient))

    def is_inferred(self, name: str, patient: int | None = None) -> bool:
        return slot_key(name, patient) in self.inferred

    def skip(self, name: str, patient: int | None) -> None:
        self.clear(name, patient)
        self.skipped.add(slot_key(name, patient))

    def entries(self) -> list[tuple[str, int | None]]:
        """Every answered or skipped slot, for pruning."""
        found: list[tuple[str, int | None]] = [(name, None) for name in self.fields]
        found += [(name, i + 1) for i, p in enumerate(self.patients) for name in p]
        for key in self.skipped:
            name, _, num = key.partition(":")
            found.append((name, int(num) if num else None))
        return found

    def compact(self) -> None:
        while self.patients and not self.patients[-1]:
            self.patients.pop()
