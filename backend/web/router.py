"""All page routes (not in the OpenAPI description: the API under /api/v1 is)."""

from fastapi import APIRouter

from backend.web import pages_admin, pages_auth, pages_dashboard, pages_questions, pages_records, pages_summary

router = APIRouter(include_in_schema=False)
# Order matters where paths overlap: /records/new before /records/{record_id}.
for module in (pages_auth, pages_records, pages_questions, pages_summary, pages_dashboard, pages_admin):
    router.include_router(module.router)
