"""The FastAPI application: routers under /api/v1, migrations run at start-up."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

from backend.accounts.router import router as accounts_router
from backend.auth.throttle import SignInThrottle
from backend.body_limit import BodyLimit
from backend.config import Settings, get_settings
from backend.dashboard.router import router as dashboard_router
from backend.database import make_engine
from backend.database.migrate import upgrade_to_head
from backend.identities.router import router as identities_router
from backend.interpret.router import router as interpret_router
from backend.narrative.router import router as narrative_router
from backend.plan.model import get_plan
from backend.plan.router import router as plan_router
from backend.records.router import router as records_router
from backend.resume_codes.router import router as resume_codes_router
from backend.taxonomy import get_taxonomy
from backend.taxonomy.router import router as taxonomy_router
from backend.web.setup import install as install_pages
from backend.webchat.router import router as webchat_router

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.run_migrations_on_startup:
            upgrade_to_head(settings.database_url)
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="Patient safety event reporting backend",
        version="1",
        description="System of record for LFPSE-style patient safety events: taxonomy, question plan, "
        "drafts, submission, permissions. Used by the assistant's action server and the web form.",
        lifespan=lifespan,
        docs_url=f"{API_PREFIX}/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.sign_in_throttle = SignInThrottle(
        per_account=settings.sign_in_failures_per_account, per_client=settings.sign_in_failures_per_client,
        window_seconds=settings.sign_in_window_minutes * 60)
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    app.state.taxonomy = get_taxonomy()
    app.state.plan = get_plan()  # loading checks the plan against the taxonomy: a bad plan fails here

    # Resume codes first: their fixed path /records/resume must win over /records/{record_id}.
    for router in (resume_codes_router, taxonomy_router, plan_router, records_router, accounts_router, narrative_router,
                   identities_router, dashboard_router, interpret_router):
        app.include_router(router, prefix=API_PREFIX)

    app.include_router(webchat_router)  # the web chat page and widget (issue 4)
    install_pages(app)  # the web form, summaries, dashboard and roles pages

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # outermost: before anything parses a body

    @app.get("/health", tags=["meta"])
    def health() -> dict:
        return {"status": "ok"}

    return app
