"""Starting a signed-in session, and the short wait between the password and
the two-factor code.

Between the two steps the user is *not* signed in: the session holds only a
marker naming them (with their session epoch), when the password was right
and where to go afterwards. Every page but the code step treats the browser
as anonymous, and the marker dies after ``TWO_FACTOR_PENDING_TIMEOUT``.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user

from coordination import policy
from coordination.accounts import session_store
from coordination.accounts.models import SessionEnd, User
from coordination.accounts.services import set_language
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.notifications.services import check_due
from coordination.security import SEEN_KEY, SESSION_TOKEN_KEY, is_safe_next

#: Session key of the marker of a sign-in waiting for its code.
PENDING_KEY = "two_factor_pending"


def renew_session(user: User) -> None:
    """A new session for ``user``: nothing from before survives but the language.

    The session before (if any) ends on the server; a new one is opened there
    and its token put in the cookie (``coordination.accounts.session_store``).
    Called from POSTs only (sign-in, password change, two-factor set-up): its
    row is committed by the request pipeline's one commit point.
    """
    previous = session_store.find(session.get(SESSION_TOKEN_KEY))
    if previous is not None:
        session_store.end(previous, SessionEnd.SIGNED_OUT)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    session.permanent = True
    session[SEEN_KEY] = utcnow().isoformat()
    session[SESSION_TOKEN_KEY] = session_store.start(user)


def keep_chosen_language(user: User) -> None:
    """The language picked on the sign-in page (``?lang=``, kept in the
    session) becomes the profile's language, inside the sign-in POST: the
    profile would otherwise override the choice on the next page (issue 15)."""
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"] and user.language != lang:
        set_language(user, lang)


def finish_login(user: User, target: str | None):
    """Every factor was right: sign ``user`` in and send them on (to change a
    temporary password first, if they hold one)."""
    if policy.may_use(user, policy.Section.CASES):
        check_due(user.agency)  # what fell due since the last visit
    keep_chosen_language(user)
    renew_session(user)
    if user.must_change_password:
        flash(_("Choose a password of your own before you continue."), "info")
        return redirect(url_for("accounts.change_password"))
    return redirect(target if is_safe_next(target) else url_for("core.index"))


def begin_code_step(user: User):
    """The password was right and a code is needed: remember who, not signed in."""
    target = request.args.get("next")
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING_KEY] = {
        "user": user.get_id(),
        "since": utcnow().isoformat(),
        "next": target if is_safe_next(target) else None,
    }
    return redirect(url_for("two_factor.login_step"))


def pending_login() -> tuple[User, str | None] | None:
    """The user waiting to give their code, and where they were going; None
    when there is no marker, it has expired, or the account changed since
    (deactivated, password reset, two-factor reset)."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        return None
    try:
        since = datetime.fromisoformat(marker["since"])
        user_id, _sep, epoch = marker["user"].partition(":")
        user = db.session.get(User, int(user_id))
    except (KeyError, TypeError, ValueError):
        return None
    if utcnow() - since > current_app.config["TWO_FACTOR_PENDING_TIMEOUT"]:
        return None
    if user is None or not user.is_active or not user.has_two_factor:
        return None
    if epoch != str(user.session_epoch):
        return None
    return user, marker.get("next")


def end_code_step() -> None:
    """Forget the marker (signed in, locked out, or expired)."""
    session.pop(PENDING_KEY, None)
