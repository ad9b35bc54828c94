"""Loads the taxonomy data once and serves it read-only.

The files in data/ are copies of ../shared/lfpse-taxonomy/v5 (Apache-2.0, see LFPSE-V5-SOURCE.md)
plus data/project.json; a test checks the copies against the shared originals when those are present.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

DATA_DIR = Path(__file__).resolve().parent / "data"
UNKNOWN_LABEL = "I don't know"


@dataclass(frozen=True)
class Code:
    code: str
    display: str
    definition: str | None = None


@dataclass(frozen=True)
class CodeSystem:
    id: str
    title: str
    codes: tuple[Code, ...]
    source: str  # "lfpse-v5" or "project"
    _by_code: Mapping[str, Code] = field(default=MappingProxyType({}), repr=False, compare=False)

    @classmethod
    def build(cls, id: str, title: str, codes: list[Code], source: str) -> CodeSystem:
        return cls(id, title, tuple(codes), source, MappingProxyType({c.code: c for c in codes}))

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Code | None:
        return self._by_code.get(code)

    def label(self, code: str) -> str:
        found = self._by_code.get(code)
        return found.display if found else code

    @property
    def unknown_code(self) -> str | None:
        """The code meaning "I don't know", where the list has one."""
        return next((c.code for c in self.codes if c.display == UNKNOWN_LABEL), None)


@dataclass(frozen=True)
class FieldDef:
    name: str
    section: str
    type: str  # Code, String, Integer, Boolean, Date, Time
    value_set: str | None
    min: int
    max: int  # 1 for single values; the list limit for repeatable ones
    definition: str
    source: str

    @property
    def multiple(self) -> bool:
        return self.max > 1


@dataclass(frozen=True)
class Taxonomy:
    version: int
    code_systems: Mapping[str, CodeSystem]
    fields: Mapping[str, FieldDef]
    source: Mapping[str, str]

    def code_system(self, id: str) -> CodeSystem:
        return self.code_systems[id]

    def field(self, name: str) -> FieldDef:
        return self.fields[name]

    def values_for(self, field_name: str) -> CodeSystem | None:
        vs = self.fields[field_name].value_set
        return self.code_systems[vs] if vs else None

    def values_required(self, field_name: str) -> CodeSystem:
        """The code system of a field the caller knows is coded; a field without one is a data error."""
        codes = self.values_for(field_name)
        if codes is None:
            raise LookupError(f"Field {field_name!r} has no value set in taxonomy v{self.version}")
        return codes


def _read(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _max(value: object) -> int:
    # The extract keeps the source's cardinality; "*" means unbounded, which we cap for validation.
    return value if isinstance(value, int) else 100


def load_taxonomy(data_dir: Path = DATA_DIR) -> Taxonomy:
    cs_doc = _read("code-systems.json")
    systems: dict[str, CodeSystem] = {}
    for entry in cs_doc["code_systems"]:
        raw = entry["codes"] if entry["codes"] is not None else _read(entry["codes_file"])["codes"]
        codes = [Code(c["code"], c["display"]) for c in raw]
        systems[entry["id"]] = CodeSystem.build(entry["id"], entry["title"], codes, "lfpse-v5")

    fields: dict[str, FieldDef] = {}
    for section in _read("fields.json")["sections"]:
        for f in section["fields"]:
            fields[f["name"]] = FieldDef(
                f["name"], section["name"], f["type"], f.get("value_set"), f["min"], _max(f["max"]),
                f.get("definition") or "", "lfpse-v5",
            )

    project = _read("project.json")
    for entry in project["code_systems"]:
        codes = [Code(c["code"], c["display"], c.get("definition")) for c in entry["codes"]]
        systems[entry["id"]] = CodeSystem.build(entry["id"], entry["title"], codes, "project")
    for f in project["fields"]:
        fields[f["name"]] = FieldDef(
            f["name"], f["section"], f["type"], f["value_set"], f["min"], _max(f["max"]),
            f["definition"], "project",
        )

    missing = {f.value_set for f in fields.values() if f.value_set and f.value_set not in systems}
    if missing:
        raise ValueError(f"fields refer to unknown value sets: {sorted(missing)}")
    return Taxonomy(
        cs_doc["taxonomy_version"], MappingProxyType(systems), MappingProxyType(fields),
        MappingProxyType(cs_doc["source"]),
    )


@lru_cache
def get_taxonomy() -> Taxonomy:
    return load_taxonomy()
