"""The labelled development set: first messages with every field a careful coder would fill in.

Files in data/: the training part, narratives_train*.yaml and narratives_dev*.yaml (the build trains the
event-type classifier on them, beside event_type_examples.yaml; the dev batches were held out once, and
became training data when their errors had been read), and the held-out batches narratives_heldout21.yaml
to narratives_heldout23.yaml (never read by the build; only the evaluation, `make narrative-eval`, reads
them). An item is a flow mapping; keys left out mean "not stated":

    t       the message as written            who     staff (default) or public
    at      reported at, London time (default: the file's reported_at)
    type    incident | poor_outcome | risk | good_care
    d       date as days from the reporting day (0 today, -1 yesterday) or `date`: an ISO date
    time    HH:MM stated            shift    EstimatedTime code (1 day, 2 night, 3/4 handovers)
    area    ServiceArea codes       loc      LocationWithinService code
    agents  InvolvedAgents codes    meds     medicine names as typed    dev   devices by item
    n       patients, where a count is stated ("two patients", "both", "twins")
    harm    PhysicalHarm code, where the message states it (5 none ... 1 fatal)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

from backend.narrative.lexicon import DATA_DIR

TRAIN_PATHS = (DATA_DIR / "narratives_train.yaml", DATA_DIR / "narratives_train2.yaml",
               *(DATA_DIR / f"narratives_dev{n}.yaml" for n in range(1, 21)))
# Written blind, by people who never ran the analyser, while the pipeline they measure was built (see headers).
HELDOUT_PATHS = tuple(DATA_DIR / f"narratives_heldout{n}.yaml" for n in (21, 22, 23))
HELDOUT_PATH = HELDOUT_PATHS[0]


@dataclass(frozen=True)
class Labelled:
    text: str
    audience: str
    reported_at: datetime  # naive London time
    event_type: str
    date: date | None
    time: str | None
    shift: str | None
    areas: frozenset[str]
    location: str | None
    agents: frozenset[str]
    medicines: tuple[str, ...]
    devices: tuple[str, ...]
    patients: int | None
    harm: str | None


def _codes(raw) -> frozenset[str]:
    return frozenset(str(c) for c in raw or ())


def _item(raw: dict, default_at: datetime) -> Labelled:
    at = datetime.fromisoformat(str(raw["at"])) if raw.get("at") else default_at
    when = raw.get("date")
    if when is not None:
        day = when if isinstance(when, date) else date.fromisoformat(str(when))
    elif raw.get("d") is not None:
        day = at.date() + timedelta(days=int(raw["d"]))
    else:
        day = None
    return Labelled(
        text=str(raw["t"]),
        audience=str(raw.get("who", "staff")),
        reported_at=at,
        event_type=str(raw["type"]),
        date=day,
        time=str(raw["time"]) if raw.get("time") else None,
        shift=str(raw["shift"]) if raw.get("shift") else None,
        areas=_codes(raw.get("area")),
        location=str(raw["loc"]) if raw.get("loc") else None,
        agents=_codes(raw.get("agents")),
        medicines=tuple(str(m) for m in raw.get("meds") or ()),
        devices=tuple(str(d) for d in raw.get("dev") or ()),
        patients=int(raw["n"]) if raw.get("n") is not None else None,
        harm=str(raw["harm"]) if raw.get("harm") else None,
    )


def load(path: Path) -> list[Labelled]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    default_at = datetime.fromisoformat(str(raw["reported_at"]))
    return [_item(item, default_at) for item in raw["items"]]


def event_type_examples(paths: tuple[Path, ...] = TRAIN_PATHS) -> list[tuple[str, str]]:
    """(text, event type) pairs for the classifier: the training part only."""
    return [(i.text, i.event_type) for path in paths for i in load(path)]
