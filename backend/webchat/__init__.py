"""The web chat page (`GET /chat`) and its widget (`/chat/static/widget.js`, built from web/)."""
