"""Plugs the pages into the FastAPI app: routers, static files, session sliding, CSRF cookie, and
HTML error pages for page routes (the API keeps its JSON errors)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.config import VAR_DIR
from backend.web import session
from backend.web.deps import SignInRequired, sign_in_url
from backend.web.templating import render

BUILT_STATIC = VAR_DIR / "web" / "static"  # web/build.mjs: NHS.UK frontend and Chart.js from npm
OWN_STATIC = __import__("pathlib").Path(__file__).parent / "static"
MESSAGES = {400: "Sorry, that request could not be understood.", 403: "You do not have access to this page.",
            404: "Page not found", 405: "Sorry, that is not possible here.", 409: "That could not be done.",
            422: "Sorry, something in that request was not valid."}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/chat/")


def install(app: FastAPI) -> None:
    from backend.web.router import router

    app.include_router(router)
    BUILT_STATIC.mkdir(parents=True, exist_ok=True)
    app.mount("/static/app", StaticFiles(directory=OWN_STATIC), name="static-app")
    app.mount("/static", StaticFiles(directory=BUILT_STATIC, check_dir=False), name="static")

    @app.middleware("http")
    async def sessions_and_csrf(request: Request, call_next):
        response = await call_next(request)
        refresh = getattr(request.state, "session_refresh", None)
        if refresh is not None and not getattr(request.state, "signed_out", False):
            session.set_session(response, app.state.settings, session.issue(app.state.settings, *refresh))
        session.set_csrf_cookie(request, response)
        return response

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired):
        response = RedirectResponse(sign_in_url(exc.next_path, exc.expired), status_code=303)
        session.clear_session(response)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _is_api(request):
            return await http_exception_handler(request, exc)
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else MESSAGES.get(exc.status_code)
        return render(request, "error.html", status_code=exc.status_code, title=MESSAGES.get(exc.status_code, "Error"),
                      message=message or "Sorry, there is a problem.")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if _is_api(request):
            return await request_validation_exception_handler(request, exc)
        return render(request, "error.html", status_code=422, title="Sorry, there is a problem",
                      message=MESSAGES[422])
