"""Serves the web chat page and the widget built from web/ (`npm ci && node build.mjs` writes
var/web/widget.js; scripts/ensure-browser.sh does it). The widget talks to the Rasa server's
socket.io channel (channels/webchat.py) at RASA_PUBLIC_URL.

A member of staff signed in to the pages gets a short-lived chat token (CHAT_TOKEN_MINUTES) in the
page, which the widget hands to the channel (the channel checks it with the backend), so the assistant
knows the account and "resume my draft" works. The token's scope is "chat": it identifies the person
(`GET /api/v1/me`) and can do nothing else with the API. Integrations may pass a token in the page's
fragment instead (`/chat#staff_token=...`, never sent to the server). Without a token the chat is a
public report. The widget talks only to the configured RASA_PUBLIC_URL: no link can point the page
(and the token in it) at another server. The page has the pages' headers (never framed, no-store)
and a content security policy that lets it load only its own script and connect only to that URL."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from backend.auth import tokens
from backend.config import VAR_DIR
from backend.web.deps import WebUser, optional_user
from backend.web.templating import PAGE_HEADERS

WIDGET = VAR_DIR / "web" / "widget.js"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
CHAT_TOKEN_MINUTES = 15  # enough to open the chat; the channel checks it once, when the chat connects
HEADERS = {**PAGE_HEADERS, "Referrer-Policy": "no-referrer"}

router = APIRouter(tags=["web chat"], include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Report a patient safety event - chat</title>
<style>
  body {{ font-family: Arial, Helvetica, sans-serif; margin: 0; color: #212b32; background: #f0f4f5; }}
  header {{ background: #005eb8; color: #fff; padding: 16px 24px; }}
  header h1 {{ margin: 0; font-size: 1.5rem; }}
  main {{ max-width: 720px; margin: 24px auto; padding: 0 16px; }}
  .webchat-visually-hidden {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }}
  #webchat ol {{ list-style: none; padding: 0; margin: 0 0 16px; background: #fff; border: 1px solid #d8dde0;
    min-height: 300px; max-height: 60vh; overflow-y: auto; }}
  .webchat-msg {{ padding: 8px 16px; border-bottom: 1px solid #f0f4f5; }}
  .webchat-msg p {{ margin: 4px 0; }}
  .webchat-user {{ background: #e8f1f8; text-align: right; }}
  .webchat-button {{ margin: 4px 8px 4px 0; padding: 8px 12px; background: #007f3b; color: #fff; border: 0;
    border-radius: 4px; font-size: 1rem; cursor: pointer; }}
  .webchat-button:focus, #webchat-input:focus, #webchat-send:focus {{ outline: 3px solid #ffeb3b; }}
  label {{ display: block; font-weight: bold; margin-bottom: 4px; }}
  #webchat-input {{ width: 70%; padding: 8px; font-size: 1rem; border: 2px solid #4c6272; }}
  #webchat-send {{ padding: 8px 16px; font-size: 1rem; background: #005eb8; color: #fff; border: 0; border-radius: 4px; }}
  .emergency {{ border-left: 8px solid #d5281b; background: #fff; padding: 8px 16px; margin-bottom: 16px; }}
</style>
</head>
<body>
<header><h1>Report a patient safety event</h1></header>
<main>
  <p class="emergency">If someone is in danger now, call 999. For urgent medical help, call 111.</p>
  <p data-webchat-who>{who}</p>
  <div id="webchat" data-rasa-url="{rasa_url}"{staff_token}>
    <p data-webchat-status role="status" aria-live="polite">Connecting...</p>
    <ol data-webchat-log aria-live="polite" aria-label="Conversation"></ol>
    <form>
      <label for="webchat-input">Your message</label>
      <input id="webchat-input" name="message" type="text" autocomplete="off" maxlength="10000">
      <button id="webchat-send" type="submit">Send</button>
    </form>
  </div>
</main>
<script src="/chat/static/widget.js"></script>
</body>
</html>
"""


def rasa_url() -> str:
    """The one Rasa server the page's widget may talk to."""
    return (os.environ.get("RASA_PUBLIC_URL") or DEFAULT_RASA_URL).rstrip("/")


def content_security_policy(rasa: str) -> str:
    parts = urlsplit(rasa)
    socket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return ("default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
            f"connect-src 'self' {parts.scheme}://{parts.netloc} {socket}; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, user: Annotated[WebUser | None, Depends(optional_user)]) -> HTMLResponse:
    who, token_attr = "Tell us what happened. You don't need to sign in.", ""
    if user is not None:
        token, _ = tokens.issue(request.app.state.settings, user.account.id, minutes=CHAT_TOKEN_MINUTES,
                                version=user.session_version, scope=tokens.CHAT)
        who = f"You are reporting as a member of staff ({user.account.display_name})."
        token_attr = f' data-staff-token="{html.escape(token, quote=True)}"'
    rasa = rasa_url()
    body = PAGE.format(rasa_url=html.escape(rasa, quote=True), who=html.escape(who, quote=False),
                       staff_token=token_attr)
    return HTMLResponse(body, headers={**HEADERS, "Content-Security-Policy": content_security_policy(rasa)})


@router.get("/chat/static/widget.js")
def widget() -> FileResponse:
    if not Path(WIDGET).is_file():
        raise HTTPException(404, "the widget is not built: run scripts/ensure-browser.sh (npm ci && node build.mjs in web/)")
    return FileResponse(WIDGET, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
