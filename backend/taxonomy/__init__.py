"""The LFPSE v5 taxonomy (code systems, fields, ODS organisations) plus the project's own lists."""

from backend.taxonomy.registry import Code, CodeSystem, FieldDef, Taxonomy, get_taxonomy

__all__ = ["Code", "CodeSystem", "FieldDef", "Taxonomy", "get_taxonomy"]
