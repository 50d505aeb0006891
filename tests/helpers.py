"""Helpers for tests that act as real users through the test client."""
from __future__ import annotations

import re

from sqlalchemy import event

from coordination.extensions import db

DEMO_PASSWORD = "demo-password-1"

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    """The CSRF token in a rendered form; fails the test when there is none."""
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def login(client, username: str, password: str = DEMO_PASSWORD):
    """Sign in through the real login form (CSRF included)."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )


def post_form(client, url: str, data: dict, token_from: str | None = None):
    """POST ``data`` to ``url`` with the CSRF token of the form at ``token_from``."""
    page = client.get(token_from or url)
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text)})


def statements_to_open(client, url: str) -> int:
    """How many SQL statements opening ``url`` runs (to prove a page has no N+1)."""
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)
