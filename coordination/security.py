"""Response headers, the inactivity timeout and the login manager's hooks."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from sqlalchemy.orm import joinedload

from coordination.accounts import session_store
from coordination.accounts.models import SessionEnd, User, UserSession
from coordination.accounts.two_factor import must_enrol
from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db, login_manager
from coordination.models_base import utcnow
from coordination.pipeline import allow_write
from coordination.settings.services import remember_stored_settings, stored_settings_column

#: Nothing from other origins, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: Session key holding the time of the user's last request (ISO, UTC).
SEEN_KEY = "seen_at"
#: Session key holding the token of the server-side session (``user_sessions``).
# The key's name, not a secret.
SESSION_TOKEN_KEY = "sid"  # nosec B105


def is_safe_next(target: str | None) -> bool:
    """Whether ``target`` is a path on this site (no scheme, host or ``//``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _set_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        # Case files must not linger in a shared browser's cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def _expire_idle_session():
    """Sign out a user whose last request is older than ``IDLE_TIMEOUT``."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = utcnow()
    seen = session.get(SEEN_KEY)
    if seen and now - datetime.fromisoformat(seen) > current_app.config["IDLE_TIMEOUT"]:
        record(AuditAction.SESSION_EXPIRED, current_user._get_current_object(), "user",
               current_user.id)
        end_current_session(SessionEnd.IDLE)
        allow_write("audit of an expired session")
        logout_user()
        session.clear()
        flash(_("Your session expired after a period of inactivity. Please sign in again."),
              "info")
        return redirect(url_for("accounts.login"))
    session[SEEN_KEY] = now.isoformat()
    return None


#: What a user who must change their password may still open.
PASSWORD_CHANGE_ENDPOINTS = {"accounts.change_password", "accounts.logout", "static",
                             "core.healthz"}


def _require_password_change():
    """A user holding a temporary password may do nothing else until they change it."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS
    ):
        return redirect(url_for("accounts.change_password"))
    return None


#: What a user who must set up two-factor sign-in may still open.
TWO_FACTOR_SETUP_ENDPOINTS = PASSWORD_CHANGE_ENDPOINTS | {"two_factor.setup", "two_factor.qr"}


def _require_two_factor_setup():
    """Where the administrator requires two-factor sign-in, a user without it
    sets it up before anything else (after a forced password change)."""
    if (
        current_user.is_authenticated
        and request.endpoint not in TWO_FACTOR_SETUP_ENDPOINTS
        and must_enrol(current_user)
    ):
        return redirect(url_for("two_factor.setup"))
    return None


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The user of ``id:epoch``, unless deactivated or signed out everywhere
    since, and only while the cookie's server-side session is open (not ended,
    idle or too old): a copied cookie dies with its session."""
    user_id, _sep, epoch = session_id.partition(":")
    stored_token = session_store.token_hash(session.get(SESSION_TOKEN_KEY))
    try:
        user_id = int(user_id)
    except ValueError:
        return None
    if stored_token is None or not -(1 << 63) <= user_id < 1 << 63:
        return None
    # One round trip: the user with what every page reads of them (agency,
    # its territory, the two-factor credential), the cookie's session, and the
    # settings in force for the request.
    found = db.session.execute(
        sa.select(User, UserSession, stored_settings_column())
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.token_hash == stored_token)
        .options(joinedload(User.agency).joinedload(Agency.territory),
                 joinedload(User.two_factor))).first()
    if found is None:  # no such user, or the cookie's session is not theirs
        return None
    user, row, stored_settings = found
    remember_stored_settings(stored_settings)
    if not user.is_active or epoch != str(user.session_epoch):
        return None
    reason = session_store.why_over(row)
    if reason is not None:
        if row.ended_at is None:  # noticed now: idle or too old
            session_store.end(row, reason)
            record(AuditAction.SESSION_EXPIRED, user, "user", user.id)
            _session_bookkeeping()
        g.session_over = True
        return None
    if session_store.touch(row):
        _session_bookkeeping()
    g.user_session = row
    return user


def _session_bookkeeping() -> None:
    """The session store changed (a session noted as active, or ended because
    it was idle or too old) while the user was loaded: on any request, a GET
    too, this must be committed by the pipeline's one commit point, or an
    expired session would be found open again and the idle clock would never
    move. The one documented kind of write a page that shows things makes."""
    allow_write("session bookkeeping")


def end_current_session(reason) -> None:
    """End the request's own server-side session (sign-out)."""
    row = g.get("user_session") or session_store.find(session.get(SESSION_TOKEN_KEY))
    if row is not None:
        session_store.end(row, reason)


@login_manager.unauthorized_handler
def _unauthorized():
    if g.pop("session_over", False):
        session.clear()
        flash(_("Your session has ended. Please sign in again."), "info")
    else:
        flash(_("Please sign in to continue."), "info")
    target = request.full_path if request.method == "GET" else None
    if target and target.endswith("?"):
        target = target[:-1]
    return redirect(url_for("accounts.login", next=target))


#: The sign-in steps whose POSTs count against ``LOGIN_RATE_LIMIT`` together.
SIGN_IN_ENDPOINTS = ("accounts.login", "two_factor.login_step")


def _limit_sign_in_attempts(app: Flask) -> None:
    """At most ``LOGIN_RATE_LIMIT`` POSTs to /login and /login/two-factor
    together per client address.

    The per-account lockout stops guessing one password or code; this stops
    one address trying many accounts. One limiter per app (its state is the
    app's), counting in ``RATELIMIT_STORAGE_URI``. A refused attempt is a 429,
    rendered by ``coordination.errors`` in the user's language.
    """
    limiter = Limiter(get_remote_address, app=app)
    app.extensions["login_limiter"] = limiter  # Flask-Limiter keeps only a weak reference
    shared = limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT"],
                                  scope="sign-in", methods=["POST"])
    for endpoint in SIGN_IN_ENDPOINTS:
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])


def init_app(app: Flask) -> None:
    login_manager.session_protection = "strong"
    _limit_sign_in_attempts(app)
    app.before_request(_expire_idle_session)
    app.before_request(_require_password_change)
    app.before_request(_require_two_factor_setup)
    app.after_request(_set_headers)
