"""Medicine names from a maintained dictionary, so a reporter's drug is read even if nobody here listed it.

The drug-named-entity-recognition package (MIT, Fast Data Science) ships a dictionary of drug names and
synonyms from DrugBank, MeSH, Wikipedia and MedlinePlus. Only its data file is read (none of its code
runs, so nothing is fetched). Kept: single-word names of drugs that have a MedlinePlus entry (the medicines
people are prescribed), generic names of 5 letters or more and brand names of 6 or more, minus the lexicon's
`medicine_name_stopwords` (names that are also ordinary words or people's names: "armour", "alli").
"""

from __future__ import annotations

import bz2
import importlib.metadata
import importlib.resources
import pickle  # the package's own data file, installed from the hash-locked requirements
import re
from functools import lru_cache

PACKAGE = "drug_named_entity_recognition"
_DATA_FILE = "drug_ner_dictionary.pkl.bz2"
_NAME = re.compile(r"[a-z][a-z-]*[a-z]")
MIN_GENERIC, MIN_BRAND = 5, 6


def dictionary_version() -> str:
    """Part of the build's inputs: a new dictionary rebuilds the pipeline."""
    return importlib.metadata.version("drug-named-entity-recognition")


@lru_cache
def _dictionary() -> dict:
    with importlib.resources.files(PACKAGE).joinpath(_DATA_FILE).open("rb") as raw:
        return pickle.loads(bz2.decompress(raw.read()))


def dictionary_names(stopwords: frozenset[str]) -> list[str]:
    data = _dictionary()
    prescribed = {name for name, info in data["drug_canonical_to_data"].items() if "medline_plus_id" in info}
    kinds = data["drug_variant_to_variant_data"]
    names = []
    for variant, canonical in data["drug_variant_to_canonical"].items():
        if not _NAME.fullmatch(variant) or variant in stopwords or not prescribed.intersection(canonical):
            continue
        brand = kinds.get(variant, {}).get("is_brand", True)
        if len(variant) >= (MIN_BRAND if brand else MIN_GENERIC):
            names.append(variant)
    return sorted(names)
