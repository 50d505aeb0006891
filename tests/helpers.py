"""Helpers for tests that act as real users through the test client."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
from sqlalchemy import event

from coordination.extensions import db

DEMO_PASSWORD = "demo-password-1"
#: The frozen "now" of two-factor tests (any fixed moment would do).
TOTP_NOW = datetime(2026, 11, 2, 8, 0, 0)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def pid(record, kind: str | None = None) -> str:
    """The URL token of ``record`` (a loaded record, or an id with its ``kind``)."""
    from coordination.public_ids import encode, token

    return encode(kind, record) if kind else token(record)


#: URL segments followed by the id of a case record, and the record's kind.
_SEGMENT_KINDS = {"cases": "case", "referrals": "referral", "followups": "follow_up",
                  "orders": "order", "programmes": "programme", "consent": "consent",
                  "meetings": "meeting", "agenda": "agenda_item", "documents": "document",
                  "notes": "note", "transfers": "transfer", "people": "person",
                  "deliveries": "delivery", "meeting-documents": "meeting_document",
                  "incidents": "incident"}
_NUMERIC = re.compile(r"/(cases|referrals|followups|orders|programmes|consent|meetings|agenda"
                      r"|documents|notes|transfers|people|deliveries|meeting-documents|incidents)"
                      r"/(\d+)(?=/|$|\?)")


def opaque(url: str) -> str:
    """``url`` with each numeric id of a case record replaced by its URL token
    (route tables written with ids read as the app's links do)."""
    def token(match: re.Match) -> str:
        segment, number = match.groups()
        return f"/{segment}/{pid(int(number), _SEGMENT_KINDS[segment])}"

    return _NUMERIC.sub(token, url)


def csrf_token(html: str) -> str:
    """The CSRF token in a rendered form; fails the test when there is none."""
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def placed_messages(html: str) -> list[str]:
    """The messages drawn where the user acted: beside a row, or above a
    list's or a panel's rows."""
    return re.findall(r'class="flash flash-\w+ flash-placed"[^>]*>([^<]*)<', html)


def top_messages(html: str) -> list[str]:
    """The messages drawn at the top of the page."""
    return re.findall(r'<div class="flash flash-\w+" role[^>]*>([^<]*)<', html)


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


def totp_code(secret: str, moment: datetime) -> str:
    """The TOTP code of ``secret`` at ``moment`` (naive UTC), as the phone shows it."""
    return pyotp.TOTP(secret).at(moment.replace(tzinfo=UTC))


def enrol(user, moment: datetime = TOTP_NOW) -> tuple[str, list[str]]:
    """Switch two-factor sign-in on for ``user`` at ``moment`` through the
    services, commit, and return the secret and the recovery codes."""
    from coordination.accounts import two_factor

    secret = two_factor.begin_enrolment(user)
    codes = two_factor.confirm_enrolment(user, totp_code(secret, moment), moment)
    db.session.commit()
    return secret, codes
