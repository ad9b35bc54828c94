"""The web side: server-rendered pages (Jinja2, NHS.UK frontend) for staff: sign-in, my records, the
web form from the question plan, summaries and print, the dashboard and role administration."""
