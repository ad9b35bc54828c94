"""Plugs the pages into the FastAPI app: routers, static files, session sliding, CSRF cookie, and
HTML error pages for page routes (the API keeps JSON errors, ASCII-escaped)."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def _json_error(status_code: int, detail: object, headers: dict | None = None) -> Response:
    # ASCII-escaped: an error echoing what was sent (an unpaired surrogate, say) must still encode.
    body = json.dumps({"detail": jsonable_encoder(detail)}, ensure_ascii=True)
    return Response(body, status_code, headers=headers, media_type="application/json")


class SessionCookies:
    """Slides the session and sets a new browser's CSRF cookie on page responses (what the page
    dependencies asked for in request.state). Plain ASGI rather than @app.middleware("http"), whose
    per-request task and streams were a tenth of the backend's time per API call; the API (bearer
    tokens, no cookies) passes straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookies = Response()
                refresh = getattr(request.state, "session_refresh", None)
                if refresh is not None and not getattr(request.state, "signed_out", False):
                    settings = request.app.state.settings
                    session.set_session(cookies, settings, session.issue(settings, *refresh))
                session.set_csrf_cookie(request, cookies)
                headers = MutableHeaders(scope=message)
                for name, value in cookies.raw_headers:
                    if name == b"set-cookie":
                        headers.append("set-cookie", value.decode("latin-1"))
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def install(app: FastAPI) -> None:
    from backend.web.router import router

    app.include_router(router)
    BUILT_STATIC.mkdir(parents=True, exist_ok=True)
    app.mount("/static/app", StaticFiles(directory=OWN_STATIC), name="static-app")
    app.mount("/static", StaticFiles(directory=BUILT_STATIC, check_dir=False), name="static")

    app.add_middleware(SessionCookies)

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired):
        response = RedirectResponse(sign_in_url(exc.next_path, exc.expired), status_code=303)
        session.clear_session(response)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _is_api(request):
            if exc.status_code in (204, 304):
                return Response(status_code=exc.status_code, headers=getattr(exc, "headers", None))
            return _json_error(exc.status_code, exc.detail, getattr(exc, "headers", None))
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else MESSAGES.get(exc.status_code)
        return render(request, "error.html", status_code=exc.status_code, title=MESSAGES.get(exc.status_code, "Error"),
                      message=message or "Sorry, there is a problem.")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if _is_api(request):
            return _json_error(422, exc.errors())
        return render(request, "error.html", status_code=422, title="Sorry, there is a problem",
                      message=MESSAGES[422])
