"""A one-time password shown after a redirect (post/redirect/get, issue 15).

The page that creates an account, resets its password or confirms a held
account used to show the password in the POST's own response: a reload
posted the form again. Now the POST keeps the password for the next GET
only, encrypted in the user's signed session cookie (Fernet, under a key
derived from ``SECRET_KEY`` for this purpose alone, valid for
:data:`LIFETIME`), and redirects; the GET takes it out of the session and
shows it once. A reload of that page shows no password any more, as the
page has always said ("shown only now"). Nothing is written to the
database, the log or a URL.
"""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, session

#: The session key holding what the next page shows.
KEY = "shown_once"
#: How long the redirect may take before the password is no longer shown.
LIFETIME = 300  # seconds


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hashlib.sha256(b"coordination one-time password display\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def keep(user_id: int, kind: str, password: str | None) -> None:
    """Keep what the next page shows about ``user_id``: ``kind`` ("created",
    "reset", "confirmed") and the one-time password, None for a held account."""
    session[KEY] = {"user": user_id, "kind": kind,
                    "secret": _fernet().encrypt(password.encode()).decode() if password else None}


def take(user_id: int) -> tuple[str, str | None] | None:
    """``(kind, password)`` kept for ``user_id``, removed from the session;
    None when nothing is kept for them (a reload, another tab, too late)."""
    kept = session.pop(KEY, None)
    if not isinstance(kept, dict) or kept.get("user") != user_id:
        return None
    if kept.get("secret") is None:
        return kept.get("kind"), None
    try:
        password = _fernet().decrypt(kept["secret"].encode(), ttl=LIFETIME).decode()
    except (InvalidToken, AttributeError):
        return None
    return kept.get("kind"), password
