"""An in-memory stand-in for BackendClient, for the actions' unit tests: the same methods and the
same answer shapes, over a three-question plan. End-to-end tests use the real backend."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from actions.backend_client import BackendRejected, BackendUnavailable
from actions.interpret import interpret

HARM = [{"code": "5", "label": "No physical harm"}, {"code": "4", "label": "Low physical harm"},
        {"code": "3", "label": "Moderate physical harm"}]
PLAN: list[dict[str, Any]] = [
    {"field": "Description", "patient": None, "text": "What happened?", "type": "string", "multiple": False,
     "mandatory": True, "choices": None, "unknown_code": None, "search": None, "help": None},
    {"field": "PreciseTime", "patient": None, "text": "What time did it happen?", "type": "time", "multiple": False,
     "mandatory": False, "choices": None, "unknown_code": None, "search": None, "help": "A time such as 15:30."},
    {"field": "PhysicalHarm", "patient": 1, "text": "What was the physical harm to the patient?", "type": "code",
     "multiple": False, "mandatory": True, "choices": HARM, "unknown_code": None, "search": None,
     "help": "Low: needed extra observation or minor treatment. Moderate: significant but not permanent harm."},
]


class FakeBackend:
    def __init__(self, analysis: list[dict] | None = None) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, Any]] = []
        self.analysis = analysis or []
        self.down = False
        self.codes: dict[str, str] = {}
        self._codes = itertools.count(100_000_000_001)  # twelve digits, as the backend's
        self._ids = (f"rec-{i}" for i in itertools.count(1))

    def _check(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if self.down:
            raise BackendUnavailable("fake backend is down")

    def _key(self, f: str, p: int | None) -> str:
        return f if p is None else f"{f}:{p}"

    async def create_record(self, act_as: str, channel: str, event_type: str | None = None, answers: list | None = None) -> dict:
        self._check("create_record", act_as, channel)
        rid = next(self._ids)
        self.records[rid] = {"owner": act_as, "channel": channel, "event_type": event_type, "answers": {}, "status": "draft"}
        result = await self.answer(act_as, rid, answers or []) if answers else {"identifiers_found": []}
        return {"record": {"id": rid}, "identifiers_found": result["identifiers_found"]}

    async def answer(self, act_as: str, record_id: str, answers: list[dict]) -> dict:
        self._check("answer", act_as, record_id, copy.deepcopy(answers))
        record = self.records[record_id]
        known = {q["field"] for q in PLAN} | {"EventType", "ApproximateDate", "Organisation", "OrganisationOther"}
        bad = [a for a in answers if a["field"] not in known]
        if bad:
            raise BackendRejected(422, {"errors": [{"field": bad[0]["field"], "message": "is not a question in the plan"}]})
        found = []
        for a in answers:
            value = "SKIPPED" if a.get("skip") else a["value"]
            if isinstance(value, str) and "943 476 5919" in value:
                value = value.replace("943 476 5919", "[NHS number removed]")
                found.append({"field": a["field"], "patient": None, "kind": "nhs_number", "label": "an NHS number"})
            record["answers"][self._key(a["field"], a.get("patient"))] = value
        nxt = next((q for q in PLAN if self._key(q["field"], q["patient"]) not in record["answers"]), None)
        return {"record": {"id": record_id}, "identifiers_found": found, "changed": [a["field"] for a in answers],
                "next_question": nxt}

    async def next_question(self, act_as: str, record_id: str) -> dict:
        self._check("next_question", act_as, record_id)
        answered = self.records[record_id]["answers"]
        for q in PLAN:
            if self._key(q["field"], q["patient"]) not in answered:
                return {"question": q, "missing_mandatory": 1, "ready_to_submit": False}
        return {"question": None, "missing_mandatory": 0, "ready_to_submit": True}

    async def summary(self, act_as: str, record_id: str) -> dict:
        self._check("summary", act_as, record_id)
        record = self.records[record_id]
        rows = [{"field": k.split(":")[0], "patient": int(k.split(":")[1]) if ":" in k else None, "question": k,
                 "label": k.split(":")[0], "answer": str(v), "value": v} for k, v in record["answers"].items()]
        return {"id": record_id, "event_type": record["event_type"], "answers": rows}

    async def submit(self, act_as: str, record_id: str) -> dict:
        self._check("submit", act_as, record_id)
        missing = (await self.next_question(act_as, record_id))["question"]
        if missing:
            raise BackendRejected(422, {"missing": [{"field": missing["field"]}]})
        self.records[record_id]["status"] = "submitted"
        return {"reference": "PSE-2026-000001", "record": {"id": record_id}}

    async def delete(self, act_as: str, record_id: str) -> None:
        self._check("delete", act_as, record_id)
        self.records.pop(record_id, None)

    async def drafts(self, act_as: str) -> list[dict]:
        self._check("drafts", act_as)
        return [{"id": rid, "event_type": r["event_type"], "event_date": "2026-11-20", "updated_at": "2026-11-21T10:00:00Z",
                 "first_words": str(r["answers"].get("Description", ""))}
                for rid, r in self.records.items() if r["owner"] == act_as and r["status"] == "draft"]

    async def issue_resume_code(self, act_as: str, record_id: str) -> dict:
        self._check("issue_resume_code", act_as, record_id)
        if self.records[record_id]["owner"] != act_as or self.records[record_id]["status"] != "draft":
            raise BackendRejected(409, "Only an unfinished draft of your own can have a code")
        code = f"{next(self._codes):08d}"
        self.codes[code] = record_id
        return {"code": code, "expires_at": "2026-12-01T00:00:00Z"}

    async def redeem_code(self, act_as: str, code: str) -> dict:
        self._check("redeem_code", act_as, code)
        record_id = self.codes.pop(code, None)
        if record_id is None:
            raise BackendRejected(404, "No saved report matches that code.")
        record = self.records[record_id]
        record["owner"] = act_as
        return {"id": record_id, "status": record["status"],
                "answers": {"fields": {k: v for k, v in record["answers"].items() if ":" not in k}}}

    async def plan(self, act_as: str, event_type: str, audience: str) -> dict:
        self._check("plan", act_as, event_type, audience)
        return {"questions": [{**q, "per_patient": q["patient"] is not None} for q in PLAN]}

    async def analyse(self, act_as: str, text: str, audience: str) -> dict:
        """The suggestions set, marked by the real plan's inference rules as the backend marks them."""
        from backend.plan.inference import mark
        from backend.plan.model import get_plan

        self._check("analyse", act_as, text, audience)
        plan = get_plan()
        assert plan.inference is not None
        return {"suggestions": mark(copy.deepcopy(self.analysis), audience, plan.questions, plan.inference,
                                    plan.patient_count_field)}

    # A small stand-in for backend/interpret (the real one is tested in tests/backend/test_interpret.py).
    ACTS = (("submit", ("submit", "send it")), ("undo", ("undo",)), ("delete", ("delete", "discard")),
            ("progress", ("taking ages", "how many more")), ("help", ("why do you", "what does", "what counts")))

    async def interpret_reply(self, act_as: str, field: str | None, text: str, audience: str,
                              mandatory: bool = True) -> dict:
        self._check("interpret_reply", act_as, field, text)
        lowered = text.lower()
        act = next((a for a, cues in self.ACTS if any(c in lowered for c in cues)), None)
        reading: dict[str, Any] = {"act": act or "none", "value": None, "confidence": 0.9, "approximate": False, "label": None,
                   "others": []}
        question = next((q for q in PLAN if q["field"] == field), None)
        if act or question is None:
            return reading
        if lowered.strip() == "skip":
            return {**reading, "act": "skip"}
        found = interpret({**question, "mandatory": mandatory}, text, None)
        if found.skip:
            return {**reading, "act": "skip"}
        if found.value is not None:
            return {**reading, "act": "answer", "value": found.value, "label": str(found.value)}
        return reading

    async def interpret_group(self, act_as: str, group: str, text: str, audience: str) -> dict:
        """The fake's plan has no groups: nothing is read (the real one: tests/bot/test_group_answers.py)."""
        self._check("interpret_group", act_as, group, text)
        return {"act": "none", "answers": [], "unclear": [], "confidence": 0.0}

    async def interpret_correction(self, act_as: str, text: str, event_type: str, audience: str,
                                   answered: list[str]) -> dict:
        self._check("interpret_correction", act_as, text, answered)
        lowered = text.lower()
        for q in PLAN:
            name = {"PhysicalHarm": "harm", "PreciseTime": "time", "Description": "description"}[q["field"]]
            if f"the {name} to " in lowered:
                found = interpret(q, lowered.split(" to ", 1)[1], None)
                if found.value is not None:
                    return {"act": "change", "field": q["field"], "patient": q["patient"], "value": found.value,
                            "label": str(found.value)}
            if f"the {name}" in lowered:
                return {"act": "ask_value", "field": q["field"], "patient": q["patient"]}
        return {"act": "ask_field"}

    async def record(self, act_as: str, record_id: str) -> dict:
        self._check("record", act_as, record_id)
        r = self.records[record_id]
        fields = {k: v for k, v in r["answers"].items() if ":" not in k}
        patients = [{k.split(":")[0]: v for k, v in r["answers"].items() if k.endswith(":1")}]
        return {"id": record_id, "event_type": r["event_type"], "status": r["status"],
                "answers": {"fields": fields, "patients": [p for p in patients if p], "skipped": []}}

    async def search_codes(self, act_as: str, system: str, query: str, limit: int = 5) -> dict:
        self._check("search_codes", act_as, system, query)
        return {"codes": []}
