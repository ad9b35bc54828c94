from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from backend.records.schemas import MAX_INT
from backend.taxonomy import Taxonomy

router = APIRouter(prefix="/taxonomy", tags=["taxonomy"])
# Codes per page: every code system but the ODS list (16,496 codes) fits in one; that one is searched
# (q) or paged (offset, total), never sent whole to an unauthenticated caller.
PAGE_MAX = 250


class CodeSystemInfo(BaseModel):
    id: str
    title: str
    count: int
    source: str


class CodeOut(BaseModel):
    code: str
    display: str
    definition: str | None = None  # left out when there is none


class CodeSystemOut(BaseModel):
    id: str
    title: str
    source: str
    total: int
    codes: list[CodeOut]


class FieldOut(BaseModel):
    name: str
    section: str
    type: str
    value_set: str | None
    min: int
    max: int
    definition: str
    source: str


def _tax(request: Request) -> Taxonomy:
    return request.app.state.taxonomy


@router.get("/code-systems", response_model=list[CodeSystemInfo], summary="Every code system: id, title, size, source")
def code_systems(request: Request) -> list[dict]:
    return [
        {"id": cs.id, "title": cs.title, "count": len(cs.codes), "source": cs.source}
        for cs in _tax(request).code_systems.values()
    ]


@router.get("/code-systems/{system_id}", response_model=CodeSystemOut, response_model_exclude_none=True,
            summary="One code system's codes; q searches labels and codes")
def code_system(
    system_id: str, request: Request,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE_MAX,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict:
    cs = _tax(request).code_systems.get(system_id)
    if cs is None:
        raise HTTPException(404, f"No code system {system_id!r}")
    codes = cs.codes
    if q:
        needle = q.casefold()
        codes = tuple(c for c in codes if needle in c.display.casefold() or needle == c.code.casefold())
    page = codes[offset : offset + limit]
    return {
        "id": cs.id, "title": cs.title, "source": cs.source, "total": len(codes),
        "codes": [{"code": c.code, "display": c.display, **({"definition": c.definition} if c.definition else {})} for c in page],
    }


@router.get("/fields", response_model=list[FieldOut], summary="Every field with its type, cardinality and code system")
def fields(request: Request) -> list[dict]:
    return [
        {"name": f.name, "section": f.section, "type": f.type, "value_set": f.value_set, "min": f.min,
         "max": f.max, "definition": f.definition, "source": f.source}
        for f in _tax(request).fields.values()
    ]
