"""What a reply saves, beyond the one value for the question showing (issue 14).

`items_for`: a reading as answer items. "About 80" to the age question is no exact age: the age is left
out and its band saved (the reading has no value and the band among its others), in one batch.

`note_what_else`: any free-text reply can answer more than the question asked. The backend's narrative
analysis (the one the first message gets) runs on it; what it finds for questions still open is saved
marked as inferred (the backend refuses it over any answer or skip) and said back now, and the reporter
confirms or changes it at check your answers, where it is shown on its own line. The questions it
answers are then not asked."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendRejected, BackendUnavailable, get_client
from actions.conversation import act_as, audience
from actions.say import say
from wording.catalogue import entry


def has_answer(reading: dict[str, Any]) -> bool:
    return reading.get("value") is not None or bool(reading.get("approximate") and reading.get("others"))


def items_for(field: str, patient: int | None, reading: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers a reading saves for the question (field, patient), its others included."""
    if reading.get("value") is None and reading.get("approximate") and reading.get("others"):
        return [{"field": field, "patient": patient, "skip": True},
                *({"field": o["field"], "patient": patient if o.get("per_patient") else None, "value": o["value"]}
                  for o in reading["others"])]
    return [{"field": field, "patient": patient, "value": reading["value"]}]


def say_approximate(dispatcher: CollectingDispatcher, tracker: Tracker, reading: dict[str, Any]) -> None:
    """What was decided for an approximate age, and why: the band, no exact age."""
    if reading.get("value") is None and reading.get("approximate") and reading.get("others"):
        say(dispatcher, tracker, "age_band_only", said=reading.get("label") or "", band=reading["others"][0]["label"])


def _name(field: str, public: bool) -> str:
    names = entry("field_name")
    return names[field][1 if public else 0] if field in names else field


async def note_what_else(dispatcher: CollectingDispatcher, tracker: Tracker, text: str,
                         showing: str | None = None, analysis: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Reads a free-text reply for answers to other open questions and saves them as inferred; returns the last
    save's response (its next question) or None when nothing was saved."""
    client, who, record = get_client(), act_as(tracker), tracker.get_slot("record_id")
    if not record or len(text.split()) < 3:
        return None
    public = audience(tracker) == "public"
    try:
        analysis = analysis if analysis is not None else await client.analyse(who, text, audience(tracker))
        rows = (await client.summary(who, record))["answers"]
    except (BackendUnavailable, BackendRejected):
        return None  # the reply itself is saved; what else it says is simply asked later
    have = {(r["field"], r.get("patient")) for r in rows}  # answered, skipped or assumed: never replaced
    count = next((r["value"] for r in rows if r["field"] == "PatientCount"), None)
    # The plan's inference rules (question_plan.yaml `inference: later_answers`), marked on each suggestion by
    # the backend: only what is `inferable` (sure enough, never the story, kind or patient count), and per
    # patient only while the record has one patient (the public's is one: they are not asked the count).
    per_patient_ok = public or count == 1
    found: dict[str, dict[str, Any]] = {}
    for s in analysis.get("suggestions", []):
        if not s.get("inferable") or s["field"] == showing:
            continue
        if s["field"] not in found or s["confidence"] > found[s["field"]]["confidence"]:
            found[s["field"]] = s
    saved: list[dict[str, Any]] = []
    last = None
    for s in found.values():
        patient = 1 if s.get("per_patient") else None
        if (s["field"], patient) in have or (patient and not per_patient_ok):
            continue
        try:  # one at a time: a finding that does not apply to this record is left out, the rest kept
            last = await client.answer(who, record, [{"field": s["field"], "patient": patient, "value": s["value"],
                                                      "inferred": True}])
        except BackendRejected:
            continue
        except BackendUnavailable:
            break
        saved.append(s)
    if saved:
        items = "; ".join(f"{_name(s['field'], public).lower()}: {s['label']}" for s in saved)
        say(dispatcher, tracker, "found_in_answer", items=items)
    return last
