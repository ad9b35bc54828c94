"""POST /narrative/analyse: suggested answers from a description, for the assistant and the web form."""

from __future__ import annotations

from fastapi import APIRouter, Request

from backend.auth.dependencies import AssistantPrincipal
from backend.narrative.schemas import AnalyseRequest, AnalyseResult
from backend.records.schemas import Invalid

router = APIRouter(prefix="/narrative", tags=["narrative"])


@router.post(
    "/analyse",
    response_model=AnalyseResult,
    response_model_exclude_none=True,
    summary="Suggest answers from a reporter's description",
    description="Finds, in a free-text description, what the question plan asks: event type, when (date, today, "
    "time or shift), where (service area, location, organisation by ODS code), what was involved (agents, "
    "medicines) and the physical harm, each with a confidence and the span of text it rests on, to be "
    "confirmed by the reporter, marked by the plan's inference rules (per patient, inferable from a later answer, "
    "replaced by a correction; the patient count one patient implies). Also reports personal identifiers in the "
    "text. Nothing is stored.",
    responses={
        401: {"description": "Not signed in"},
        422: {"model": Invalid, "description": "Text empty, blank or over 5000 characters, or an unknown audience"},
    },
)
def analyse_narrative(body: AnalyseRequest, who: AssistantPrincipal, request: Request) -> dict:
    # spaCy and dateparser are imported on first use (0.6 s), not at start-up; the pipeline then loads
    # (built first if missing or stale) and stays cached per process.
    from backend.narrative.analyse import analyse
    from backend.narrative.store import get_model

    state = request.app.state
    model = get_model(state.settings.narrative_model_dir)
    from backend.plan.inference import mark

    plan = state.plan
    result = analyse(body.text, body.audience, body.reported_at, model=model, plan=plan, tax=state.taxonomy)
    if plan.inference is not None:
        result["suggestions"] = mark(result["suggestions"], body.audience, plan.questions, plan.inference,
                                     plan.patient_count_field)
    return result
