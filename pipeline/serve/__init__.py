"""`pipeline serve`: review in the browser for a small team, the PO files the only store.

users.py keeps the reviewers, security.py the sessions, CSRF, rate limit and headers, pages.py
what each page shows, saving.py the save (the same locked compare-and-swap as `pipeline review`),
app.py the Starlette routes. Only app.py imports Starlette; uvicorn is imported by the CLI.
"""
