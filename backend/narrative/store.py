"""The built pipeline, loaded once per process and per model directory, built first if it is missing or
was built from other inputs (the data or the code changed since)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language

from backend.narrative.build import build, is_current, read_build_info
from backend.narrative.harm_model import HarmModel
from backend.narrative.involved_model import InvolvedModel

_cache: dict[Path, NarrativeModel] = {}
_lock = threading.Lock()  # one build or load at a time; request threads wait for it


@dataclass(frozen=True)
class NarrativeModel:
    nlp: Language
    info: dict  # build.json: inputs hash, held-out accuracies, the event-type decision
    involved: InvolvedModel | None = None  # the second opinion on things involved (none: the rules alone)
    harm: HarmModel | None = None  # the learnt reading of physical harm (none: the rules alone)

    @property
    def temperature(self) -> float:
        """Calibrates the classifier's probabilities (fitted by the build on out-of-fold predictions)."""
        return float(self.info.get("event_type", {}).get("temperature", 1.0))

    @property
    def uses_classifier(self) -> bool:
        return self.info["event_type"]["method"] == "classifier"


def get_model(model_dir: Path) -> NarrativeModel:
    key = Path(model_dir).resolve()
    with _lock:
        model = _cache.get(key)
        if model is None:
            if not is_current(key):
                build(key)
            model = NarrativeModel(spacy.load(key), read_build_info(key) or {}, InvolvedModel.load(key),
                                   HarmModel.load(key))
            _cache[key] = model
        return model
